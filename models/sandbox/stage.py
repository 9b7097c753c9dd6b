"""The season's stage: a timeline of acts played in order with the store's clock moved to
each act's moment, letting time pass (the scheduler's jobs) in between.

An act is a coroutine due at an instant. :meth:`Stage.play` runs them in time order: before
an act in a new (local) hour it calls ``pass_time`` with the start of that hour (the
sandbox passes the scheduler's time travel, which runs every job that fell due since: the
expiry sweeps, reminders, birthdays, tier reviews, win-back offers, campaign alerts and
scheduled broadcasts), marks what the outbox holds by then as delivered (those members'
phones are not here: the season is history), then freezes the clock at the act's moment
and plays it. Acts may add later acts (a refund two days after a purchase, a comeback
after an offer). Days count from the season's today (0) backwards.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from models.delivery import outbox_delivery
from models.store import clock

Act = Callable[[], Awaitable[object]]
PassTime = Callable[[datetime], Awaitable[object]]
DELIVER_BATCH = 1000
HISTORY = "sandbox-season"
"""The outbox "sender" that delivers the season's messages: they were sent back then."""


class Stage:
    def __init__(self, today: datetime, tz: str, pass_time: PassTime | None) -> None:
        self.zone = ZoneInfo(tz)
        self.now = today
        self.today: date = today.astimezone(self.zone).date()
        self.pass_time = pass_time
        self._acts: list[tuple[datetime, int, Act]] = []
        self._order = itertools.count()
        self._hour: datetime | None = None

    def at(self, day: int, minute: int) -> datetime:
        """The instant of ``day`` (from today) at ``minute`` after local midnight."""
        local = datetime.combine(
            self.today + timedelta(days=day), time(minute // 60, minute % 60), self.zone
        )
        return local.astimezone(UTC)

    def day_of(self, at: datetime) -> int:
        return (at.astimezone(self.zone).date() - self.today).days

    def add(self, at: datetime, act: Act) -> None:
        """Play ``act`` at ``at`` (acts at or after the season's today are left out)."""
        if at < self.now:
            heapq.heappush(self._acts, (at, next(self._order), act))

    async def play(self) -> None:
        while self._acts:
            at, _, act = heapq.heappop(self._acts)
            local = at.astimezone(self.zone)
            hour = local.replace(minute=0, second=0, microsecond=0).astimezone(UTC)
            if self._hour is None or hour > self._hour:
                await self.until(hour)
            clock.freeze(at)
            await act()
        await self.until(self.now)

    async def until(self, at: datetime) -> None:
        """Let time pass up to ``at`` (the jobs), then deliver what they queued."""
        self._hour = at
        if self.pass_time is not None:
            await self.pass_time(at)
        clock.freeze(at)
        await deliver_history()


async def deliver_history() -> int:
    """Mark every message due by now as delivered, and close finished broadcasts."""
    delivered = 0
    while rows := await outbox_delivery.claim_due(
        DELIVER_BATCH, timedelta(minutes=5), holder=HISTORY
    ):
        await outbox_delivery.mark_sent_many([(row.id, None) for row in rows])
        delivered += len(rows)
    for broadcast in await outbox_delivery.unfinished_broadcasts():
        await outbox_delivery.finish_broadcast(broadcast.id)
    return delivered
