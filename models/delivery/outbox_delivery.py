"""Delivery bookkeeping for the outbox: claiming due rows and recording what happened.

The sender (``scheduler.sender``) calls these around each Bot API call and never holds a
transaction while it talks to Telegram. Rows are claimed with a lease (``claimed_until``)
by one conditional ``UPDATE … RETURNING`` (``FOR UPDATE SKIP LOCKED`` on PostgreSQL;
:mod:`models.delivery.leases`), so two sender instances never claim the same row; a claim
that is neither recorded nor released (the process died) lapses when the lease ends and
the row is sent again. That is
the at-least-once window: a crash after Telegram accepted a message but before
:func:`mark_sent` / :func:`mark_sent_many` committed (the sender batches the latter; its
docstring gives the exact window).

Broadcast bookkeeping lives here too: exact counts from SQL, the once-only finish, and
:func:`cancel_broadcast`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.expressions import F
from tortoise.functions import Count

from models.delivery import leases
from models.delivery.inbox import Lag, lag_of
from models.store import audit, clock, sql
from models.store.db import connection, write_transaction
from models.store.tables import Broadcast, BroadcastStatus, Member, OutboxMessage, OutboxStatus

_ERROR_MAX = 500
BROADCAST_TEMPLATE = "broadcast-text"
"""Locale key of a broadcast delivery: ``args={"text": broadcast.text}`` (sent escaped)."""
QUEUE = leases.Queue("outbox_message", open="status = 'pending'")


async def claim_due(
    limit: int, lease_for: timedelta, *, holder: str | None = None
) -> list[OutboxMessage]:
    """Lease up to ``limit`` due rows to ``holder``; receipts and notices before broadcasts."""
    now = clock.now()
    # picked once (the helper's materialized CTE): as a plain ``IN (… LIMIT n FOR UPDATE
    # SKIP LOCKED)`` subquery PostgreSQL claimed every due row (5 of LIMIT 2), so a
    # broadcast's whole backlog was held by one cycle and a receipt queued after it waited
    # for the cycle's end
    rows = await leases.claim(
        QUEUE,
        owner=holder,
        limit=limit,
        lease=lease_for,
        due="c.next_attempt_at <= ?",
        params=[now],
        order_by="CASE WHEN c.broadcast_id IS NULL THEN 0 ELSE 1 END, c.next_attempt_at, c.id",
        now=now,
    )
    ids = [int(r["id"]) for r in rows]
    if not ids:
        return []
    found = {m.id: m for m in await OutboxMessage.filter(id__in=ids)}
    return sorted(
        found.values(), key=lambda m: (m.broadcast_id is not None, m.next_attempt_at, m.id)
    )


async def lag(now: datetime | None = None) -> Lag:
    """Messages due and not yet sent, and how long the oldest has been due."""
    now = now or clock.now()
    row = await sql.one(
        connection(),
        "SELECT COUNT(*) AS n, MIN(next_attempt_at) AS oldest FROM outbox_message"
        " WHERE status = 'pending' AND next_attempt_at <= ?",
        now,
    )
    return lag_of(row, now)


async def mark_sent(row_id: int, telegram_message_id: int | None) -> None:
    """Telegram accepted the message: record it (whatever happened to the row meanwhile)."""
    await OutboxMessage.filter(id=row_id).update(
        status=OutboxStatus.SENT,
        sent_at=clock.now(),
        telegram_message_id=telegram_message_id,
        attempts=F("attempts") + 1,
        claimed_until=None,
        error=None,
    )


_SENT_CHUNK = 500  # rows per statement: 2 parameters each stays far below any bind limit


async def mark_sent_many(sent: list[tuple[int, int | None]]) -> None:
    """Record many accepted messages (row id, Telegram message id) in one UPDATE per chunk.

    The same change as :func:`mark_sent` row by row; one statement instead of one per row
    is what lets a paid broadcast's 1000/s be recorded without the database capping it.
    """
    now = clock.now()
    for start in range(0, len(sent), _SENT_CHUNK):
        chunk = sent[start : start + _SENT_CHUNK]
        cases = " ".join("WHEN ? THEN CAST(? AS BIGINT)" for _ in chunk)
        marks = ", ".join("?" for _ in chunk)
        params: list[object] = [v for pair in chunk for v in pair]
        await sql.execute(
            connection(),
            "UPDATE outbox_message SET status = 'sent', sent_at = ?,"
            f" telegram_message_id = CASE id {cases} END,"
            " attempts = attempts + 1, claimed_until = NULL, error = NULL"
            f" WHERE id IN ({marks})",
            now,
            *params,
            *(row_id for row_id, _ in chunk),
        )


async def mark_blocked(row_id: int, member_id: int | None, error: str) -> None:
    """Telegram said 403: the row is done and the member unreachable until they write again."""
    async with write_transaction() as conn:
        await (
            OutboxMessage.filter(id=row_id)
            .using_db(conn)
            .update(
                status=OutboxStatus.BLOCKED,
                attempts=F("attempts") + 1,
                claimed_until=None,
                error=error[:_ERROR_MAX],
            )
        )
        if member_id is not None:
            await Member.filter(id=member_id).using_db(conn).update(reachable=False)


async def mark_failed(row_id: int, error: str) -> None:
    """Give the row up for good (attempts exhausted or a permanent error)."""
    await OutboxMessage.filter(id=row_id).update(
        status=OutboxStatus.FAILED,
        attempts=F("attempts") + 1,
        claimed_until=None,
        error=error[:_ERROR_MAX],
    )


async def retry_later(row_id: int, at: datetime, error: str) -> None:
    """Count a failed attempt and try again at ``at``."""
    await OutboxMessage.filter(id=row_id).update(
        attempts=F("attempts") + 1, next_attempt_at=at, claimed_until=None, error=error[:_ERROR_MAX]
    )


async def release(
    row_ids: list[int], not_before: datetime | None = None, *, holder: str | None = None
) -> None:
    """Hand claimed rows back without counting an attempt (flood wait, shutdown, chat limit).

    With a ``holder``, only rows it still holds: a row whose lease lapsed and that another
    sender claimed meanwhile keeps that sender's claim.
    """
    if not row_ids:
        return
    values = {"next_attempt_at": not_before} if not_before is not None else None
    await leases.release(QUEUE, owner=holder, ids=row_ids, values=values)


async def reset_claims() -> int:
    """The sender lease changed hands: free every row a previous sender had claimed.

    Only one sender runs at a time (it holds the ``sender`` lease), so claims left by
    another — a dead instance's, or this instance's from before a restart — are stale; the
    rows go out again now instead of when their 60 s claim would lapse.
    """
    return await leases.reset(QUEUE)


# ---- broadcasts ----


@dataclass(frozen=True)
class BroadcastCounts:
    """Exact delivery counts of one broadcast, from its outbox rows."""

    total: int
    pending: int
    sent: int
    failed: int
    blocked: int
    cancelled: int

    @property
    def done(self) -> int:
        return self.total - self.pending


async def broadcast_counts(broadcast_id: int) -> BroadcastCounts:
    rows = (
        await OutboxMessage.filter(broadcast_id=broadcast_id)
        .annotate(n=Count("id"))
        .group_by("status")
        .values_list("status", "n")
    )
    by_status = {str(status): int(n) for status, n in rows}
    return BroadcastCounts(
        total=sum(by_status.values()),
        pending=by_status.get(OutboxStatus.PENDING, 0),
        sent=by_status.get(OutboxStatus.SENT, 0),
        failed=by_status.get(OutboxStatus.FAILED, 0),
        blocked=by_status.get(OutboxStatus.BLOCKED, 0),
        cancelled=by_status.get(OutboxStatus.CANCELLED, 0),
    )


async def unfinished_broadcasts() -> list[Broadcast]:
    """Broadcasts being sent (or cancelled) whose delivery report is not written yet."""
    return await Broadcast.filter(
        status__in=[BroadcastStatus.SENDING, BroadcastStatus.CANCELLED], finished_at=None
    )


async def finish_broadcast(broadcast_id: int) -> bool:
    """Close a broadcast once nothing is pending; ``True`` for the one caller that closed it."""
    count = await sql.execute(
        connection(),
        "UPDATE broadcast SET finished_at = ?,"
        " status = CASE WHEN status = 'sending' THEN 'done' ELSE status END"
        " WHERE id = ? AND finished_at IS NULL AND status IN ('sending', 'cancelled')"
        " AND NOT EXISTS (SELECT 1 FROM outbox_message"
        "  WHERE broadcast_id = ? AND status = 'pending')",
        clock.now(),
        broadcast_id,
        broadcast_id,
    )
    return count > 0


@dataclass(frozen=True)
class BroadcastCancelled:
    """Pending deliveries were withdrawn; ``withdrawn`` of them (sent ones stay sent)."""

    withdrawn: int


@dataclass(frozen=True)
class BroadcastNotCancellable:
    """The broadcast had already finished (or never existed: ``status`` is ``None``)."""

    status: str | None


async def cancel_broadcast(
    broadcast_id: int, *, actor_telegram_id: int | None = None, actor_kind: str | None = None
) -> BroadcastCancelled | BroadcastNotCancellable:
    """Stop a broadcast: its pending rows become ``cancelled``; the report still follows.

    A row already handed to Telegram by a sender is recorded as sent if Telegram accepts it.
    A broadcast that never started is closed at once (there is no report to write). With
    an ``actor_kind`` the cancel is audited in its own transaction (both or neither).
    """
    async with write_transaction() as conn:
        broadcast = await Broadcast.filter(id=broadcast_id).using_db(conn).first()
        live = (BroadcastStatus.DRAFT, BroadcastStatus.SCHEDULED, BroadcastStatus.SENDING)
        if broadcast is None or broadcast.status not in live:
            return BroadcastNotCancellable(broadcast.status if broadcast else None)
        started = broadcast.status == BroadcastStatus.SENDING
        await (
            Broadcast.filter(id=broadcast_id)
            .using_db(conn)
            .update(
                status=BroadcastStatus.CANCELLED,
                finished_at=None if started else clock.now(),
            )
        )
        withdrawn = (
            await OutboxMessage.filter(broadcast_id=broadcast_id, status=OutboxStatus.PENDING)
            .using_db(conn)
            .update(status=OutboxStatus.CANCELLED, claimed_until=None)
        )
        if actor_kind is not None:
            await audit.record(
                "broadcast.cancel",
                actor_telegram_id=actor_telegram_id,
                actor_kind=actor_kind,
                target=f"broadcast:{broadcast_id}",
                details={"withdrawn": withdrawn},
                using_db=conn,
            )
    return BroadcastCancelled(withdrawn)
