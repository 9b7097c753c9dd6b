"""A webhook receiver on loopback (aiohttp) that records what it got and answers as told."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web

from bot.settings import Settings, load_settings
from scheduler.webhooks import WebhookWorker


@dataclass
class Received:
    headers: dict[str, str]
    body: str

    @property
    def msg_id(self) -> str:
        return self.headers["webhook-id"]


@dataclass
class Receiver:
    """Answers ``statuses`` in turn (then ``default``); ``hang`` makes it never answer."""

    port: int
    got: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    default: int = 204
    hang: bool = False
    _runner: web.AppRunner | None = None
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.text()
        if self.hang:
            await asyncio.sleep(3600)
        self.got.append(Received({k.lower(): v for k, v in request.headers.items()}, body))
        self._arrived.set()
        status = self.statuses.pop(0) if self.statuses else self.default
        return web.Response(status=status)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/hooks", self._handle)
        self._runner = web.AppRunner(app, shutdown_timeout=0.1)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port, reuse_address=True).start()

    async def stop(self) -> None:
        """Go down: connections are refused until :meth:`start`."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def wait_for(self, count: int) -> None:
        """Until ``count`` requests have arrived (bound it with ``asyncio.timeout``)."""
        while len(self.got) < count:
            self._arrived.clear()
            await self._arrived.wait()

    def types(self) -> list[str]:
        import json

        return [json.loads(r.body)["type"] for r in self.got]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    rx = Receiver(free_port())
    await rx.start()
    yield rx
    rx.hang = False
    await rx.stop()


@pytest.fixture
async def other_receiver() -> AsyncIterator[Receiver]:
    rx = Receiver(free_port())
    await rx.start()
    yield rx
    await rx.stop()


def hook_settings(**webhooks: Any) -> Settings:
    """Loopback receivers need ``allow_private``; short timeouts keep tests quick."""
    values = {"allow_private": True, "timeout_seconds": 2} | webhooks
    return load_settings(webhooks=values)


def worker(**webhooks: Any) -> WebhookWorker:
    settings = hook_settings(**webhooks)
    return WebhookWorker(settings.webhooks, config_admins=(900,), poll_interval=0.05)
