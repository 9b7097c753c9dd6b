"""Quiescence: knowing when the bot has finished replying (see server.py's docstring), and
running a PTB Application against the emulator so that it can be known exactly."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseUpdateProcessor,
    SimpleUpdateProcessor,
)

from bot.emulator.core import EmulatorState


class SettleTimeout(TimeoutError):
    """The bot did not fetch an update or did not go quiet in time."""


class SettlingUpdateProcessor(BaseUpdateProcessor):
    """Wraps the Application's update processor (PTB's sequential one by default) and tells the
    emulator when each update's handlers have returned, which makes quiescence exact.

    Use `builder.concurrent_updates(emu.update_processor(inner))`, or `emu.track(app)` for an
    Application built elsewhere (`emu.polling(app)` does that itself).
    """

    def __init__(self, emulator: SettleMixin, inner: BaseUpdateProcessor | None = None):
        inner = inner or SimpleUpdateProcessor(1)
        super().__init__(inner.max_concurrent_updates)
        self.inner = inner
        self._emulator = emulator

    async def initialize(self) -> None:
        await self.inner.initialize()
        self._emulator._tracking_processors += 1

    async def shutdown(self) -> None:
        self._emulator._tracking_processors -= 1
        await self.inner.shutdown()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        self._emulator._processing_started()
        try:
            await self.inner.process_update(update, coroutine)
        finally:
            self._emulator._processing_finished(getattr(update, "update_id", None))


class SettleMixin(EmulatorState):
    """Waiting for the bot to go quiet, and running an Application so that waiting is exact."""

    def application_builder(self) -> ApplicationBuilder:
        """An ApplicationBuilder already pointed at this emulator."""
        return (
            ApplicationBuilder()
            .token(self.token)
            .base_url(self.base_url)
            .base_file_url(self.base_file_url)
        )

    def update_processor(self, inner: BaseUpdateProcessor | None = None) -> SettlingUpdateProcessor:
        """For `builder.concurrent_updates(...)`: wraps `inner` (default: PTB's sequential
        processing) so that quiescence waits for handlers exactly."""
        return SettlingUpdateProcessor(self, inner)

    def track(self, app: Application) -> Application:
        """Wraps the update processor of an Application built elsewhere (e.g. jifen's own
        factory) in a `SettlingUpdateProcessor`; call before the Application is initialized.

        PTB has no public setter for the processor, so this replaces the private attribute
        `Application._update_processor`; it is test tooling, checked by the emulator's tests.
        """
        if isinstance(app.update_processor, SettlingUpdateProcessor):
            return app
        if app._initialized:
            raise RuntimeError("track() the Application before initializing it")
        app._update_processor = SettlingUpdateProcessor(self, app.update_processor)
        return app

    @contextlib.asynccontextmanager
    async def polling(
        self, app: Application, *, track: bool = True, **start_polling: Any
    ) -> AsyncIterator[Application]:
        """Runs `app` with long polling against this emulator for the duration of the block,
        in the order of PTB's `run_polling` (initialize, post_init, polling, start; then
        stop polling, stop, post_stop, shutdown, post_shutdown), so the factory's hooks run as
        in production. Tracked for exact quiescence unless `track=False`."""
        if track:
            self.track(app)
        start_polling.setdefault("poll_interval", 0)
        updater = app.updater
        if updater is None:
            raise ValueError("the Application was built without an Updater")
        await app.initialize()
        try:
            if app.post_init:
                await app.post_init(app)
            await updater.start_polling(**start_polling)
            await app.start()
            yield app
        finally:
            if updater.running:
                await updater.stop()
            if app.running:
                await app.stop()
                if app.post_stop:
                    await app.post_stop(app)
            await app.shutdown()
            if app.post_shutdown:
                await app.post_shutdown(app)

    def add_busy_check(self, check: Callable[[], bool]) -> None:
        """Quiescence also waits until `check()` is False (e.g. "the outbox is not empty")."""
        self._busy_checks.append(check)

    def remove_busy_check(self, check: Callable[[], bool]) -> None:
        self._busy_checks.remove(check)

    async def settle(
        self,
        update_id: int | None = None,
        *,
        idle: float | None = None,
        max_wait: float | None = None,
    ) -> None:
        """Waits until the bot has fetched (and, if tracked, handled) `update_id` and then gone
        quiet for `idle` seconds; see the module docstring."""
        idle = self.idle if idle is None else idle
        deadline = time.monotonic() + (self.settle_timeout if max_wait is None else max_wait)
        if update_id is not None:
            await self._wait_until(
                lambda: self._delivered_upto >= update_id,
                deadline,
                f"the bot did not fetch update {update_id}: is the Application polling "
                f"(or its webhook set) against {self.base_url}?",
            )
            if self._tracking_processors:
                await self._wait_until(
                    lambda: update_id in self._processed or update_id in self._dropped,
                    deadline,
                    f"the bot's handlers did not finish update {update_id}",
                )
                self._processed.discard(update_id)
        while True:
            now = time.monotonic()
            busy = (
                self._inflight > 0
                or self._processing > 0
                or any(check() for check in self._busy_checks)
            )
            quiet = now - self._last_activity
            if not busy and quiet >= idle:
                return
            if now >= deadline:
                raise SettleTimeout(
                    f"the bot did not go quiet for {idle}s (calls in flight: "
                    f"{self._inflight}, updates in handlers: {self._processing})"
                )
            wait = 0.01 if busy else idle - quiet
            await self._progress.wait(max(0.001, min(wait, deadline - now)))

    async def _wait_until(self, condition: Callable[[], bool], deadline: float, what: str) -> None:
        while not condition():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise SettleTimeout(what)
            await self._progress.wait(remaining)

    def _processing_started(self) -> None:
        self._processing += 1
        self._touch()

    def _processing_finished(self, update_id: int | None) -> None:
        self._processing -= 1
        if update_id is not None:
            self._processed.add(update_id)
        self._touch()
