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
from typing import Any, TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model
from tortoise.transactions import in_transaction

from models.store.db import connection, dialect

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


async def rows(conn: BaseDBAsyncClient, sql: str, *params: Any) -> list[dict[str, Any]]:
    query, values = _prepare(sql, list(params))
    return await conn.execute_query_dict(query, values)


async def rows_planned_for_values(query: str, values: list[Any]) -> list[dict[str, Any]]:
    """Rows of ``query`` (in the dialect's spelling) planned for these very ``values``.

    asyncpg keeps prepared statements, and after five runs PostgreSQL may switch one to a
    generic plan made without its values. For ``first_name ILIKE $1`` that plan guesses a
    common match and walks the sort order's index through every member, where the values'
    own plan reads the trigram index (70 ms against 1 ms on 100,000 members). One
    transaction with ``SET LOCAL plan_cache_mode`` keeps the setting to this statement.
    """
    if not pg():
        return await connection().execute_query_dict(query, values)
    async with in_transaction() as conn:
        await conn.execute_script("SET LOCAL plan_cache_mode = force_custom_plan")
        return await conn.execute_query_dict(query, values)


async def one(conn: BaseDBAsyncClient, sql: str, *params: Any) -> dict[str, Any] | None:
    found = await rows(conn, sql, *params)
    return found[0] if found else None


async def execute(conn: BaseDBAsyncClient, sql: str, *params: Any) -> int:
    """Run a write statement; the number of rows it changed."""
    query, values = _prepare(sql, list(params))
    count, _ = await conn.execute_query(query, values)
    return count


async def many(conn: BaseDBAsyncClient, sql: str, rows: list[list[Any]]) -> None:
    """Run one write statement for each of ``rows`` (``executemany``: no ORM objects).

    Rows hold plain values (text, integers, NULL) bound as they are: unlike the other
    helpers this one does not rewrite datetimes for SQLite (100,000 rows would pay).
    """
    if rows:
        await conn.execute_many(_prepare(sql, [])[0], rows)


async def batch(conn: BaseDBAsyncClient, steps: list[Step]) -> list[list[dict[str, Any]]]:
    """Run write statements in order inside ``conn``'s transaction; the rows of each.

    On SQLite the whole batch is one trip to aiosqlite's worker thread (see
    :mod:`models.store.sqlite_backend`); elsewhere the statements run one by one. A later step
    may refer to an earlier one's row only through the database (e.g. a subquery on a
    unique key), never through Python.
    """
    prepared = [_prepare(sql, list(params)) for sql, params in steps]
    run_batch = getattr(conn, "execute_batch", None)
    if run_batch is not None:
        return await run_batch(prepared)
    return [await conn.execute_query_dict(sql, params) for sql, params in prepared]


def columns(row: Model) -> dict[str, Any]:
    """Column values of an unsaved row (but its id), encoded the way Tortoise stores them.

    With :func:`insert_row` and :func:`model_from_row`, the one place where hand-written
    SQL meets Tortoise's row encoding (its ``_meta`` and ``_init_from_db``).
    """
    meta = row._meta
    return {
        column: meta.fields_map[name].to_db_value(getattr(row, name), row)
        for name, column in meta.fields_db_projection.items()
        if name != meta.pk_attr
    }


def insert_row(row: Model, exprs: Mapping[str, Step] | None = None) -> Step:
    """``INSERT … RETURNING id`` of an unsaved model row (``exprs``: columns as SQL)."""
    return insert(row._meta.db_table, columns(row), exprs)


M = TypeVar("M", bound=Model)


def model_from_row(model: type[M], row: Mapping[str, Any]) -> M:
    """A model instance from a row read by hand-written SQL (extra columns ignored)."""
    known = model._meta.fields_db_projection.values()
    return model._init_from_db(**{k: v for k, v in row.items() if k in known})


def select_list(model: type[Model], alias: str) -> str:
    """``alias.col, …`` for every column ``model`` knows, never ``alias.*``.

    PostgreSQL refuses a cached plan whose result type changed ("cached plan must not
    change result type"), and asyncpg cannot retry it inside a transaction: a ``*``
    statement would fail once per pooled connection when an upgrade's migration adds a
    column under running instances (tests/instances/test_rolling_upgrade.py). Built at
    call time: foreign keys' ``…_id`` columns are known only once Tortoise is set up.
    """
    return ", ".join(f"{alias}.{column}" for column in model._meta.fields_db_projection.values())


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
