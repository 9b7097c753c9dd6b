"""The API served for real on a loopback port from its own thread and event loop.

For clients that are synchronous (schemathesis speaks ``requests``): the server, its
store (SQLite or PostgreSQL) and the keys live in the thread's loop; a test talks to
``base_url`` over HTTP and may run coroutines on that loop with :meth:`LiveApi.run`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import threading
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web

from api.app import PREFIX, build_api
from models.access import api_keys
from models.ledger import rule_versions
from models.store import db
from tests import conftest as shared
from tests.api.conftest import api_settings

T = TypeVar("T")


class LiveApi:
    """One API server; ``keys`` are fresh unbound keys, ``base_url`` ends in ``/api/v1``."""

    def __init__(self, url: str, keys: int) -> None:
        self.url = url
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.runner: web.AppRunner | None = None
        self.keys: list[str] = []
        self.base_url = ""
        self._keys = keys
        self.context = contextvars.copy_context()

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the server's loop and wait for it.

        Every such coroutine runs in the one context the store was opened in (Tortoise
        keeps its connections in a context variable), one at a time.
        """
        done: concurrent.futures.Future[T] = concurrent.futures.Future()

        def finish(task: asyncio.Task[T]) -> None:
            if task.cancelled():
                done.cancel()
            elif task.exception() is not None:
                done.set_exception(task.exception())  # type: ignore[arg-type]
            else:
                done.set_result(task.result())

        def start() -> None:
            self.loop.create_task(work, context=self.context).add_done_callback(finish)

        self.loop.call_soon_threadsafe(start)
        return done.result(timeout=120)

    async def _start(self) -> None:
        await db.open_fresh_store(self.url)
        rule_versions.invalidate()
        root, prefix = await self.build()
        self.runner = web.AppRunner(root)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        host, port = self.runner.addresses[0][:2]
        self.base_url = f"http://{host}:{port}{prefix}"

    async def build(self) -> tuple[web.Application, str]:
        """The application to serve (on the fresh store) and the path ``base_url`` ends in;
        a subclass serves another face (the Mini App) the same way."""
        for i in range(self._keys):
            created = await api_keys.create(f"Shop {i + 1}")
            assert isinstance(created, api_keys.ApiKeyCreated)
            self.keys.append(created.key)
        root = web.Application()
        root.add_subapp(PREFIX, build_api(api_settings()))
        return root, PREFIX

    async def _stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
        await db.close_store()
        rule_versions.invalidate()

    def __enter__(self) -> LiveApi:
        self.thread.start()
        self.run(self._start())
        return self

    def __exit__(self, *exc: Any) -> None:
        try:
            self.run(self._stop())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout=10)
            self.loop.close()


L = TypeVar("L", bound=LiveApi)


@contextmanager
def live_api(kind: str, tmp_path: Path, keys: int = 1, *, server: type[L] = LiveApi) -> Iterator[L]:
    """A :class:`LiveApi` (or ``server``) on a fresh SQLite file or PostgreSQL database."""
    if kind == "sqlite":
        with server(f"sqlite://{tmp_path}/live.sqlite3", keys) as live:
            yield live
        return
    if not shared.POSTGRES_URL:
        shared.skip_unless_ci(shared.NO_POSTGRES)
    url, name = asyncio.run(shared._create_pg_database())
    try:
        with server(url, keys) as live:
            yield live
    finally:
        asyncio.run(shared._drop_pg_database(name))
