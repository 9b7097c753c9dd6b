"""A few hand-written SQL statements that run on SQLite and PostgreSQL alike.

Statements are written with ``?`` placeholders (never inside literals) and rewritten to
``$n`` for asyncpg. Datetimes are bound the way Tortoise stores them: UTC ISO text on
SQLite (so text comparison orders them), native ``timestamptz`` on PostgreSQL.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model

from models.db import dialect

_PLACEHOLDER = re.compile(r"\?")
Step = tuple[str, list[Any]]
"""One statement of a :func:`batch` and its parameters."""


def pg() -> bool:
    return dialect() == "postgres"


def _prepare(sql: str, params: list[Any]) -> tuple[str, list[Any]]:
    if pg():
        counter = itertools.count(1)
        return _PLACEHOLDER.sub(lambda _: f"${next(counter)}", sql), params
    return sql, [ts(p) if isinstance(p, datetime) else p for p in params]


def ts(at: datetime) -> str:
    """A datetime as SQLite holds it (Tortoise writes ``isoformat(" ")`` in UTC)."""
    return at.astimezone(UTC).isoformat(" ")


def for_update() -> str:
    """Row-lock suffix: PostgreSQL locks the row; SQLite's write lock already covers it."""
    return " FOR UPDATE" if pg() else ""


async def rows(conn: BaseDBAsyncClient, sql: str, *params: Any) -> list[dict[str, Any]]:
    query, values = _prepare(sql, list(params))
    return await conn.execute_query_dict(query, values)


async def one(conn: BaseDBAsyncClient, sql: str, *params: Any) -> dict[str, Any] | None:
    found = await rows(conn, sql, *params)
    return found[0] if found else None


async def execute(conn: BaseDBAsyncClient, sql: str, *params: Any) -> int:
    """Run a write statement; the number of rows it changed."""
    query, values = _prepare(sql, list(params))
    count, _ = await conn.execute_query(query, values)
    return count


async def batch(conn: BaseDBAsyncClient, steps: list[Step]) -> list[list[dict[str, Any]]]:
    """Run write statements in order inside ``conn``'s transaction; the rows of each.

    On SQLite the whole batch is one trip to aiosqlite's worker thread (see
    :mod:`models.sqlite_backend`); elsewhere the statements run one by one. A later step
    may refer to an earlier one's row only through the database (e.g. a subquery on a
    unique key), never through Python.
    """
    prepared = [_prepare(sql, list(params)) for sql, params in steps]
    run_batch = getattr(conn, "execute_batch", None)
    if run_batch is not None:
        return await run_batch(prepared)
    return [await conn.execute_query_dict(sql, params) for sql, params in prepared]


def columns(row: Model) -> dict[str, Any]:
    """Column values of an unsaved row (but its id), encoded the way Tortoise stores them."""
    meta = row._meta
    return {
        column: meta.fields_map[name].to_db_value(getattr(row, name), row)
        for name, column in meta.fields_db_projection.items()
        if name != meta.pk_attr
    }


def insert(table: str, values: Mapping[str, Any], exprs: Mapping[str, Step] | None = None) -> Step:
    """``INSERT … RETURNING id`` of one row; ``exprs`` are columns given as SQL + params."""
    exprs = exprs or {}
    values = {col: value for col, value in values.items() if col not in exprs}
    cols = [*values, *exprs]
    marks = ["?"] * len(values) + [sql for sql, _ in exprs.values()]
    params = list(values.values()) + [p for _, ps in exprs.values() for p in ps]
    sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join(marks)}) RETURNING id"
    return sql, params


def as_int(value: Any) -> int:
    """SUM() is ``numeric`` on PostgreSQL and may be NULL; points are integers."""
    return int(value or 0)


def as_datetime(value: Any) -> datetime | None:
    """A datetime read by hand-written SQL (SQLite returns the stored text)."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


async def execute_many(conn: BaseDBAsyncClient, sql: str, rows: list[list[Any]]) -> None:
    """Run one write statement for each parameter row (bulk inserts: one round trip)."""
    if not rows:
        return
    query, _ = _prepare(sql, [])
    if not pg():  # the statement is rewritten once, the values per row (each instant once)
        stamps = {p: ts(p) for row in rows for p in row if isinstance(p, datetime)}
        if stamps:
            rows = [[stamps[p] if isinstance(p, datetime) else p for p in row] for row in rows]
    await conn.execute_many(query, rows)
