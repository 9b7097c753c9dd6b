"""Queueing messages the bot starts; delivery is ``scheduler.sender``'s job.

Call :func:`enqueue` inside the transaction that causes the message (a purchase, a
redemption, a reminder run), so the message exists exactly when its cause does. A hot
path that writes its cause through a ``models.ledger.journal.Journal`` inserts
:func:`new_message` there instead (it travels with the cause's other rows).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from models.store import clock
from models.store.tables import Member, OutboxMessage


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
    """Queue one message (a locale key + arguments); ``None`` if ``dedupe_key`` was used.

    ``language`` defaults to the member's; the sender renders the text at delivery.
    ``buttons`` are rows of ``{"text_key"|"text": ..., "url"|"callback": ...}``.
    """
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

    ``member`` or just its ``member_id``; ``language`` defaults to the member's.
    """
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
