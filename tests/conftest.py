"""Shared fixtures: a fresh store on SQLite and (when configured) on PostgreSQL.

``store`` is parametrized over both databases; PostgreSQL runs when
``JIFEN_TEST_POSTGRES_URL`` is set (CI sets it) and is skipped with that reason otherwise.
Each PostgreSQL test gets a freshly created database, dropped afterwards.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

from models.store import clock, db

POSTGRES_URL = os.environ.get("JIFEN_TEST_POSTGRES_URL", "")
NO_POSTGRES = "JIFEN_TEST_POSTGRES_URL is not set (CI sets it; see .ci/run)"


def skip_unless_ci(reason: str) -> None:
    """Skip for a missing service on a developer machine; in CI (``.ci/run``) fail instead."""
    if os.environ.get("JIFEN_TEST_REQUIRE_ALL"):
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


def _admin_dsn(url: str) -> str:
    return "postgresql://" + url.split("://", 1)[1]


async def _create_pg_database() -> tuple[str, str]:
    """Create an empty database next to the configured one; return (url, name)."""
    name = f"jifen_t_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(_admin_dsn(POSTGRES_URL))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    base, _, _ = POSTGRES_URL.rpartition("/")
    return f"{base}/{name}", name


async def _drop_pg_database(name: str) -> None:
    conn = await asyncpg.connect(_admin_dsn(POSTGRES_URL))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A URL of an empty database of the kind the test asked for (default: sqlite)."""
    kind = getattr(request, "param", "sqlite")
    if kind == "sqlite":
        yield f"sqlite://{tmp_path}/jifen.sqlite3"
        return
    if not POSTGRES_URL:
        skip_unless_ci(NO_POSTGRES)
    url, name = await _create_pg_database()
    try:
        yield url
    finally:
        await _drop_pg_database(name)


@pytest.fixture(params=["sqlite", "postgres"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """An open store with the schema created; yields the dialect name."""
    async for url in database_url.__wrapped__(request, tmp_path):  # type: ignore[attr-defined]
        await db.open_fresh_store(url)
        try:
            yield request.param
        finally:
            await db.close_store()


@pytest.fixture
async def sqlite_store(tmp_path: Path) -> AsyncIterator[str]:
    """An open SQLite store (for tests about the chat face, not the database)."""
    await db.open_fresh_store(f"sqlite://{tmp_path}/jifen.sqlite3")
    try:
        yield "sqlite"
    finally:
        await db.close_store()


@pytest.fixture(autouse=True)
def _real_clock() -> None:
    """Every test starts with a running clock, whatever the previous one froze."""
    clock.unfreeze()


class _MissingKeys(logging.Handler):
    """Collects the translator's "missing locale key" errors."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("missing locale key"):
            self.seen.append(record.getMessage())


@pytest.fixture(autouse=True)
def _every_sentence_exists() -> Iterator[None]:
    """A test that made jifen show a raw key instead of a sentence fails: the run-time half
    of ``tests/test_runtime_locale_keys.py`` (a key built from a value no listing holds)."""
    handler = _MissingKeys()
    logger = logging.getLogger("locales")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
    assert handler.seen == [], f"shown as raw keys: {sorted(set(handler.seen))}"
