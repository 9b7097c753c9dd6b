"""A privacy delete leaves nobody identifiable: every column of every table is searched
for the person's Telegram id, phone and names, on both databases."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from models import ledger
from models.conversation import flows, pending
from models.delivery import outbox
from models.members import membership, privacy, referrals
from models.store import db
from models.store.tables import AuditLog, Member, OutboxMessage, OutboxStatus

TELEGRAM_ID = 7000123457
PHONE = "+15550009876"
NAMES = ("Quintessa", "Vexleyworth", "qvex_handle")


async def every_row() -> list[tuple[str, dict[str, Any]]]:
    """``(table, row)`` for every row of every table, read as the database holds it."""
    conn = db.connection()
    if db.dialect() == "sqlite":
        listing = "SELECT name AS t FROM sqlite_master WHERE type = 'table'"
    else:
        listing = "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public'"
    tables = [row["t"] for row in await conn.execute_query_dict(listing)]
    assert "member" in tables and "outbox_message" in tables
    rows = []
    for table in tables:
        for row in await conn.execute_query_dict(f'SELECT * FROM "{table}"'):
            rows.append((table, row))
    return rows


async def traces(*needles: str) -> list[str]:
    found = []
    for table, row in await every_row():
        for column, value in row.items():
            text = str(value)
            found += [f"{table}.{column}: {n}" for n in needles if n in text]
    return found


async def test_delete_leaves_no_telegram_id_phone_or_name(store: str) -> None:
    referrer, _ = await membership.ensure_member(7000999001, first_name="Ron")
    quin, _ = await membership.ensure_member(
        TELEGRAM_ID, first_name=NAMES[0], last_name=NAMES[1], username=NAMES[2]
    )
    await membership.set_phone(quin.id, PHONE)
    await membership.set_preferences(quin.id, marketing=True)  # so a broadcast reaches them
    attached = await referrals.attach_referrer(quin.id, referrer.referral_code, bonus_points=50)
    assert isinstance(attached, referrals.ReferrerAttached)
    await membership.regenerate_card(quin.id, actor_telegram_id=TELEGRAM_ID)  # audited as actor
    await ledger.earn_for_purchase(quin.id, 10000, "CNY", idempotency_key="p1")  # receipt
    quin = await Member.get(id=quin.id)
    await outbox.enqueue(  # a broadcast queued a minute before the delete
        chat_id=TELEGRAM_ID,
        template="broadcast-text",
        args={"text": "hi"},
        kind="broadcast",
        member=quin,
    )
    # a half-done conversation (a draft they typed) and a confirm step waiting on them
    assert await flows.save(flows.Flow(TELEGRAM_ID, {"draft": f"{NAMES[0]} {PHONE}"}))
    await pending.create(TELEGRAM_ID, TELEGRAM_ID, "member-delete", {}, timedelta(hours=1))
    digits = PHONE.lstrip("+")
    needles = (str(TELEGRAM_ID), digits, *NAMES)
    assert len(await traces(*needles)) >= 6  # the search does see them before

    await privacy.delete_account(quin.id, actor_telegram_id=TELEGRAM_ID)

    assert await traces(*needles) == []
    to_them = OutboxMessage.filter(member_id=quin.id)
    assert await to_them.filter(status=OutboxStatus.PENDING).count() == 0
    assert await to_them.filter(status=OutboxStatus.CANCELLED).count() >= 2
    deleted = await AuditLog.get(action="member.delete")
    assert deleted.target == f"member:{quin.id}" and deleted.actor_telegram_id is None
    # the referrer is still themselves, and still gets their messages
    assert await OutboxMessage.filter(chat_id=7000999001).count() == 1
    assert (await Member.get(id=referrer.id)).telegram_id == 7000999001
    # deleting again changes nothing and says so
    assert (await privacy.delete_account(quin.id, actor_telegram_id=None)).replayed
