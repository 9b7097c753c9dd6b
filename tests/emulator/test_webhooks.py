"""The emulator posts webhooks as Telegram does: chats in parallel, each chat in order,
retried until a 2xx, with the secret header (bot.emulator.webhooks)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from telegram import Bot

from bot.emulator import BotApiEmulator
from bot.emulator.webhooks import SECRET_HEADER
from bot.updates import chat_key


class Receiver:
    """A webhook endpoint that records what arrives and answers as told."""

    def __init__(self) -> None:
        self.log: list[tuple[str, int, str]] = []  # (event, update_id, text)
        self.fail_first: set[str] = set()
        self.hold: dict[str, asyncio.Event] = {}
        self.secrets: set[str | None] = set()
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def handle(self, request: web.Request) -> web.Response:
        update = await request.json()
        text = update["message"]["text"]
        self.secrets.add(request.headers.get(SECRET_HEADER))
        self.log.append(("start", update["update_id"], text))
        if text in self.fail_first:
            self.fail_first.discard(text)
            return web.Response(status=502)
        if text in self.hold:
            await self.hold[text].wait()
        self.log.append(("done", update["update_id"], text))
        return web.Response()

    async def __aenter__(self) -> Receiver:
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = self._runner.addresses[0][1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._runner is not None
        await self._runner.cleanup()

    def done(self) -> list[str]:
        return [text for event, _, text in self.log if event == "done"]


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator() as emulator:
        yield emulator


async def _hook(emu: BotApiEmulator, receiver: Receiver) -> None:
    async with Bot(emu.token, base_url=emu.base_url) as bot:
        await bot.set_webhook(f"http://127.0.0.1:{receiver.port}/hook", secret_token="s3cret")


async def _until(condition: object, within: float = 5) -> None:
    async with asyncio.timeout(within):
        while True:
            if condition():  # type: ignore[operator]
                return
            await asyncio.sleep(0.01)


async def test_chats_in_parallel_each_chat_in_order(emu: BotApiEmulator) -> None:
    for user in (1, 2):
        emu.add_user(user, f"U{user}")
    async with Receiver() as receiver:
        receiver.hold["a1"] = asyncio.Event()
        await _hook(emu, receiver)
        emu.user_message(1, text="a1")
        emu.user_message(1, text="a2")
        emu.user_message(2, text="b1")
        await _until(lambda: receiver.done() == ["b1"])  # chat 2 is not held up by chat 1
        await asyncio.sleep(0.1)
        assert "a2" not in [text for _, _, text in receiver.log]  # chat 1 waits for a1
        receiver.hold["a1"].set()
        await _until(lambda: receiver.done() == ["b1", "a1", "a2"])
    assert receiver.secrets == {"s3cret"}


async def test_a_failed_post_is_retried_and_holds_its_chat(emu: BotApiEmulator) -> None:
    emu.add_user(1, "U1")
    async with Receiver() as receiver:
        receiver.fail_first = {"a1"}
        await _hook(emu, receiver)
        emu.user_message(1, text="a1")
        emu.user_message(1, text="a2")
        await _until(lambda: receiver.done() == ["a1", "a2"])
        starts = [text for event, _, text in receiver.log if event == "start"]
        assert starts == ["a1", "a1", "a2"]
        assert emu.webhook_error is not None and "502" in emu.webhook_error[1]


def test_updates_are_ordered_by_chat_then_sender() -> None:
    message = {"update_id": 5, "message": {"chat": {"id": -100}, "from": {"id": 7}}}
    callback = {
        "update_id": 6,
        "callback_query": {"from": {"id": 7}, "message": {"chat": {"id": 7}}},
    }
    inline = {"update_id": 7, "inline_query": {"from": {"id": 8}}}
    assert [chat_key(u) for u in (message, callback, inline)] == ["c-100", "c7", "u8"]
    assert chat_key({"update_id": 9, "poll": {"id": "x"}}) == "x9"
