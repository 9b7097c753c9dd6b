"""The loop every queue worker runs: the inbox worker (``bot.inbox``), the outbox sender
(``scheduler.sender``) and the webhook worker (``scheduler.webhooks``).

What is shared, here once: a *turn* (the driver's own: claim a batch through
:mod:`models.delivery.leases` and hand it on) is run again at once while it says there may
be more; otherwise the loop waits for a wake-up (:meth:`WorkerLoop.wake`: something was
queued, or a slot freed) or the poll interval, whichever comes first, until
:meth:`WorkerLoop.stop`. The wake-up is cleared *before* each turn, so one that arrives
while the turn runs ends the next wait at once instead of being lost. On the way out (a
stop or a cancellation) the driver's ``settle`` runs: hand back what was claimed but not
started, let work in flight finish.

What stays with each driver, because it genuinely differs: what a turn claims and how it
processes it (windows, pacing, per-endpoint limits), whether a failed turn is logged and
tried again after the wait (inbox, webhooks) or ends the loop (the sender, as before),
when the stop flag is re-armed (the sender and the webhook worker on each ``run()``; the
inbox worker in ``start()``, so a ``stop()`` before its task first runs still stops it),
and renewing claims: only the inbox renews, on the instance's heartbeat
(:meth:`scheduler.leases.Leases.on_beat`); the sender and the webhook worker take leases
longer than their work (the sender stops dispatching at 80 % of it).

This module imports nothing but asyncio: any driver may use it, from ``scheduler`` or
from ``bot``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable


class WorkerLoop:
    """Claim → process → idle wait, until stopped; ``interval`` gives the poll interval
    (read on every wait, so a driver's ``poll_interval`` may be changed while it runs);
    failures are logged to the driver's ``log``."""

    def __init__(self, interval: Callable[[], float], log: logging.Logger) -> None:
        self.interval = interval
        self.log = log
        self.stopping = False
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Look for work now instead of at the end of the current wait."""
        self._wake.set()

    def stop(self) -> None:
        """Run no further turn; the loop returns after the current one (and ``settle``)."""
        self.stopping = True
        self._wake.set()

    def rearm(self) -> None:
        """Undo :meth:`stop`, before the loop is run again."""
        self.stopping = False

    async def run(
        self,
        turn: Callable[[], Awaitable[bool]],
        *,
        settle: Callable[[], Awaitable[None]] | None = None,
        failure: str | None = None,
    ) -> None:
        """Run ``turn`` until :meth:`stop`; ``turn`` returns whether to go again at once.

        ``failure``: a turn that raises is logged with this message and the loop waits and
        goes on; without it the exception ends the loop (after ``settle``).
        """
        try:
            while not self.stopping:
                self._wake.clear()
                try:
                    again = await turn()
                except Exception:
                    if failure is None:
                        raise
                    self.log.exception(failure)
                    again = False
                if not again and not self.stopping:
                    await self.idle()
        finally:
            if settle is not None:
                await settle()

    async def idle(self) -> None:
        """Wait for a wake-up, at most the poll interval."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), self.interval())
