"""SQLite engine for Tortoise whose write transactions start with ``BEGIN IMMEDIATE``.

A plain ``BEGIN`` takes the write lock only at the first write, so two processes that
both read first can deadlock and one gets "database is locked". Taking the lock up front
(and waiting up to ``busy_timeout``) serializes writers across processes; within one
process Tortoise already serializes them on its connection lock.
"""

from __future__ import annotations

import sqlite3

from tortoise.backends.sqlite.client import (
    SqliteClient,
    SqliteTransactionContext,
    SqliteTransactionWrapper,
)
from tortoise.exceptions import TransactionManagementError


class ImmediateTransactionWrapper(SqliteTransactionWrapper):
    async def begin(self) -> None:
        try:
            await self._connection.commit()
            await self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:  # pragma: no cover - sqlite3 said why
            raise TransactionManagementError(exc) from exc


class ImmediateSqliteClient(SqliteClient):
    def _in_transaction(self) -> SqliteTransactionContext:
        return SqliteTransactionContext(ImmediateTransactionWrapper(self), self._lock)


client_class = ImmediateSqliteClient
