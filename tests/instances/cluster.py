"""Several real ``jifen run`` processes in webhook mode behind a round-robin balancer.

The balancer (aiohttp, in the test's process) forwards each webhook POST to the next
instance and answers 502 when that instance is gone, as a reverse proxy does; the emulator
then delivers the update again (Telegram's retry), and the next instance gets it.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import signal
import subprocess
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import unused_port

from bot.emulator import BotApiEmulator
from bot.runners import WEBHOOK_PATH

ROOT = Path(__file__).resolve().parents[2]
SECRET = "cluster-secret_0123456789"


async def until(condition: Callable[[], bool], within: float, every: float = 0.05) -> None:
    """Wait until ``condition()`` holds (other processes change what it reads)."""
    async with asyncio.timeout(within):
        while True:
            if condition():
                return
            await asyncio.sleep(every)


async def until_true(check: Callable[[], Awaitable[bool]], within: float) -> None:
    """Wait until ``await check()`` holds (the instances write what it reads)."""
    async with asyncio.timeout(within):
        while True:
            if await check():
                return
            await asyncio.sleep(0.05)


@dataclass
class Instance:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    async def stop(self, within: float = 30) -> int:
        """SIGTERM, as systemd stops a unit: the instance finishes what it claimed and
        gives up its leases; answers its exit status."""
        self.process.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(asyncio.to_thread(self.process.wait), within)

    def kill(self) -> None:
        """kill -9: no clean stop, nothing released."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()


@dataclass
class Cluster:
    emu: BotApiEmulator
    database_url: str
    workdir: Path
    instances: list[Instance] = field(default_factory=list)
    port: int = field(default_factory=unused_port)
    forwarded: int = 0
    _runner: web.AppRunner | None = None
    _session: aiohttp.ClientSession | None = None
    _next: itertools.count[int] = field(default_factory=itertools.count)

    def env(self, name: str, port: int, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("JIFEN_")}
        env.update(
            JIFEN_BOT__TOKEN=self.emu.token,
            JIFEN_BOT__API_URL=self.emu.base_url,
            JIFEN_BOT__FILE_URL=f"{self.emu.url}/file/bot",
            JIFEN_BOT__MODE="webhook",
            JIFEN_BOT__WEBHOOK_URL=f"http://127.0.0.1:{self.port}",
            JIFEN_BOT__WEBHOOK_SECRET=SECRET,
            JIFEN_BOT__LISTEN_PORT=str(port),
            JIFEN_BOT__INSTANCE_ID=name,
            JIFEN_DATABASE__URL=self.database_url,
            JIFEN_API__ENABLED="false",
            PYTHONUNBUFFERED="1",
        )
        env.update(extra)
        return env

    async def start(self, count: int, **extra: str) -> None:
        """Start ``count`` instances at once on an empty database: each migrates on start
        (one at a time, under PostgreSQL's advisory lock)."""
        await self._serve_balancer()
        for i in range(count):
            self.spawn(f"i{i}", **extra)
        await asyncio.gather(*(self.wait_healthy(inst) for inst in self.instances))

    def spawn(self, name: str, code: Path = ROOT, **extra: str) -> Instance:
        """Start ``jifen run`` from the checkout at ``code`` (another release's, say)."""
        port = unused_port()
        log = self.workdir / f"{name}.log"
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run"],
            cwd=code,
            env=self.env(name, port, PYTHONPATH=str(code), **extra),
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        instance = Instance(name, port, process, log)
        self.instances.append(instance)
        return instance

    async def wait_healthy(self, instance: Instance) -> dict[str, Any]:
        async with asyncio.timeout(90), aiohttp.ClientSession() as http:
            while True:
                assert instance.alive, instance.log.read_text()[-3000:]
                with contextlib.suppress(aiohttp.ClientError):
                    async with http.get(f"{instance.url}/healthz") as response:
                        if response.status == 200:
                            return await response.json()
                await asyncio.sleep(0.2)

    async def health(self, instance: Instance) -> dict[str, Any]:
        async with aiohttp.ClientSession() as http, http.get(f"{instance.url}/healthz") as r:
            return await r.json()

    async def _serve_balancer(self) -> None:
        self._session = aiohttp.ClientSession()
        app = web.Application()
        app.router.add_post(WEBHOOK_PATH, self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def _forward(self, request: web.Request) -> web.Response:
        live = [i for i in self.instances if i.alive] or self.instances
        target = live[next(self._next) % len(live)]
        assert self._session is not None
        try:
            headers = {
                key: value
                for key, value in request.headers.items()
                if key.lower() in ("content-type", "x-telegram-bot-api-secret-token")
            }
            async with self._session.post(
                target.url + WEBHOOK_PATH, data=await request.read(), headers=headers
            ) as response:
                self.forwarded += 1
                return web.Response(status=response.status, body=await response.read())
        except aiohttp.ClientError:
            return web.Response(status=502)

    async def stop(self) -> None:
        for instance in self.instances:
            if instance.alive:
                instance.process.send_signal(signal.SIGTERM)
        for instance in self.instances:
            try:
                instance.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                instance.kill()
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()
