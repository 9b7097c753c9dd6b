"""Bonuses for what a member does in the bot: joining, completing the profile, opting in
to offers, the first Mini App visit. Each is off until ``rules.bonuses.<kind>`` is set
and paid once per member, whatever happens afterwards (an opt-out and opt-in again, a
second phone): the entry's key is ``bonus:action:<kind>:<member>``.

:func:`award` runs inside the cause's own write transaction (the member row is locked
first there, as in every ledger operation), so the cause and its bonus commit together;
:func:`award_once` is its own transaction, for a cause that writes nothing else (a visit).
"""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

from models.ledger import rule_versions
from models.ledger.dates import expiry_for
from models.ledger.postings import credit
from models.store import clock, locks
from models.store.db import write_transaction
from models.store.tables import EntryKind, LedgerEntry

KINDS = ("joined", "profile", "offers", "miniapp")


def key_for(kind: str, member_id: int) -> str:
    return f"bonus:action:{kind}:{member_id}"


async def award(conn: BaseDBAsyncClient, member_id: int, kind: str, *, tz: str = "UTC") -> int:
    """Pay the ``kind`` bonus to the member inside ``conn``'s transaction; the points (0
    when it is off, already paid, or the member is gone)."""
    assert kind in KINDS, kind
    version, rules = await rule_versions.current(conn)
    points = getattr(rules.bonuses, kind)
    if points <= 0:
        return 0
    member = await locks.member(conn, member_id)
    key = key_for(kind, member_id)
    if member is None or member.deleted_at is not None:
        return 0
    if await LedgerEntry.filter(idempotency_key=key).using_db(conn).exists():
        return 0
    now = clock.now()
    await credit(
        conn,
        member,
        points,
        kind=EntryKind.BONUS,
        key=key,
        expires_at=expiry_for(now, rules.expiry, tz),
        now=now,
        reason=f"action:{kind}",
        rule_version_id=version.id,
        channel="telegram",
    )
    return points


async def award_once(member_id: int, kind: str, *, tz: str = "UTC") -> int:
    """:func:`award` as its own write transaction; a cheap read answers when it is off
    or already paid, so calling it on every visit costs no write."""
    _, rules = await rule_versions.current()
    if getattr(rules.bonuses, kind) <= 0:
        return 0
    if await LedgerEntry.filter(idempotency_key=key_for(kind, member_id)).exists():
        return 0
    async with write_transaction() as conn:
        return await award(conn, member_id, kind, tz=tz)
