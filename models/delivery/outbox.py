"""Queueing messages the bot starts; delivery is ``scheduler.sender``'s job.

Call :func:`enqueue` (or :func:`to_member`) inside the transaction that causes the
message (a purchase, a redemption, a reminder run), so the message exists exactly when its
cause does. Each asks the template's class (:mod:`models.delivery.classes`) whether the
member may be told, and queues nothing when not. A hot path that writes its cause through
a ``models.ledger.journal.Journal`` inserts :func:`new_message` there instead, after asking
:func:`models.delivery.classes.may_tell`; producers of many rows keep to
:func:`admitted` (or to the class's query filter, :func:`models.delivery.classes.audience`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from models.delivery import classes
from models.delivery.classes import MessageClass
from models.store import clock
from models.store.tables import Member, OutboxMessage, OutboxStatus


async def enqueue(
    *,
    chat_id: int,
    template: str,
    args: dict[str, Any] | None = None,
    kind: str = "notice",
    member: Member | None = None,
    language: str | None = None,
    dedupe_key: str | None = None,
    buttons: list[list[dict[str, str]]] | None = None,
    photo_file_id: str | None = None,
    broadcast_id: int | None = None,
    not_before: datetime | None = None,
    using_db: BaseDBAsyncClient | None = None,
) -> OutboxMessage | None:
    """Queue one message (a locale key + arguments); ``None`` if ``dedupe_key`` was used
    or the template's class may not reach the recipient.

    The recipient is ``member`` (looked up by ``chat_id`` when not given); a chat without
    a member row (an admin from the configuration) hears transactional messages only.
    ``language`` defaults to the member's; the sender renders the text at delivery.
    ``buttons`` are rows of ``{"text_key"|"text": ..., "url"|"callback": ...}``.
    """
    if not await _may_tell(chat_id, member, classes.class_of(template), using_db):
        return None
    if dedupe_key is not None:
        exists = await OutboxMessage.filter(dedupe_key=dedupe_key).using_db(using_db).exists()
        if exists:
            return None
    message = new_message(
        chat_id=chat_id,
        template=template,
        args=args,
        kind=kind,
        member=member,
        language=language,
        dedupe_key=dedupe_key,
        buttons=buttons,
        photo_file_id=photo_file_id,
        broadcast_id=broadcast_id,
        not_before=not_before,
    )
    await message.save(using_db=using_db)
    return message


async def _may_tell(
    chat_id: int,
    member: Member | None,
    message_class: MessageClass,
    conn: BaseDBAsyncClient | None,
) -> bool:
    if member is None and message_class == MessageClass.TRANSACTIONAL:
        return True  # a staff chat without a member row (an admin from the configuration)
    if member is None:
        member = await Member.get_or_none(telegram_id=chat_id).using_db(conn)
    return classes.admits(member, message_class)


async def to_member(member: Member, *, template: str, **fields: Any) -> OutboxMessage | None:
    """:func:`enqueue` to ``member``'s chat (``None`` when they have none, or may not be told)."""
    if member.telegram_id is None:
        return None
    return await enqueue(chat_id=member.telegram_id, template=template, member=member, **fields)


async def admitted(
    member_ids: Iterable[int], message_class: MessageClass, conn: BaseDBAsyncClient
) -> set[int]:
    """Which of ``member_ids`` the class's rule lets us tell (one query)."""
    ids = list(set(member_ids))
    if not ids:
        return set()
    found = (
        await Member.filter(classes.audience(message_class), id__in=ids)
        .using_db(conn)
        .values_list("id", flat=True)
    )
    return {int(i) for i in found}  # type: ignore[arg-type]


async def withdraw(member_id: int, message_class: MessageClass, conn: BaseDBAsyncClient) -> int:
    """Cancel ``member_id``'s pending messages of a class they just stopped (consent
    withdrawn, reminders off): a stop takes effect at once, not after what is queued."""
    return (
        await OutboxMessage.filter(
            member_id=member_id,
            status=OutboxStatus.PENDING,
            template__in=classes.templates_of(message_class),
        )
        .using_db(conn)
        .update(status=OutboxStatus.CANCELLED, error=f"{message_class} stopped")
    )


def new_message(
    *,
    chat_id: int,
    template: str,
    args: dict[str, Any] | None,
    kind: str,
    member: Member | None = None,
    member_id: int | None = None,
    language: str | None = None,
    dedupe_key: str | None = None,
    buttons: list[list[dict[str, str]]] | None = None,
    photo_file_id: str | None = None,
    broadcast_id: int | None = None,
    not_before: datetime | None = None,
) -> OutboxMessage:
    """The unsaved row of one queued message (bulk producers save many at once).

    ``member`` or just its ``member_id``; ``language`` defaults to the member's. The
    caller has asked the template's class (see the module's docstring).
    """
    classes.class_of(template)  # a template without a class is a bug, found here
    now = clock.now()
    return OutboxMessage(
        chat_id=chat_id,
        member_id=member.id if member is not None else member_id,
        kind=kind,
        template=template,
        args=args or {},
        language=language or (member.language if member else None),
        dedupe_key=dedupe_key,
        buttons=buttons,
        photo_file_id=photo_file_id,
        broadcast_id=broadcast_id,
        next_attempt_at=not_before or now,
        created_at=now,
    )
