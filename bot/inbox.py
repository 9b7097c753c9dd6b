"""Updates in through the store: received (webhook or the one poller), then processed by
every instance from the inbox (:mod:`models.delivery.inbox`).

* :meth:`InboxWorker.receive` is all the webhook does before its 200: one insert.
* :meth:`InboxWorker.run` claims chat heads and processes each with PTB's
  ``Application.process_update``, up to ``concurrency`` chats at once; one chat's updates
  never run in parallel or out of order, on this instance or across instances. Claims are
  renewed by the instance's heartbeat; a dead instance's lapse and are taken over.
* :class:`Poller` (polling mode) runs only on the holder of the ``poller`` lease (Telegram
  allows one ``getUpdates`` per bot) and only stores what it gets; acknowledging an update
  (the next ``offset``) happens after it is stored.

The instance that stored an update looks for work at once; the others poll the inbox every
``poll_interval`` (0.25 s), so an update waits for another instance only when this one is
busy with the same chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import time
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application

from bot.updates import chat_key, describe
from models.delivery import inbox
from observability import logs
from scheduler.leases import Leases
from scheduler.worker import WorkerLoop

log = logging.getLogger(__name__)
POLL_INTERVAL = 0.25
CLAIM_LEASE = timedelta(seconds=6)
STOP_GRACE = 10.0


class InboxWorker:
    """Processes the inbox for one instance (``holder``)."""

    def __init__(
        self,
        application: Application,
        holder: str,
        *,
        concurrency: int = 32,
        lease: timedelta = CLAIM_LEASE,
        poll_interval: float = POLL_INTERVAL,
    ) -> None:
        self.application = application
        self.holder = holder
        self.concurrency = concurrency
        self.lease = lease
        self.poll_interval = poll_interval
        self.processed = 0
        self._inflight: set[asyncio.Task[None]] = set()
        self._loop = WorkerLoop(lambda: self.poll_interval, log)
        self._task: asyncio.Task[None] | None = None

    async def receive(self, data: dict[str, Any]) -> bool:
        """Store one update (Telegram's JSON); ``False`` if it was a redelivery."""
        update_id = data.get("update_id")
        if not isinstance(update_id, int):
            raise ValueError("not an update")
        stored = await inbox.store(update_id, chat_key(data), json.dumps(data))
        self._loop.wake()
        return stored

    async def start(self) -> None:
        await inbox.release(self.holder)  # after a restart: our stale claims, at once
        self._loop.rearm()  # here, not in run(): a stop() before the task runs still holds
        self._task = asyncio.create_task(self.run(), name=f"inbox:{self.holder}")

    async def run(self) -> None:
        """The shared worker loop (:class:`scheduler.worker.WorkerLoop`) until :meth:`stop`;
        a failing claim is logged and tried again after the poll interval. Its wake-up is
        cleared before each claim, so an update stored while the claim runs is looked for
        at once."""
        await self._loop.run(self._turn, failure="claiming from the inbox failed")

    async def _turn(self) -> bool:
        room = self.concurrency - len(self._inflight)
        if room <= 0:
            return False  # a finished chat wakes the loop
        claimed = await inbox.claim(self.holder, room, self.lease)
        for item in claimed:
            task = asyncio.create_task(self._process(item))
            self._inflight.add(task)
            task.add_done_callback(self._done)
        return bool(claimed) and room > len(claimed)  # more chats may be waiting

    def _done(self, task: asyncio.Task[None]) -> None:
        self._inflight.discard(task)
        self._loop.wake()  # the chat's next update may be ready; room for another chat

    async def _process(self, item: inbox.Claimed) -> None:
        logs.update_id.set(item.update_id)  # this task's own context: its lines say which update
        update = Update.de_json(json.loads(item.payload), self.application.bot)
        try:
            # PTB runs the handlers and, on an exception, the error handler (which tells the
            # person); either way the update is done: a bug is not retried forever
            await self.application.process_update(update)
        except Exception:
            log.exception("processing %s failed", describe(update))
        try:
            if await inbox.finish(item.update_id, self.holder):
                self.processed += 1
            else:
                log.warning("%s: claim lost before finishing", describe(update))
        except Exception:
            log.exception("recording %s as done failed; it will be redelivered", describe(update))

    async def renew(self) -> None:
        """Heartbeat: keep our claims (only while something is in flight)."""
        if self._inflight:
            await inbox.renew(self.holder, self.lease)

    async def stop(self) -> None:
        """Claim nothing more, let what runs finish (within a grace), hand back the rest."""
        self._loop.stop()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._inflight:
            await asyncio.wait(set(self._inflight), timeout=STOP_GRACE)
        await inbox.release(self.holder)


class Pruner:
    """Heartbeat work: forget updates finished more than a day ago (``inbox.KEEP_DONE``),
    every ``every`` seconds, on the one instance holding ``lease``."""

    def __init__(self, leases: Leases, lease: str = "sender", every: float = 600.0) -> None:
        self.leases = leases
        self.lease = lease
        self.every = every
        self._last = -math.inf

    async def __call__(self) -> int:
        now = time.monotonic()
        if not self.leases.holds(self.lease) or now - self._last < self.every:
            return 0
        self._last = now
        return await inbox.prune()


class Poller:
    """``getUpdates`` into the inbox, while this instance holds the ``poller`` lease."""

    def __init__(self, application: Application, worker: InboxWorker, *, timeout: int = 5) -> None:
        self.application = application
        self.worker = worker
        self.timeout = timeout
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        async with self._lock:
            if self._task is None or self._task.done():
                self._task = asyncio.create_task(self._run(), name="poller")

    async def stop(self) -> None:
        async with self._lock:
            task, self._task = self._task, None
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def _run(self) -> None:
        bot = self.application.bot
        offset: int | None = None  # the unacknowledged first: the inbox drops repeats
        while True:
            try:
                updates = await bot.get_updates(
                    offset=offset,
                    timeout=self.timeout,
                    allowed_updates=Update.ALL_TYPES,
                    read_timeout=self.timeout + 10,
                )
                for update in updates:
                    await self.worker.receive(update.to_dict())
                    offset = update.update_id + 1
            except asyncio.CancelledError:
                raise
            except (TelegramError, OSError, ValueError) as exc:
                log.warning("getUpdates failed (%s); again in 1 s", type(exc).__name__)
                await asyncio.sleep(1)
            except Exception:
                log.exception("storing polled updates failed; again in 1 s")
                await asyncio.sleep(1)
