"""Migration 0009 records who was already asked the consent question: everyone who joined
in Telegram, except those a join link let skip it (unless they had said yes)."""

from __future__ import annotations

import pytest
from tortoise import Tortoise
from tortoise.migrations.api import migrate as run_migrations

from models.store import clock, db, sql
from models.store.tables import Member

_OLD_MEMBER = (
    "INSERT INTO member (id, telegram_id, code, card_token, referral_code, first_name,"
    " last_name, language, marketing_opt_in, notifications_enabled, reachable, tier,"
    " balance, created_at, enrolled) VALUES (?, ?, ?, ?, ?, '', '', 'en', ?, ?, ?, 'member',"
    " 0, ?, ?)"
)
_USED_LINK = (
    "INSERT INTO join_link (token, member_id, created_by, created_at, used_by, used_at)"
    " VALUES (?, ?, 'cli', ?, ?, ?)"
)


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
async def test_who_was_asked_before(database_url: str) -> None:
    config = db.tortoise_config(database_url)
    await run_migrations(
        config=config, target="models.0008_enrolled_members_and_broadcast_versions"
    )
    await db.close_store()
    await Tortoise.init(config=config)
    now = clock.now()
    people = {  # id: (telegram id, opted in, enrolled, joined by a link)
        1: (501, False, True, False),  # joined by /start and the phone: asked, said no
        2: (502, False, True, True),  # a join link skipped the question
        3: (503, True, True, True),  # ... but they said yes later in /profile
        4: (None, True, True, False),  # imported, never in Telegram
        5: (505, False, False, False),  # staff, not a member
    }
    try:
        conn = db.connection()
        for mid, (tg, yes, enrolled, linked) in people.items():
            await sql.execute(
                conn,
                _OLD_MEMBER,
                mid,
                tg,
                f"C{mid}",
                f"t{mid}",
                f"r{mid}",
                yes,
                True,
                True,
                now,
                enrolled,
            )
            if linked:
                await sql.execute(conn, _USED_LINK, f"j{mid}", mid, now, tg, now)
    finally:
        await db.close_store()
    await db.migrate(database_url)
    await db.open_store(database_url, apply_migrations=False)
    try:
        asked = set(
            await Member.filter(marketing_consent_at__not_isnull=True).values_list("id", flat=True)
        )
        assert asked == {1, 3}
    finally:
        await db.close_store()
