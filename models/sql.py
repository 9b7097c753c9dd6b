"""The few hand-written, set-based SQL statements, written once for SQLite and PostgreSQL.

Statements use ``?`` placeholders; :func:`query` rewrites them to ``$1, $2, …`` on
PostgreSQL. Datetimes are passed timezone-aware in UTC, which is how Tortoise stores them
on both databases (on SQLite as ISO text, so comparisons in SQL stay correct).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from models import db

_PLACEHOLDER = re.compile(r"\?")


def utc(at: datetime) -> datetime:
    """``at`` as aware UTC (the stored form)."""
    return at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)


def _dialect_sql(sql: str, dialect: str) -> str:
    if dialect == "sqlite":
        return sql
    counter = iter(range(1, 10_000))
    return _PLACEHOLDER.sub(lambda _m: f"${next(counter)}", sql)


def skip_locked() -> str:
    """``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite serializes writers anyway."""
    return "" if db.dialect() == "sqlite" else "FOR UPDATE SKIP LOCKED"


def _params(values: list[Any] | None) -> list[Any]:
    return [utc(v) if isinstance(v, datetime) else v for v in values or []]


async def execute(
    sql: str, values: list[Any] | None = None, *, using_db: BaseDBAsyncClient | None = None
) -> int:
    """Run a statement without results (UPDATE/INSERT/DELETE); return the affected row count."""
    conn = using_db or db.connection()
    count, _rows = await conn.execute_query(_dialect_sql(sql, db.dialect()), _params(values))
    return count


async def fetch(
    sql: str, values: list[Any] | None = None, *, using_db: BaseDBAsyncClient | None = None
) -> list[dict[str, Any]]:
    """Run a statement that returns rows (SELECT, or a write with RETURNING)."""
    conn = using_db or db.connection()
    return await conn.execute_query_dict(_dialect_sql(sql, db.dialect()), _params(values))
