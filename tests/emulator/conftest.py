"""A fresh emulator per test, with short waits (the demo bots answer at once)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.emulator import BotApiEmulator


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator(idle=0.03, settle_timeout=5) as emulator:
        yield emulator
