"""One send pace for every instance: replies first, bulk with headroom.

:class:`SharedPace` hands out send slots. On PostgreSQL (several instances) the budget is
the ``send_pace`` row (:mod:`models.delivery.pace`); on SQLite (one instance) it is an in-process
bucket with the same rules, so a single instance needs no extra write per reply.

* A reply (:meth:`reply_slot`) books the next free slot at once, however far ahead.
* The outbox sender (:meth:`bulk_slot`) books blocks of ``BLOCK`` seconds, only while
  less than half a block is booked ahead, so a reply waits behind at most 1.5 blocks (0.3 s). While
  replies were booked in the last ``REPLY_RECENT`` seconds, bulk books at ``1 − HEADROOM``
  of the rate, leaving the rest for people talking to the bot.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Callable

from models.delivery import pace
from models.store.db import dialect
from scheduler.ratelimit import DEFAULT_MARGIN, TOLERANCE

BLOCK = 0.2
HEADROOM = 0.25
REPLY_RECENT = 5.0
_RETRY = 0.02


class SharedPace:
    """Send slots shared by replies and the outbox sender (and, on PostgreSQL, instances)."""

    def __init__(
        self,
        per_second: float,
        *,
        margin: float = DEFAULT_MARGIN,
        shared: bool | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.spacing = 1.0 / (per_second * (1.0 - margin))
        self._shared = shared
        self._clock = clock
        self._tat = 0.0  # the in-process budget (SQLite)
        self._reply_at = 0.0
        self._slots: deque[float] = deque()
        self._lock = asyncio.Lock()
        self._ready = False

    @property
    def shared(self) -> bool:
        if self._shared is None:
            self._shared = dialect() == "postgres"
        return self._shared

    async def _book(self, span: float, *, reply: bool, horizon: float | None) -> float | None:
        """Book ``span`` seconds; the start, or ``None`` when booked beyond the horizon."""
        now = self._clock()
        if not self.shared:
            if horizon is not None and self._tat > now + horizon:
                return None
            start = max(self._tat, now)
            self._tat = start + span
            if reply:
                self._reply_at = now
            return start
        if not self._ready:
            await pace.ensure()
            self._ready = True
        booking = await pace.book(span, horizon=horizon, reply=reply, now=now)
        if booking is None:
            return None
        self._reply_at = booking.reply_at
        return booking.start

    async def reply_slot(self) -> float:
        """Wait for the next free slot (an interactive reply goes before queued bulk);
        how long its slot lay ahead when it was booked."""
        start = await self._book(self.spacing, reply=True, horizon=None)
        assert start is not None
        wait = start - self._clock()
        if wait > 0:
            await asyncio.sleep(wait)
        return max(0.0, wait)

    @property
    def bulk_spacing(self) -> float:
        talking = self._clock() - self._reply_at < REPLY_RECENT
        return self.spacing / (1.0 - HEADROOM) if talking else self.spacing

    async def bulk_slot(self) -> None:
        """Wait for a slot of the outbox sender's."""
        async with self._lock:
            while True:
                now = self._clock()
                while self._slots and self._slots[0] < now - TOLERANCE:
                    self._slots.popleft()  # booked but left unused: gone
                if self._slots:
                    at = self._slots.popleft()
                    break
                spacing = self.bulk_spacing
                count = max(1, math.floor(BLOCK / spacing)) if self.shared else 1
                start = await self._book(count * spacing, reply=False, horizon=BLOCK / 2)
                if start is None:
                    await asyncio.sleep(_RETRY if not self.shared else BLOCK / 4)
                    continue
                self._slots.extend(start + i * spacing for i in range(count))
        wait = at - self._clock()
        if wait > 0:
            await asyncio.sleep(wait)
