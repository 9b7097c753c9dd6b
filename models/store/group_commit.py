"""Group commit: concurrent keyed write operations of this process share ONE transaction.

SQLite has one writer at a time, so concurrent operations of a process queue for the
write lock anyway; each then pays its own ``BEGIN IMMEDIATE`` and its own ``COMMIT``
(which writes every page the operation dirtied to the WAL: the member's page, the index
pages of entries, lots and the outbox, again and again). Here, whoever arrives while a
group is being written waits for the next group; a group runs its operations one after
another inside one write transaction, each in its own ``SAVEPOINT``, so:

- a refusal (``_Reject``), a unique-key race (``IntegrityError``) or a bug in one
  operation rolls back to its savepoint: only its own writes go, the others stay;
- every caller is answered after the group's one ``COMMIT`` (or all get its error), so
  an answer is as durable as before, and an idempotency key is looked up by the next
  operation of the same group exactly as it would be after a commit (same transaction);
- a caller cancelled while it waits still has its operation written (it is keyed: a
  retry gets the first answer).

On by default on SQLite; off on PostgreSQL, where operations on different members run
in parallel on pool connections and one shared transaction would serialize them
(:func:`configure` turns it on there too, which the store tests do to cover the path on
both databases). An operation started inside a transaction (this context already holds
one) runs in place, as a savepoint of that transaction, never queued behind itself.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient, TransactionalDBClient

from models.store import db, sql

T = TypeVar("T")
Operation = Callable[[BaseDBAsyncClient], Awaitable[Any]]
log = logging.getLogger(__name__)

MAX_GROUP = 32
"""Operations per transaction at most (the write lock is held for the whole group)."""

_enabled: bool | None = None  # None: by dialect
_queue: list[tuple[Operation, asyncio.Future[Any]]] = []
_leader: asyncio.Task[None] | None = None
_names = itertools.count(1)


@dataclass
class Stats:
    """Groups written and operations in them, since the store opened (tests, benches)."""

    groups: int = 0
    operations: int = 0


stats = Stats()


def configure(enabled: bool | None) -> None:
    """Force group commit on or off; ``None`` chooses by dialect (on for SQLite only)."""
    global _enabled
    _enabled = enabled


def enabled() -> bool:
    return db.dialect() == "sqlite" if _enabled is None else _enabled


def _forget() -> None:
    global _leader, stats
    _queue.clear()
    _leader = None
    stats = Stats()


db.on_close(_forget)


async def run(op: Callable[[BaseDBAsyncClient], Awaitable[T]]) -> T:
    """Run ``op(conn)`` in a write transaction: alone, or in a savepoint of a group."""
    if isinstance(db.connection(), TransactionalDBClient):
        # already inside a transaction (an operation within an operation): a savepoint here
        return await _in_savepoint(db.connection(), op)
    if not enabled():
        async with db.write_transaction() as conn:
            return await op(conn)
    global _leader
    future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
    _queue.append((op, future))
    if _leader is None or _leader.done():
        # (this context holds no transaction, checked above: the leader's copy neither)
        _leader = asyncio.create_task(_lead())
    return await future


async def _in_savepoint(
    conn: BaseDBAsyncClient, op: Callable[[BaseDBAsyncClient], Awaitable[T]]
) -> T:
    """``op`` in a savepoint of ``conn``'s transaction; its writes undone if it raises.

    A savepoint that succeeded is not released: the transaction's COMMIT keeps its
    writes all the same, and a group saves one round trip per operation.
    """
    name = f"op{next(_names)}"
    await sql.execute(conn, f"SAVEPOINT {name}")
    try:
        return await op(conn)
    except BaseException:
        await sql.execute(conn, f"ROLLBACK TO SAVEPOINT {name}")
        raise


async def _lead() -> None:
    """Write groups until the queue is empty."""
    while _queue:
        group = _queue[:MAX_GROUP]
        del _queue[:MAX_GROUP]
        outcomes: list[tuple[bool, Any]] = []
        try:
            async with db.write_transaction() as conn:
                for op, _ in group:
                    try:
                        outcomes.append((True, await _in_savepoint(conn, op)))
                    except Exception as exc:  # the caller's to handle, after the COMMIT
                        outcomes.append((False, exc))
        except Exception as exc:  # BEGIN or COMMIT failed: the group's writes are gone
            for _, future in group:
                if not future.done():
                    future.set_exception(exc)
            continue
        except BaseException:  # cancelled (the process is stopping): rolled back, unanswered
            for _, future in [*group, *_queue]:
                future.cancel()
            _queue.clear()
            raise
        stats.groups += 1
        stats.operations += len(group)
        for (_, future), (ok, value) in zip(group, outcomes, strict=True):
            if future.done():  # the caller was cancelled; its operation is written anyway
                continue
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)
