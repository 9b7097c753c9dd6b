"""SQLite engine for Tortoise whose write transactions start with ``BEGIN IMMEDIATE``.

A plain ``BEGIN`` takes the write lock only at the first write, so two processes that
both read first can deadlock and one gets "database is locked". Taking the lock up front
(and waiting up to ``busy_timeout``) serializes writers across processes; within one
process Tortoise already serializes them on its connection lock.

Every statement aiosqlite runs is a round trip to its worker thread (~60 µs, more than
the statement itself on a small write), so the transaction begins in one trip, and
:meth:`ImmediateTransactionWrapper.execute_batch` runs several statements in one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from tortoise.backends.sqlite.client import (
    SqliteClient,
    SqliteTransactionContext,
    SqliteTransactionWrapper,
)
from tortoise.exceptions import IntegrityError, OperationalError, TransactionManagementError

Step = tuple[str, Sequence[Any]]


def _begin_immediate(raw: sqlite3.Connection) -> None:
    raw.commit()  # a no-op unless sqlite3 left an implicit transaction open
    raw.execute("BEGIN IMMEDIATE")


def _run_steps(raw: sqlite3.Connection, steps: Sequence[Step]) -> list[list[dict[str, Any]]]:
    return [list(map(dict, raw.execute(sql, params).fetchall())) for sql, params in steps]


class ImmediateTransactionWrapper(SqliteTransactionWrapper):
    async def begin(self) -> None:
        try:
            await self._connection._execute(_begin_immediate, self._connection._conn)
        except sqlite3.OperationalError as exc:  # pragma: no cover - sqlite3 said why
            raise TransactionManagementError(exc) from exc

    async def execute_batch(self, steps: Sequence[Step]) -> list[list[dict[str, Any]]]:
        """Run ``steps`` in order in ONE trip to the worker thread; rows of each step.

        Statements use ``?`` placeholders and SQLite-ready values (see ``models._sql``).
        A failing step raises like Tortoise would; the caller's transaction rolls back.
        """
        async with self.acquire_connection() as connection:
            try:
                return await connection._execute(_run_steps, connection._conn, steps)
            except sqlite3.IntegrityError as exc:
                raise IntegrityError(exc) from exc
            except sqlite3.OperationalError as exc:
                raise OperationalError(exc) from exc


class ImmediateSqliteClient(SqliteClient):
    def _in_transaction(self) -> SqliteTransactionContext:
        return SqliteTransactionContext(ImmediateTransactionWrapper(self), self._lock)


client_class = ImmediateSqliteClient
