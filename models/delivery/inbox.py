"""The inbox: Telegram updates stored before they are acknowledged, processed by any instance.

The twin of the outbox (DESIGN.md "the inbox"). :func:`store` is the only thing done before
the webhook answers 200 (or before the poller asks Telegram for the next batch): one
``INSERT … ON CONFLICT DO NOTHING`` keyed by ``update_id``, so a redelivered update is
stored once. :func:`claim` hands out the *head* of each chat — the oldest unfinished update
whose chat has no older unfinished one — with a lease, in one ``UPDATE … RETURNING``
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL), so one chat's updates are processed one at a
time and in order across every instance, while other chats go in parallel. An instance
renews its claims with its heartbeat (:func:`renew`); if it dies, its claims lapse after the
lease and another instance takes them over: at-least-once, which handlers survive through
idempotency keys and pending actions.

Why not procrastinate or pgqueuer: both are PostgreSQL-only (jifen must run on SQLite with
one instance), and neither orders a queue per key across workers without holding a session
lock per chat; this is the outbox's own claim-and-lease shape, three statements an update.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from models.store import clock, sql
from models.store.db import connection
from models.store.tables import InboxUpdate

KEEP_DONE = timedelta(days=1)
"""Finished updates are kept this long, so a redelivery by Telegram is still recognized."""


@dataclass(frozen=True)
class Claimed:
    """An update this instance now processes (``payload`` is Telegram's JSON text)."""

    update_id: int
    payload: str


async def store(update_id: int, chat_key: str, payload: str) -> bool:
    """Keep the update; ``False`` if it was already stored (a redelivery)."""
    rows = await sql.rows(
        connection(),
        "INSERT INTO inbox_update (update_id, chat_key, payload, received_at, attempts)"
        " VALUES (?, ?, ?, ?, 0) ON CONFLICT (update_id) DO NOTHING RETURNING id",
        update_id,
        chat_key,
        payload,
        clock.now(),
    )
    return bool(rows)


async def claim(holder: str, limit: int, lease: timedelta) -> list[Claimed]:
    """Lease up to ``limit`` chat heads to ``holder``, oldest first."""
    now = clock.now()
    skip_locked = " FOR UPDATE SKIP LOCKED" if sql.pg() else ""
    # The heads are picked once (a materialized CTE): PostgreSQL may otherwise run an
    # ``IN (… LIMIT n FOR UPDATE SKIP LOCKED)`` subquery again per row and claim more
    # than ``limit`` (seen: 3 of LIMIT 2).
    rows = await sql.rows(
        connection(),
        "WITH heads AS MATERIALIZED (SELECT u.id FROM inbox_update u"
        " WHERE u.done_at IS NULL AND (u.claimed_until IS NULL OR u.claimed_until < ?)"
        " AND NOT EXISTS (SELECT 1 FROM inbox_update o WHERE o.chat_key = u.chat_key"
        "  AND o.done_at IS NULL AND o.update_id < u.update_id)"
        f" ORDER BY u.update_id LIMIT ?{skip_locked})"
        " UPDATE inbox_update SET claimed_by = ?, claimed_until = ?, attempts = attempts + 1"
        " WHERE id IN (SELECT id FROM heads)"
        " AND done_at IS NULL AND (claimed_until IS NULL OR claimed_until < ?)"
        " RETURNING update_id, payload",
        now,
        limit,
        holder,
        now + lease,
        now,
    )
    return sorted((Claimed(int(r["update_id"]), str(r["payload"])) for r in rows), key=_by_id)


def _by_id(claimed: Claimed) -> int:
    return claimed.update_id


async def finish(update_id: int, holder: str) -> bool:
    """The update was processed; ``False`` if ``holder`` had lost the claim meanwhile."""
    count = await sql.execute(
        connection(),
        "UPDATE inbox_update SET done_at = ?, claimed_until = NULL"
        " WHERE update_id = ? AND claimed_by = ? AND done_at IS NULL",
        clock.now(),
        update_id,
        holder,
    )
    return count > 0


async def renew(holder: str, lease: timedelta) -> int:
    """Extend every claim ``holder`` still has (its heartbeat); how many."""
    return await sql.execute(
        connection(),
        "UPDATE inbox_update SET claimed_until = ? WHERE claimed_by = ? AND done_at IS NULL"
        " AND claimed_until IS NOT NULL",
        clock.now() + lease,
        holder,
    )


async def release(holder: str) -> int:
    """Hand back ``holder``'s unfinished claims at once (clean stop, or a restart of it)."""
    return await sql.execute(
        connection(),
        "UPDATE inbox_update SET claimed_until = NULL WHERE claimed_by = ? AND done_at IS NULL",
        holder,
    )


@dataclass(frozen=True)
class Lag:
    """How far behind the inbox is: unfinished updates and the age of the oldest."""

    pending: int
    oldest_seconds: float


async def lag(now: datetime | None = None) -> Lag:
    now = now or clock.now()
    row = await sql.one(
        connection(),
        "SELECT COUNT(*) AS n, MIN(received_at) AS oldest FROM inbox_update WHERE done_at IS NULL",
    )
    assert row is not None
    oldest = row["oldest"]
    if oldest is None:
        return Lag(0, 0.0)
    if isinstance(oldest, str):
        oldest = datetime.fromisoformat(oldest)
    return Lag(int(row["n"]), max(0.0, (now - oldest).total_seconds()))


async def prune(now: datetime | None = None) -> int:
    """Forget updates finished more than :data:`KEEP_DONE` ago."""
    cutoff = (now or clock.now()) - KEEP_DONE
    return await InboxUpdate.filter(done_at__lt=cutoff).delete()
