"""``jifen emulator``: a staging jifen talks to the emulator in its own process, and a
tester chats with it in the page, as with Telegram."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import unused_port

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "7123456789:staging-secret-token_0123456789"
PAGE = {"X-Jifen-Sandbox": "1"}


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIFEN_")}
    return {**env, "PYTHONUNBUFFERED": "1", **extra}


@contextlib.contextmanager
def _process(args: list[str], log: Path, **env: str) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=ROOT,
        env=_env(**env),
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


async def _until(check: Any, within: float = 60) -> Any:
    async with asyncio.timeout(within):
        while True:
            found = await check()
            if found:
                return found
            await asyncio.sleep(0.2)


@pytest.fixture
async def staging(tmp_path: Path) -> AsyncIterator[tuple[str, Path]]:
    """The emulator on its own, and ``jifen run`` (polling, SQLite) pointed at it."""
    port = unused_port()
    url = f"http://127.0.0.1:{port}"
    emulator_log = tmp_path / "emulator.log"
    with _process(["emulator", "--port", str(port), "--token", TOKEN], emulator_log):
        async with aiohttp.ClientSession() as http:

            async def up() -> bool:
                with contextlib.suppress(aiohttp.ClientError):
                    async with http.get(f"{url}/api/people") as response:
                        return response.status == 200
                return False

            await _until(up)
        bot = {
            "JIFEN_BOT__TOKEN": TOKEN,
            "JIFEN_BOT__API_URL": f"{url}/bot",
            "JIFEN_BOT__FILE_URL": f"{url}/file/bot",
            "JIFEN_BOT__MODE": "polling",
            "JIFEN_BOT__LISTEN_PORT": str(unused_port()),
            "JIFEN_DATABASE__URL": f"sqlite://{tmp_path / 'staging.sqlite3'}",
            "JIFEN_ACCESS__ADMINS": "[3001]",
        }
        with _process(["run"], tmp_path / "jifen.log", **bot):
            yield url, emulator_log


async def test_the_guide_it_prints_says_what_to_point_jifen_at(
    staging: tuple[str, Path],
) -> None:
    url, log = staging
    guide = log.read_text()
    assert f"JIFEN_BOT__TOKEN={TOKEN}" in guide
    assert f"JIFEN_BOT__API_URL={url}/bot" in guide
    assert "jifen admin grant 2001 staff --location 'Downtown'" in guide


async def test_a_tester_chats_with_a_staging_jifen_through_the_page(
    staging: tuple[str, Path],
) -> None:
    url, _ = staging
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{url}/bot{TOKEN.replace('secret', 'guess')}/getMe") as response:
            assert response.status in (401, 404), "another token is refused"
        async with http.post(f"{url}/api/chats/1002/send", json={"text": "/start"}) as r:
            assert r.status == 403, "only the page itself may act"

        async with http.post(
            f"{url}/api/chats/1002/send", json={"text": "/start"}, headers=PAGE
        ) as response:
            assert response.status == 200  # held by the emulator until jifen polls

        async def replied() -> list[dict[str, Any]]:
            async with http.get(f"{url}/api/chats/1002") as response:
                chat = await response.json()
            return [m for m in chat["messages"] if m["from"] == "bot"]

        answers = await _until(replied, within=90)
        assert answers[0]["text"], "jifen answered the tester's /start"
