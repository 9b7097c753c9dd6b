"""This instance's leases in the store (scheduler jobs, the sender, the poller), kept by
one heartbeat.

Each instance has an id (``bot.instance_id``, default ``<hostname>:<listen_port>``, unique
per machine and port and stable across restarts). A lease is a ``scheduler_lease`` row
naming its holder; the heartbeat renews every wanted lease every ``ttl / 3`` and tries to
take the ones it lacks, so a dead holder's lease is taken over ``ttl`` after its last
heartbeat (6 s by default: within 10 s of a kill -9). A restarted instance has the same id
and takes its own stale leases back at once. A clean stop releases only what this instance
holds (``release_lease`` checks the holder). Other per-instance work renewed on the same
beat (the inbox claims) registers with :meth:`Leases.on_beat`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from models.store.jobs import acquire_lease, release_lease
from observability.metrics import LEASES_HELD

log = logging.getLogger(__name__)
DEFAULT_TTL = timedelta(seconds=6)
Hook = Callable[[], Awaitable[None]]


def instance_id(configured: str = "", port: int | None = None) -> str:
    """``configured``, else ``<hostname>:<port>`` (two live processes never share both)."""
    return configured or f"{socket.gethostname()}:{port if port is not None else 0}"


@dataclass
class _Wanted:
    on_gain: Hook | None
    on_loss: Hook | None
    renewed_at: float = 0.0


class Leases:
    """The named leases this instance wants, renewed or taken on every heartbeat."""

    def __init__(self, holder: str, ttl: timedelta = DEFAULT_TTL) -> None:
        self.holder = holder
        self.ttl = ttl
        self.held: set[str] = set()
        self._wanted: dict[str, _Wanted] = {}
        self._beats: list[Callable[[], Awaitable[Any]]] = []
        self._task: asyncio.Task[None] | None = None
        self._hooks: set[asyncio.Task[None]] = set()

    @property
    def every(self) -> float:
        return max(0.2, self.ttl.total_seconds() / 3)

    def want(self, name: str, *, on_gain: Hook | None = None, on_loss: Hook | None = None) -> None:
        """Hold ``name`` whenever possible; the hooks run (in the background) on changes."""
        self._wanted[name] = _Wanted(on_gain, on_loss)

    def on_beat(self, work: Callable[[], Awaitable[Any]]) -> None:
        self._beats.append(work)

    def holds(self, name: str) -> bool:
        return name in self.held

    async def confirm(self, name: str) -> bool:
        """Renew (or take) ``name`` now; whether this instance holds it."""
        wanted = self._wanted.setdefault(name, _Wanted(None, None))
        try:
            held = await acquire_lease(name, self.holder, self.ttl)
        except Exception:
            log.exception("lease %s: renewal failed", name)
            held = name in self.held and time.monotonic() - wanted.renewed_at < self.every * 2
        if held:
            wanted.renewed_at = time.monotonic()
        self._changed(name, held)
        return held

    def _changed(self, name: str, held: bool, *, stopping: bool = False) -> None:
        was = name in self.held
        if held == was:
            return
        wanted = self._wanted[name]
        LEASES_HELD.labels(name).set(1 if held else 0)
        if held:
            self.held.add(name)
            log.info("lease %s taken by %s", name, self.holder)
            hook = wanted.on_gain
        else:
            self.held.discard(name)
            if stopping:
                log.info("lease %s released by %s", name, self.holder)
            else:
                log.warning("lease %s lost by %s", name, self.holder)
            hook = wanted.on_loss
        if hook is not None:
            task = asyncio.create_task(hook())
            self._hooks.add(task)
            task.add_done_callback(self._hooks.discard)

    async def beat(self) -> None:
        """One heartbeat: every wanted lease, then the registered per-instance renewals."""
        for name in list(self._wanted):
            await self.confirm(name)
        for work in self._beats:
            try:
                await work()
            except Exception:
                log.exception("heartbeat work failed")

    async def _run(self) -> None:
        while True:
            await self.beat()
            await asyncio.sleep(self.every)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"leases:{self.holder}")

    async def stop(self) -> None:
        """Stop the heartbeat, run the loss hooks and release (only) this instance's leases."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for name in list(self.held):
            self._changed(name, False, stopping=True)
        if self._hooks:
            await asyncio.gather(*self._hooks, return_exceptions=True)
        for name in list(self._wanted):
            try:
                await release_lease(name, self.holder)
            except Exception:
                log.exception("lease %s: release failed", name)
