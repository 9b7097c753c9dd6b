"""Time travel: move the store's clock forward and run every job that falls due on the way.

:func:`advance_to` walks from now to ``target`` and stops wherever something is due: every
slot of every periodic job (:meth:`scheduler.jobs.Schedule.next_slot`: expiry sweeps,
reminders, birthdays, tier reviews, weekly reports, win-back offers) and every moment the
frequent jobs have work (a campaign starts, is reminded of a day before its end, or ends;
a scheduled broadcast is due: :func:`models.marketing.calendar.next_moment`). At each stop
it freezes :mod:`models.store.clock` there and runs, in the scheduler's own order, the
periodic jobs due then and after them the frequent jobs, each through
:meth:`scheduler.runner.JobRunner.run`: the path APScheduler's triggers take, under the
``jobs`` lease. So a jump is the days it skips, in order and once: a periodic slot is a
``JobRun`` key (a trigger or catch-up for it later does nothing), the frequent jobs are
idempotent by their own conditional updates. Messages the jobs queue are outbox rows,
delivered by the sender as usual.

The frequent jobs run at those moments instead of every 30 seconds to 5 minutes: what
they do depends on those moments (and live audiences are refreshed at every stop, at
least daily), so the outcome is the same and a year takes seconds, not 100,000 runs.

The clock is left frozen at ``target``; the caller lets it run on from there
(:func:`models.store.clock.run_from`) or keeps moving it (the sandbox's season).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from models.marketing import calendar
from models.reports import weekly
from models.store import clock
from models.store.jobs import AlreadyRan, Ran
from scheduler.jobs import Jobs
from scheduler.runner import SENDER_LEASE, JobRunner, SchedulerHandle

if TYPE_CHECKING:
    from bot.settings import Settings

DAY = timedelta(days=1)
Progress = Callable[[int, int], None]
"""``progress(day, days)``: called at every stop, ``day`` counted from 1."""


class LeaseElsewhere(RuntimeError):
    """Another instance holds the ``jobs`` lease: only the holder may run jobs."""


@dataclass
class Travelled:
    """What a jump did: where it started and ended, its stops, and per periodic job the
    slots that ran (slots some trigger had already run are in ``already``)."""

    start: datetime
    end: datetime
    stops: int = 0
    ran: dict[str, int] = field(default_factory=dict)
    already: dict[str, int] = field(default_factory=dict)


def due_slots(jobs: Jobs, start: datetime, end: datetime) -> list[tuple[datetime, str]]:
    """Every periodic job's slots in ``(start, end]``, in the order a jump runs them:
    by time, and at one time in the order of ``jobs.periodic``."""
    found: list[tuple[datetime, int, str]] = []
    for order, job in enumerate(jobs.periodic):
        at = job.schedule.next_slot(start, jobs.zone)
        while at <= end:
            found.append((at, order, job.name))
            at = job.schedule.next_slot(at, jobs.zone)
    return [(at, name) for at, _, name in sorted(found)]


def days_between(start: datetime, end: datetime) -> int:
    """How many days a jump spans, counting a part of a day as one (at least 1)."""
    return max(1, math.ceil((end - start) / DAY))


async def advance_to(
    runner: JobRunner,
    target: datetime,
    *,
    progress: Progress | None = None,
    settle: bool = True,
) -> Travelled:
    """Move the clock to ``target``, running what falls due on the way (see the module
    docstring). ``settle``: run the frequent jobs once more at ``target`` itself. Raises
    :class:`LeaseElsewhere` when another instance holds the ``jobs`` lease."""
    start = clock.now()
    travelled = Travelled(start, max(start, target))
    if target <= start:
        return travelled
    if not await runner.take_lease():
        raise LeaseElsewhere(runner.holder)
    jobs = runner.jobs
    periodic = [(at.astimezone(UTC), name) for at, name in due_slots(jobs, start, target)]
    days = days_between(start, target)
    at, i = start, 0
    while True:
        moments = [periodic[i][0]] if i < len(periodic) else []
        event = await calendar.next_moment(at, target)
        moments += [event] if event is not None else []
        if not moments:
            break
        at = min(moments)
        clock.freeze(at)
        while i < len(periodic) and periodic[i][0] == at:
            await _run(runner, periodic[i][1], travelled)
            i += 1
        for name in jobs.frequent:
            await _run(runner, name, travelled)
        travelled.stops += 1
        if progress is not None:
            progress(min(days, (at - start) // DAY + 1), days)
    clock.freeze(target)
    if settle:
        for name in jobs.frequent:
            await _run(runner, name, travelled)
    if progress is not None:
        progress(days, days)
    return travelled


async def _run(runner: JobRunner, name: str, travelled: Travelled) -> None:
    result = await runner.run(name)
    if result is None and not await runner.take_lease():
        raise LeaseElsewhere(runner.holder)
    if isinstance(result, Ran):
        travelled.ran[name] = travelled.ran.get(name, 0) + 1
    elif isinstance(result, AlreadyRan):
        travelled.already[name] = travelled.already.get(name, 0) + 1


@contextlib.asynccontextmanager
async def triggers_held(handle: SchedulerHandle | None) -> AsyncIterator[None]:
    """While time jumps, hold what assumes the clock moves with real time: APScheduler's
    triggers (paused) and the outbox sender (stopped: its claims are leases in store time,
    so a jump would lapse a claim while its message is in flight and the row would go
    twice). Both resume afterwards, the sender with everything the jump queued."""
    triggers = handle.scheduler if handle is not None else None
    sending = handle.sending if handle is not None else None
    if triggers is not None:
        triggers.pause()
    if sending is not None:
        await sending.stop()
    try:
        yield
    finally:
        if sending is not None and handle is not None and handle.leases.holds(SENDER_LEASE):
            await sending.start()
        if triggers is not None:
            triggers.resume()


def standalone_runner(settings: Settings, holder: str) -> JobRunner:
    """A runner with the scheduler's jobs (and the weekly report hook the bot installs),
    for when this process's scheduler does not run jobs (``scheduler.enabled`` off, or
    before the bot starts: the sandbox seeding its season). Call ``release()`` after."""
    hook = weekly.hook(settings.scheduler.timezone, settings.access.admins)
    return JobRunner(Jobs(settings, weekly_report=hook), holder=holder)
