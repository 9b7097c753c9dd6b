"""``jifen run`` when Telegram cannot be reached or refuses the token: one clear line per
attempt and a retry with backoff, or a clean stop; and a quiet log when nothing happens."""

from __future__ import annotations

import logging
import socket

import pytest
from telegram.error import NetworkError
from telegram.ext import Application

from bot.emulator import BotApiEmulator
from bot.runners import TelegramRefused, reach_telegram
from models.store.jobs import AlreadyRan, Ran
from scheduler.runner import did_something


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_an_unreachable_bot_api_is_one_line_per_attempt(
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/bot"
    app = Application.builder().token("1:x").base_url(url).build()
    caplog.set_level(logging.ERROR, logger="bot.runners")
    with pytest.raises(NetworkError):
        await reach_telegram(app, url, first_delay=0.01, attempts=3)
    lines = [r for r in caplog.records if r.name == "bot.runners"]
    assert len(lines) == 2  # the third failure is raised, not logged
    for record in lines:
        text = record.getMessage()
        assert url in text and "check the network" in text and "\n" not in text
        assert record.exc_info is None  # no traceback, let alone three chained ones
    assert "trying again in 0 s" in lines[0].getMessage()


async def test_a_refused_token_stops_at_once(emu: BotApiEmulator) -> None:
    app = Application.builder().token("42:wrong").base_url(emu.base_url).build()
    with pytest.raises(TelegramRefused) as refused:
        await reach_telegram(app, emu.base_url, first_delay=0.01)
    assert "JIFEN_BOT__TOKEN" in str(refused.value)


async def test_the_bot_api_answering_is_reached_first_time(emu: BotApiEmulator) -> None:
    app = emu.application_builder().build()
    await reach_telegram(app, emu.base_url, attempts=1)
    assert app.bot.username


@pytest.mark.parametrize(
    ("result", "logged"),
    [
        (None, False),
        (AlreadyRan("expiry-sweep", "k"), False),
        (Ran("expiry-sweep", "k", {"members": 0, "points": 0}), False),
        ({"started": [], "campaigns": {}}, False),
        (Ran("expiry-sweep", "k", {"members": 2, "points": 30}), True),
        ({"started": [7]}, True),
    ],
)
def test_a_job_that_did_nothing_is_not_logged_at_info(result: object, logged: bool) -> None:
    assert did_something(result) is logged
