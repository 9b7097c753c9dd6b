"""Fixtures for several instances: a fresh PostgreSQL database and the emulator."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.emulator import BotApiEmulator
from models import db
from tests.conftest import (
    NO_POSTGRES,
    POSTGRES_URL,
    _create_pg_database,
    _drop_pg_database,
    skip_unless_ci,
)
from tests.instances.cluster import Cluster


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    """An empty PostgreSQL database (several instances need one)."""
    if not POSTGRES_URL:
        skip_unless_ci(NO_POSTGRES)
    url, name = await _create_pg_database()
    try:
        yield url
    finally:
        await _drop_pg_database(name)


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator() as emulator:
        yield emulator


@pytest.fixture
async def cluster(emu: BotApiEmulator, pg_url: str, tmp_path: Path) -> AsyncIterator[Cluster]:
    """Instances are started by the test (``await cluster.start(3)``); the test's own
    connection to the same database is open for setting up and checking."""
    the_cluster = Cluster(emu, pg_url, tmp_path)
    try:
        yield the_cluster
    finally:
        await the_cluster.stop()
        await db.close_store()
