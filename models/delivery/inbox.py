"""The inbox: Telegram updates stored before they are acknowledged, processed by any instance.

The twin of the outbox (DESIGN.md "the inbox"). :func:`store` is the only thing done before
the webhook answers 200 (or before the poller asks Telegram for the next batch): one
``INSERT … ON CONFLICT DO NOTHING`` keyed by ``update_id``, so a redelivered update is
stored once. :func:`claim` hands out the *head* of each chat — the oldest unfinished update
whose chat has no older unfinished one — with a lease, in one ``UPDATE … RETURNING``
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL; :mod:`models.delivery.leases`), so one chat's
updates are processed one at a time and in order across every instance, while other chats
go in parallel. An instance
renews its claims with its heartbeat (:func:`renew`); if it dies, its claims lapse after the
lease and another instance takes them over: at-least-once, which handlers survive through
idempotency keys and pending actions.

Why not procrastinate or pgqueuer: both are PostgreSQL-only (jifen must run on SQLite with
one instance), and neither orders a queue per key across workers without holding a session
lock per chat; this is the outbox's own claim and lease (one helper for both, and for webhook
deliveries), three statements an update.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from models.delivery import leases
from models.store import clock, sql
from models.store.db import connection
from models.store.tables import InboxUpdate

QUEUE = leases.Queue("inbox_update", open="done_at IS NULL")

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
    rows = await leases.claim(
        QUEUE,
        owner=holder,
        limit=limit,
        lease=lease,
        # a chat's head: no older unfinished update of the same chat
        due="NOT EXISTS (SELECT 1 FROM inbox_update o WHERE o.chat_key = c.chat_key"
        " AND o.done_at IS NULL AND o.update_id < c.update_id)",
        order_by="c.update_id",
        bump="attempts = attempts + 1",
        returning="update_id, payload",
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
    return await leases.renew(QUEUE, holder, lease)


async def release(holder: str) -> int:
    """Hand back ``holder``'s unfinished claims at once (clean stop, or a restart of it)."""
    return await leases.release(QUEUE, owner=holder)


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
    return lag_of(row, now)


def lag_of(row: dict[str, Any] | None, now: datetime) -> Lag:
    """A queue's :class:`Lag` from a row of ``n`` (a count) and ``oldest`` (a time)."""
    oldest = sql.as_datetime(row["oldest"]) if row else None
    if row is None or oldest is None:
        return Lag(0, 0.0)
    return Lag(int(row["n"]), max(0.0, (now - oldest).total_seconds()))


async def prune(now: datetime | None = None) -> int:
    """Forget updates finished more than :data:`KEEP_DONE` ago."""
    cutoff = (now or clock.now()) - KEEP_DONE
    return await InboxUpdate.filter(done_at__lt=cutoff).delete()
