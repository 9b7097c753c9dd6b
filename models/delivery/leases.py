"""Claim-and-lease: the one way the inbox, the outbox and webhook deliveries hand out rows.

A queue row is claimed by setting a lease, ``claimed_until``, and (where the table has the
column) an owner, ``claimed_by``. A row is claimable while it is open (the queue's own
"not finished" condition), due (the queue's own eligibility rule) and not leased, or its
lease has lapsed: a dead owner's rows are taken over by the next claim after its lease ends,
with no other step. The owner keeps a long piece of work by :func:`renew`, hands rows back
early by :func:`release`, and :func:`reset` frees every owner's claims at once (a queue with
a single worker under a store lease, when that lease changes hands).

Why one helper. The three queues carried three copies of the same claim: they had drifted
(the inbox's and the outbox's picked their rows once, in a materialized CTE, after
PostgreSQL was seen running an ``IN (… LIMIT n FOR UPDATE SKIP LOCKED)`` subquery again and
claiming more than ``n`` rows — 5 of ``LIMIT 2`` for the outbox; the webhook claim still had
that shape). Here the statement is written once, and what differs per queue is a parameter:
the table, its "open" condition, the "due" rule, the ORDER BY, extra assignments, and the
columns returned. The queues keep their rules (the inbox's per chat in order, the outbox's
receipts before broadcasts, the webhooks' per endpoint and member in order) and their
outcome bookkeeping (finish, mark sent, record failure), which are theirs alone.

The claim, one statement::

    WITH picked AS MATERIALIZED (
      SELECT c.id FROM <table> c
      WHERE <open> AND (claimed_until IS NULL OR claimed_until < :now) AND <due>
      ORDER BY <order_by> LIMIT :limit [FOR UPDATE SKIP LOCKED])
    UPDATE <table> SET claimed_until = :now + lease [, claimed_by = :owner] [, <bump>]
    WHERE id IN (SELECT id FROM picked)
      AND <open> AND (claimed_until IS NULL OR claimed_until < :now)
    RETURNING <returning>

Guarantees. Two owners never claim the same row: on PostgreSQL the picked rows are locked
(``FOR UPDATE SKIP LOCKED``, so concurrent claims pick past each other instead of waiting)
and the UPDATE checks the lease again; SQLite serializes writers. The CTE is materialized
so the rows are picked once and a claim never takes more than ``limit``. ``due`` and
``order_by`` name the candidate row ``c`` (:data:`ROW`); ``open`` is written on unqualified
columns, as it is used both inside the pick and in the UPDATE. Placeholders are ``?`` and
datetimes are bound through :mod:`models.store.sql`, so the statements run on both
databases.

Not to be confused with :mod:`scheduler.leases`: those are an instance's named leases
(the sender, the poller, scheduler jobs), one row each; these are leases on queue rows.
The worker loop that drives each queue is :mod:`scheduler.worker`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from models.store import clock, sql
from models.store.db import connection

ROW = "c"
"""The candidate row's alias in a claim's ``due`` and ``order_by``."""
_CHUNK = 500  # ids per statement when releasing a list: far below any bind limit


@dataclass(frozen=True)
class Queue:
    """A table whose rows are claimed under a lease (``id``, ``claimed_until`` columns)."""

    table: str
    open: str
    """SQL true of a row still to be done, on unqualified columns (``done_at IS NULL``)."""
    owned: bool = True
    """The table names each claim's owner in ``claimed_by`` (webhook deliveries do not)."""


_LAPSED = "(claimed_until IS NULL OR claimed_until < ?)"


async def claim(
    queue: Queue,
    *,
    limit: int,
    lease: timedelta,
    order_by: str,
    owner: str | None = None,
    due: str = "",
    params: Sequence[Any] = (),
    bump: str = "",
    returning: str = "id",
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """Lease up to ``limit`` open, due, unleased (or lapsed) rows to ``owner``; their
    ``returning`` columns, in no particular order.

    ``due`` is an SQL condition on the candidate row ``c`` with ``params`` for its ``?``;
    ``bump`` adds assignments to the UPDATE (``attempts = attempts + 1``); ``now`` is the
    instant the lease is judged at (give the one ``params`` were computed with).
    """
    if owner is not None and not queue.owned:
        raise ValueError(f"{queue.table} has no owner column")
    now = now or clock.now()
    skip_locked = " FOR UPDATE SKIP LOCKED" if sql.pg() else ""
    sets = ["claimed_until = ?"]
    values: list[Any] = [now + lease]
    if queue.owned:
        sets.append("claimed_by = ?")
        values.append(owner)
    if bump:
        sets.append(bump)
    eligible = f" AND {due}" if due else ""
    return await sql.rows(
        connection(),
        f"WITH picked AS MATERIALIZED (SELECT {ROW}.id FROM {queue.table} {ROW}"
        f" WHERE {queue.open} AND {_LAPSED}{eligible}"
        f" ORDER BY {order_by} LIMIT ?{skip_locked})"
        f" UPDATE {queue.table} SET {', '.join(sets)}"
        f" WHERE id IN (SELECT id FROM picked) AND {queue.open} AND {_LAPSED}"
        f" RETURNING {returning}",
        now,
        *params,
        limit,
        *values,
        now,
    )


async def renew(queue: Queue, owner: str, lease: timedelta) -> int:
    """Extend every open claim ``owner`` still has to ``now + lease``; how many.

    Only the owner's rows: a row whose lease lapsed and that another owner claimed since
    is that owner's now."""
    _owned(queue)
    return await sql.execute(
        connection(),
        f"UPDATE {queue.table} SET claimed_until = ?"
        f" WHERE claimed_by = ? AND {queue.open} AND claimed_until IS NOT NULL",
        clock.now() + lease,
        owner,
    )


async def release(
    queue: Queue,
    *,
    owner: str | None = None,
    ids: Sequence[int] | None = None,
    values: Mapping[str, Any] | None = None,
) -> int:
    """Hand open claimed rows back at once (no attempt counted); how many.

    ``owner``: only rows it still holds (every one of them unless ``ids`` narrows it);
    without one, the rows ``ids`` whoever holds them. ``values`` are further columns set
    on the way (``next_attempt_at``)."""
    if owner is None and ids is None:
        raise ValueError("release needs an owner or row ids")  # reset() frees everything
    if owner is not None:
        _owned(queue)
    changes = {"claimed_until": None, **(values or {})}
    sets = ", ".join(f"{column} = ?" for column in changes)
    where = f"{queue.open}" + (" AND claimed_by = ?" if owner is not None else "")
    head = [*changes.values(), *([owner] if owner is not None else [])]
    if ids is None:
        return await sql.execute(
            connection(), f"UPDATE {queue.table} SET {sets} WHERE {where}", *head
        )
    count = 0
    for start in range(0, len(ids), _CHUNK):
        chunk = list(ids[start : start + _CHUNK])
        marks = ", ".join("?" for _ in chunk)
        count += await sql.execute(
            connection(),
            f"UPDATE {queue.table} SET {sets} WHERE {where} AND id IN ({marks})",
            *head,
            *chunk,
        )
    return count


async def reset(queue: Queue) -> int:
    """Free every owner's open claims now (owner forgotten too); how many.

    For a queue worked by one owner at a time under a store lease: when that lease
    changes hands, the previous owner's claims are stale and need not wait to lapse."""
    _owned(queue)
    return await sql.execute(
        connection(),
        f"UPDATE {queue.table} SET claimed_until = NULL, claimed_by = NULL"
        f" WHERE {queue.open} AND claimed_by IS NOT NULL",
    )


def _owned(queue: Queue) -> None:
    if not queue.owned:
        raise ValueError(f"{queue.table} has no owner column")
