"""Forgetting a person: after a privacy delete no table holds their Telegram id.

``members.delete_account`` clears the member row; this module clears what points at the
person from elsewhere, in the same transaction:

- the outbox: messages still pending to them are cancelled (a broadcast queued a minute
  earlier is never delivered), and no row keeps their chat id or message arguments; a
  referrer's notice loses the friend's name;
- their conversation state (``chat_flow``: awaited input, drafts they typed) is deleted;
- every other column that holds a Telegram user id, found by name in every table
  (``telegram_id``, ``*_telegram_id``, ``chat_id``, ``*_chat_id``, ``*_by``), so a table
  added later is covered without being listed here. A nullable column becomes NULL, a
  required one 0 (``-member id`` where it must be unique).

Someone who is also active staff keeps their staff identity: their role, and the facts of
what they did as staff (purchases they recorded, audit rows of their staff actions).
"""

from __future__ import annotations

from typing import Any

from tortoise import Tortoise
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model

from models.store.tables import AuditLog, ChatFlow, Member, OutboxMessage, OutboxStatus, StaffRole

_SUFFIXES = ("telegram_id", "chat_id", "_by")


def person_columns(model: type[Model]) -> list[dict[str, Any]]:
    """The integer columns of ``model`` that hold a Telegram user (or chat) id."""
    described = model.describe(serializable=False)
    return [
        field
        for field in described["data_fields"]
        if field["python_type"] is int and field["name"].endswith(_SUFFIXES)
    ]


async def forget_person(conn: BaseDBAsyncClient, telegram_id: int, member_id: int) -> None:
    """Cancel messages to ``telegram_id`` and clear it from every table (see module doc)."""
    mine = OutboxMessage.filter(chat_id=telegram_id).using_db(conn)
    await mine.filter(status=OutboxStatus.PENDING).update(
        status=OutboxStatus.CANCELLED, error="member deleted"
    )
    await mine.update(args={}, buttons=None)
    referral = await OutboxMessage.get_or_none(dedupe_key=f"referral:{member_id}").using_db(conn)
    if referral is not None and "friend" in referral.args:
        args = {**referral.args, "friend": ""}
        await OutboxMessage.filter(id=referral.id).using_db(conn).update(args=args)
    await ChatFlow.filter(telegram_id=telegram_id).using_db(conn).delete()
    staff = await StaffRole.filter(telegram_id=telegram_id, active=True).using_db(conn).exists()
    if staff:
        await (
            AuditLog.filter(actor_telegram_id=telegram_id, target=f"member:{member_id}")
            .using_db(conn)
            .update(actor_telegram_id=None)
        )
        await OutboxMessage.filter(chat_id=telegram_id).using_db(conn).update(chat_id=0)
        return
    for model in Tortoise.apps["models"].values():
        if model is Member:
            continue
        for field in person_columns(model):
            name = field["name"]
            if field["nullable"]:
                cleared: int | None = None
            else:
                cleared = -member_id if field["unique"] else 0
            await model.filter(**{name: telegram_id}).using_db(conn).update(**{name: cleared})
