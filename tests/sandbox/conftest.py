"""A running sandbox (emulator + page + the real bot) on a fresh SQLite file, demo loaded."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.sandbox import Sandbox
from bot.settings import load_settings


def sandbox_settings(tmp_path: Path) -> Any:
    return load_settings(
        sandbox={"database_url": f"sqlite://{tmp_path}/sandbox.sqlite3"},
        scheduler={"enabled": False},
        outbox={"messages_per_second": 1000, "per_chat_per_second": 30},
        security={"secret": "test-secret", "secret_file": str(tmp_path / "secret")},
    )


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[Sandbox]:
    async with Sandbox(sandbox_settings(tmp_path), demo=True, port=0, fresh_store=True) as box:
        yield box


SMALL_SEASON = 40


@pytest.fixture
async def season_box(tmp_path: Path) -> AsyncIterator[Sandbox]:
    """A sandbox with a small season of history (Alice is a member with a week ahead)."""
    settings = sandbox_settings(tmp_path)
    async with Sandbox(
        settings, season=True, season_size=SMALL_SEASON, port=0, fresh_store=True
    ) as box:
        yield box


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """A client that behaves like the page's script (it sends the page's header)."""
    async with aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=10), headers={"X-Jifen-Sandbox": "1"}
    ) as session:
        yield session


async def eventually(check: Callable[[], Any], timeout: float = 5.0) -> Any:  # noqa: ASYNC109
    """Polls ``check`` (sync or async) until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(0.05)
