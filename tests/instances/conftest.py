"""Fixtures for several instances: a fresh PostgreSQL database and the emulator."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.emulator import BotApiEmulator
from models.store import db
from tests import conftest as root
from tests.instances.cluster import Cluster


@pytest.fixture(params=["postgres"])
async def pg_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """An empty PostgreSQL database (several instances need one)."""
    async for url in root.database_url.__wrapped__(request, tmp_path):  # type: ignore[attr-defined]
        yield url


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
