"""Migration 0005 gives purchases the API recorded before it the key that recorded them
(read from their ledger key ``api:<prefix>:…``), so their order ids stay refundable."""

from __future__ import annotations

import pytest
from tortoise import Tortoise
from tortoise.migrations.api import migrate as run_migrations

from models.access import api_keys
from models.store import clock, db, sql
from models.store.tables import Purchase

_OLD_PURCHASE = (
    "INSERT INTO purchase (member_id, receipt_code, order_id, idempotency_key, amount_minor,"
    " currency, category, items, location, channel, staff_telegram_id, points_awarded,"
    " refunded_minor, points_reversed, created_at)"
    " VALUES (?, ?, ?, ?, 1000, 'CNY', NULL, '[]', NULL, ?, NULL, 10, 0, 0, ?)"
)


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
async def test_old_api_purchases_get_their_key(database_url: str) -> None:
    config = db.tortoise_config(database_url)
    await run_migrations(config=config, target="models.0004_webhooks")
    await db.close_store()
    await Tortoise.init(config=config)
    try:
        key = await api_keys.create("Old till")
        assert isinstance(key, api_keys.ApiKeyCreated)
        conn = db.connection()
        # a member row as the schema of 0004 has it (today's model has later columns)
        await sql.execute(
            conn,
            "INSERT INTO member (id, telegram_id, code, card_token, referral_code, first_name,"
            " last_name, language, marketing_opt_in, notifications_enabled, reachable, tier,"
            " balance, created_at) VALUES (1, 501, 'OLD1', 'tok501', 'ref501', 'Old', '', 'en',"
            " ?, ?, ?, 'member', 0, ?)",
            False,
            True,
            True,
            clock.now(),
        )
        member = type("Old", (), {"id": 1})
        for receipt, ledger_key, channel in (
            ("R-AAAA-2222", f"api:{key.prefix}:order:1001", "api"),
            ("R-AAAA-3333", "api:ffffffff:order:1001", "api"),  # a key that is gone
            ("R-AAAA-4444", "till:9:77", "telegram"),
        ):
            await sql.execute(
                conn, _OLD_PURCHASE, member.id, receipt, "1001", ledger_key, channel, clock.now()
            )
    finally:
        await db.close_store()
    await db.migrate(database_url)
    await db.open_store(database_url, apply_migrations=False)
    try:
        owners = {p.receipt_code: p.api_key_id for p in await Purchase.all()}  # type: ignore[attr-defined]
        assert owners == {"R-AAAA-2222": key.key_id, "R-AAAA-3333": None, "R-AAAA-4444": None}
    finally:
        await db.close_store()
