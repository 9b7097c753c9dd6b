"""One send pace for all instances: within the limit together, replies first, 429 retried."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from telegram.ext import ExtBot

from bot.emulator import BotApiEmulator
from bot.pace import PacedRateLimiter, limited
from scheduler.pace import BLOCK, HEADROOM, SharedPace


def _max_in_a_second(times: list[float]) -> int:
    times = sorted(times)
    return max(sum(1 for t in times[i:] if t < start + 1.0) for i, start in enumerate(times))


async def test_two_instances_together_stay_within_the_rate(store: str) -> None:
    """Two processes' worth of senders (bulk on one, replies on both) share 30/s."""
    a, b = SharedPace(30, shared=True), SharedPace(30, shared=True)
    sent: list[float] = []
    reply_waits: list[float] = []

    async def bulk(pace: SharedPace, count: int) -> None:
        for _ in range(count):
            await pace.bulk_slot()
            sent.append(time.monotonic())

    async def replies(pace: SharedPace, count: int) -> None:
        for _ in range(count):
            await asyncio.sleep(0.15)
            reply_waits.append(await pace.reply_slot())
            sent.append(time.monotonic())

    await asyncio.gather(bulk(a, 45), replies(a, 5), replies(b, 5))
    assert len(sent) == 55
    assert _max_in_a_second(sent) <= 30
    # replies go before queued bulk: bulk books a block only while less than half a block
    # is booked ahead, so a reply finds at most 1.5 blocks (and the other replies) ahead
    assert max(reply_waits) <= 1.5 * BLOCK + 3 * a.spacing / (1 - HEADROOM), reply_waits


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator() as emulator:
        yield emulator


async def test_a_reply_that_meets_a_429_is_sent_again(
    sqlite_store: str, emu: BotApiEmulator
) -> None:
    emu.add_user(501, "Alice")
    emu.fail_next("sendMessage", 429, retry_after=1, chat_id=501)
    limiter = PacedRateLimiter(SharedPace(30))
    async with ExtBot(emu.token, base_url=emu.base_url, rate_limiter=limiter) as bot:
        started = time.monotonic()
        await bot.send_message(501, "your receipt")
    assert time.monotonic() - started >= 1.0
    assert [m.visible_text for m in emu.transcript(501)] == ["your receipt"]


def test_only_sends_are_paced() -> None:
    assert limited("sendMessage") and limited("sendPhoto") and limited("copyMessage")
    assert not limited("sendChatAction") and not limited("getUpdates")
    assert not limited("answerCallbackQuery") and not limited("editMessageText")
