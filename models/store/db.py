"""Opening the store: Tortoise configuration, migrations and write transactions.

``sqlite://path`` (default) runs with WAL, a busy timeout and ``BEGIN IMMEDIATE`` write
transactions (see :mod:`models.store.sqlite_backend`); ``postgres://user@host/db`` uses asyncpg.
Schema changes are Tortoise migrations in the top-level ``migrations`` package.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tortoise import Tortoise
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.transactions import in_transaction

MODELS_MODULES = ["models.store.tables"]
MIGRATIONS_MODULE = "migrations"
SQLITE_PRAGMAS = {
    "journal_mode": "WAL",
    "busy_timeout": 10_000,
    "synchronous": "NORMAL",
    # no checkpoint inside a writer's COMMIT: models.store.sqlite_backend checkpoints in a thread
    "wal_autocheckpoint": 0,
    # 32 MiB of page cache (default 2 MiB): a big write (a 100,000-coupon batch, the
    # expiry sweep) keeps its random unique-index pages in memory instead of spilling
    "cache_size": -32_000,
}


PG_POOL_SIZE = 20
"""Connections per process (Tortoise's default is 5): a POS purchase holds one for each
of its transactions, so 32 concurrent tills queued for 5 (``?maxsize=N`` in the URL
overrides it)."""

_on_close: list[Callable[[], None]] = []


def on_close(forget: Callable[[], None]) -> None:
    """Register an in-process cache to forget when the store closes (or is reopened)."""
    _on_close.append(forget)


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite://")


def sqlite_path(url: str) -> Path:
    """The file of a ``sqlite://`` URL (relative to the working folder when relative)."""
    parts = urlsplit(url)
    return Path((parts.netloc + parts.path) or ":memory:")


def _private_file(path: Path) -> None:
    """Create the data folder 0700 and the database file 0600 before SQLite opens it.

    SQLite creates its ``-wal``/``-shm`` files with the database file's permissions, so
    members' data is never readable by other local users.
    """
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def tortoise_config(url: str) -> dict[str, Any]:
    """Tortoise's configuration dict for a database URL."""
    if is_sqlite(url):
        parts = urlsplit(url)
        path = str(sqlite_path(url))
        if path != ":memory:":
            _private_file(Path(path))
        credentials: dict[str, Any] = {"file_path": path, **SQLITE_PRAGMAS}
        credentials.update(dict(parse_qsl(parts.query)))
        connection: dict[str, Any] | str = {
            "engine": "models.store.sqlite_backend",
            "credentials": credentials,
        }
    elif url.startswith(("postgres://", "postgresql://", "asyncpg://")):
        connection = "asyncpg://" + url.split("://", 1)[1]
        if "maxsize" not in dict(parse_qsl(urlsplit(url).query)):
            connection += ("&" if "?" in connection else "?") + f"maxsize={PG_POOL_SIZE}"
    else:
        raise ValueError(f"database.url must start with sqlite:// or postgres://, got {url!r}")
    return {
        "connections": {"default": connection},
        "apps": {
            "models": {
                "models": MODELS_MODULES,
                "default_connection": "default",
                "migrations": MIGRATIONS_MODULE,
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def migrate(url: str) -> list[str]:
    """Apply every pending migration (idempotent; the bot calls it on start); the names
    of the migrations this call applied, oldest first (none: it was up to date)."""
    from tortoise.migrations.api import migrate as run_migrations

    async with _migration_lock(url):
        before = await applied_migrations(url)
        try:
            await run_migrations(config=tortoise_config(url))
        finally:
            await close_store()
        return [name for name in await applied_migrations(url) if name not in before]


async def applied_migrations(url: str) -> list[str]:
    """The migrations recorded as applied in ``url`` (none on a new database)."""
    await Tortoise.init(config=tortoise_config(url))
    try:
        rows = await connection().execute_query_dict(
            "SELECT name FROM tortoise_migrations ORDER BY id"
        )
    except Exception:  # no such table yet: a new database
        rows = []
    finally:
        await close_store()
    return [str(row["name"]) for row in rows]


MIGRATION_LOCK = 0x6A6966656E  # "jifen": the advisory lock several instances starting share


@asynccontextmanager
async def _migration_lock(url: str) -> AsyncIterator[None]:
    """On PostgreSQL, one migrating instance at a time (the others wait, then find nothing
    to do); SQLite has one instance."""
    if is_sqlite(url):
        yield
        return
    import asyncpg

    conn = await asyncpg.connect("postgresql://" + url.split("://", 1)[1])
    try:
        await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
        yield
    finally:
        await conn.close()  # the session lock ends with the session


async def open_store(url: str, *, apply_migrations: bool = True) -> None:
    """Migrate (unless told not to) and open the connection pool for this process."""
    if apply_migrations:
        await migrate(url)
    await Tortoise.init(config=tortoise_config(url))


POSTGRES_ONLY = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS member_first_name_trgm ON member"
    " USING gin (first_name gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS member_last_name_trgm ON member USING gin (last_name gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS member_phone_trgm ON member USING gin (phone gin_trgm_ops)",
)
"""What migrations create beyond the models on PostgreSQL (0016: member search by trigram),
for stores made from the models directly."""


async def open_fresh_store(url: str) -> None:
    """Open a store and create the schema directly from the models (tests, benchmarks)."""
    await Tortoise.init(config=tortoise_config(url))
    await Tortoise.generate_schemas(safe=True)
    if not is_sqlite(url):
        for statement in POSTGRES_ONLY:
            await connection().execute_script(statement)


async def close_store() -> None:
    """Close connections and forget the models' bindings, so a later open may switch dialect."""
    await Tortoise.close_connections()
    await Tortoise._reset_apps()
    # Tortoise caches compiled INSERT/UPDATE statements per connection *name*, not per
    # dialect; a process that reopens "default" on another database must forget them.
    EXECUTOR_CACHE.clear()
    for forget in _on_close:
        forget()


def connection() -> BaseDBAsyncClient:
    return Tortoise.get_connection("default")


def dialect() -> str:
    """``sqlite`` or ``postgres``: for the few set-based queries written in SQL."""
    return "sqlite" if connection().capabilities.dialect == "sqlite" else "postgres"


@asynccontextmanager
async def write_transaction() -> AsyncIterator[BaseDBAsyncClient]:
    """A write transaction (``BEGIN IMMEDIATE`` on SQLite); every ledger write uses one."""
    async with in_transaction("default") as conn:
        yield conn
