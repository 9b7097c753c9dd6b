"""Wiring: APScheduler triggers, the scheduler lease, and the outbox sender task.

Every instance runs the outbox sender (rows are claimed, so instances share the work).
Only the holder of the ``jobs`` lease runs jobs: each trigger first renews (or takes) the
lease, a renew job keeps it every ``renew_every``, and a standby takes over once the
holder has been silent for ``lease_ttl``, catching up every job's missed slot. A job
that runs twice anyway (a lease handover mid-run) does nothing the second time: its slot
is a ``JobRun`` key.

The composition root calls::

    handle = await start_scheduler(application, settings)   # or a telegram.Bot
    ...
    await handle.stop()
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, timedelta
from typing import TYPE_CHECKING, Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from telegram import Bot

from models.jobs import acquire_lease, release_lease
from scheduler.jobs import WEEKDAYS, Jobs, ReportHook, Schedule
from scheduler.render import TranslatorFactory
from scheduler.sender import OutboxSender
from scheduler.webhooks import WebhookHandle, start_worker

if TYPE_CHECKING:
    from bot.settings import Settings

log = logging.getLogger(__name__)

LEASE_NAME = "jobs"
MISFIRE_GRACE = int(timedelta(hours=6).total_seconds())
FREQUENT_EVERY = {"campaign-alerts": 300, "scheduled-broadcasts": 30}


class JobRunner:
    """Runs jobs only while holding the lease; usable without APScheduler (tests)."""

    def __init__(
        self,
        jobs: Jobs,
        *,
        holder: str | None = None,
        lease_ttl: timedelta = timedelta(seconds=60),
    ) -> None:
        self.jobs = jobs
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.lease_ttl = lease_ttl
        self.is_leader = False
        self._catching_up: asyncio.Task[Any] | None = None

    async def renew(self) -> bool:
        """Take or keep the lease; on gaining it, catch up every job."""
        held = await acquire_lease(LEASE_NAME, self.holder, self.lease_ttl)
        gained, self.is_leader = held and not self.is_leader, held
        if gained:
            log.info("scheduler lease taken by %s; catching up", self.holder)
            # in the background, so a long catch-up never delays the next renewal
            self._catching_up = asyncio.create_task(self._catch_up())
        return held

    async def _catch_up(self) -> None:
        try:
            await self.jobs.catch_up()
        except Exception:
            log.exception("scheduler catch-up failed; each job retries at its next trigger")

    async def run(self, name: str) -> Any:
        """A trigger fired: run job ``name`` if this instance holds the lease."""
        if not await acquire_lease(LEASE_NAME, self.holder, self.lease_ttl):
            self.is_leader = False
            return None
        self.is_leader = True
        if name in self.jobs.frequent:
            return await self.jobs.frequent[name]()
        return await self.jobs.run_periodic(name)

    async def release(self) -> None:
        if self.is_leader:
            await release_lease(LEASE_NAME, self.holder)
            self.is_leader = False


def cron_trigger(schedule: Schedule, timezone: str) -> CronTrigger:
    fields: dict[str, Any] = {"hour": schedule.at.hour, "minute": schedule.at.minute}
    if schedule.weekday is not None:
        fields["day_of_week"] = WEEKDAYS[schedule.weekday]
    if schedule.day is not None:
        fields["day"] = schedule.day
    return CronTrigger(timezone=timezone, **fields)


class SchedulerHandle:
    """What :func:`start_scheduler` started; :meth:`stop` ends it cleanly."""

    def __init__(
        self,
        scheduler: AsyncIOScheduler | None,
        runner: JobRunner | None,
        sender: OutboxSender,
        sender_task: asyncio.Task[None],
    ) -> None:
        self.scheduler = scheduler
        self.runner = runner
        self.sender = sender
        self.sender_task = sender_task
        self.webhooks: WebhookHandle | None = None

    async def stop(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
        self.sender.stop()
        await asyncio.gather(self.sender_task, return_exceptions=True)
        if self.webhooks is not None:
            await self.webhooks.stop()
        if self.runner is not None:
            await self.runner.release()


def _guarded(runner: JobRunner, name: str) -> Callable[[], Awaitable[None]]:
    async def fire() -> None:
        try:
            result = await runner.run(name)
            log.info("job %s: %s", name, result)
        except Exception:
            log.exception("job %s failed; its slot stays open for the next trigger", name)

    fire.__name__ = f"job_{name.replace('-', '_')}"
    return fire


async def start_scheduler(
    app_or_bot: Any,
    settings: Settings,
    *,
    translator: TranslatorFactory | None = None,
    weekly_report: ReportHook | None = None,
    holder: str | None = None,
) -> SchedulerHandle:
    """Start the outbox sender and (if ``scheduler.enabled``) the jobs; returns the handle.

    ``app_or_bot`` is PTB's ``Application`` (its ``bot`` is used) or a ``telegram.Bot``.
    Call after the Application is initialized and the store is open.
    """
    bot: Bot = app_or_bot if isinstance(app_or_bot, Bot) else app_or_bot.bot
    sender = OutboxSender(bot, settings, translator)
    sender_task = asyncio.create_task(sender.run(), name="outbox-sender")
    webhooks = start_worker(settings)  # its own task, session and leases
    if not settings.scheduler.enabled:
        handle = SchedulerHandle(None, None, sender, sender_task)
        handle.webhooks = webhooks
        return handle

    jobs = Jobs(settings, weekly_report=weekly_report)
    runner = JobRunner(jobs, holder=holder)
    tz = settings.scheduler.timezone
    scheduler = AsyncIOScheduler(
        timezone=UTC,
        job_defaults={"misfire_grace_time": MISFIRE_GRACE, "coalesce": True, "max_instances": 1},
    )
    for job in jobs.periodic:
        scheduler.add_job(_guarded(runner, job.name), cron_trigger(job.schedule, tz), id=job.name)
    for name, seconds in FREQUENT_EVERY.items():
        scheduler.add_job(_guarded(runner, name), IntervalTrigger(seconds=seconds), id=name)

    async def renew() -> None:
        try:
            await runner.renew()
        except Exception:
            log.exception("scheduler lease renewal failed")

    renew_every = max(1, int(runner.lease_ttl.total_seconds() / 3))
    scheduler.add_job(renew, IntervalTrigger(seconds=renew_every), id="lease")
    scheduler.start()
    scheduler.add_job(renew, id="lease-now")  # take the lease and catch up right away
    handle = SchedulerHandle(scheduler, runner, sender, sender_task)
    handle.webhooks = webhooks
    return handle
