"""Wiring: APScheduler triggers, the ``jobs`` and ``sender`` leases, the outbox sender.

Leases are kept by the instance's heartbeat (:mod:`scheduler.leases`). Only the holder of
the ``sender`` lease runs the outbox sender, so the send pace and the per-chat limit hold
for all instances together. Only the holder of the ``jobs`` lease runs jobs: each trigger
first renews (or takes) the lease, and a standby takes over once the holder has been silent
for the lease's ttl, catching up every job's missed slot. A job that runs twice anyway (a
lease handover mid-run) does nothing the second time: its slot is a ``JobRun`` key.

The composition root calls::

    handle = await start_scheduler(application, settings)   # or a telegram.Bot
    ...
    await handle.stop()
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, timedelta
from typing import TYPE_CHECKING, Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from telegram import Bot

from models.delivery import outbox_delivery
from models.store.jobs import AlreadyRan, Ran, release_lease
from observability.metrics import JOB_FAILURES, JOB_RUNS
from scheduler.jobs import WEEKDAYS, Jobs, ReportHook, Schedule
from scheduler.leases import DEFAULT_TTL, Leases, instance_id
from scheduler.pace import SharedPace
from scheduler.render import TranslatorFactory
from scheduler.sender import OutboxSender
from scheduler.webhooks import WebhookHandle, start_worker

if TYPE_CHECKING:
    from bot.settings import Settings

log = logging.getLogger(__name__)

LEASE_NAME = "jobs"
SENDER_LEASE = "sender"
MISFIRE_GRACE = int(timedelta(hours=6).total_seconds())
FREQUENT_EVERY = {"campaign-alerts": 300, "scheduled-broadcasts": 30, "audiences": 300}


class JobRunner:
    """Runs jobs only while holding the ``jobs`` lease; usable without APScheduler (tests)."""

    def __init__(
        self,
        jobs: Jobs,
        *,
        holder: str | None = None,
        lease_ttl: timedelta = DEFAULT_TTL,
        leases: Leases | None = None,
    ) -> None:
        self.jobs = jobs
        self.leases = leases or Leases(holder or instance_id(), lease_ttl)
        self.holder = self.leases.holder
        self._catching_up: asyncio.Task[Any] | None = None
        self.leases.want(LEASE_NAME, on_gain=self._gained)

    @property
    def is_leader(self) -> bool:
        return self.leases.holds(LEASE_NAME)

    async def renew(self) -> bool:
        """Take or keep the lease (the heartbeat does this too); on gaining it, catch up."""
        held = await self.leases.confirm(LEASE_NAME)
        await asyncio.sleep(0)  # let the gain hook start the catch-up
        return held

    async def take_lease(self) -> bool:
        """Take (or keep) the lease now and wait for the catch-up that gaining it started,
        so that time travel (:mod:`scheduler.timetravel`) runs jobs after it, never beside it."""
        held = await self.renew()
        task = self._catching_up
        if held and task is not None and task is not asyncio.current_task():
            await task
        return held

    async def _gained(self) -> None:
        log.info("scheduler lease taken by %s; catching up", self.holder)
        # its own task, so a long catch-up never delays the heartbeat
        self._catching_up = asyncio.current_task()
        try:
            await self.jobs.catch_up()
        except Exception:
            log.exception("scheduler catch-up failed; each job retries at its next trigger")

    async def run(self, name: str) -> Any:
        """A trigger fired: run job ``name`` if this instance holds the lease."""
        if not await self.leases.confirm(LEASE_NAME):
            return None
        if name in self.jobs.frequent:
            return await self.jobs.frequent[name]()
        return await self.jobs.run_periodic(name)

    async def release(self) -> None:
        if self.is_leader:
            await release_lease(LEASE_NAME, self.holder)
            self.leases.held.discard(LEASE_NAME)


def cron_trigger(schedule: Schedule, timezone: str) -> CronTrigger:
    fields: dict[str, Any] = {"hour": schedule.at.hour, "minute": schedule.at.minute}
    if schedule.weekday is not None:
        fields["day_of_week"] = WEEKDAYS[schedule.weekday]
    if schedule.day is not None:
        fields["day"] = schedule.day
    return CronTrigger(timezone=timezone, **fields)


class SenderUnderLease:
    """Runs the outbox sender only while this instance holds the ``sender`` lease.

    One sender for all instances keeps the per-chat limit and the pacing exact; when its
    instance dies, another takes the lease within its ttl, frees the dead one's claims
    (:func:`models.delivery.outbox_delivery.reset_claims`) and carries on.
    """

    def __init__(self, sender: OutboxSender, leases: Leases) -> None:
        self.sender = sender
        self.task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        leases.want(SENDER_LEASE, on_gain=self.start, on_loss=self.stop)

    async def start(self) -> None:
        async with self._lock:
            if self.task is None or self.task.done():
                await outbox_delivery.reset_claims()
                self.task = asyncio.create_task(self.sender.run(), name="outbox-sender")

    async def stop(self) -> None:
        async with self._lock:
            self.sender.stop()
            if self.task is not None:
                await asyncio.gather(self.task, return_exceptions=True)


class SchedulerHandle:
    """What :func:`start_scheduler` started; :meth:`stop` ends it cleanly."""

    def __init__(
        self,
        scheduler: AsyncIOScheduler | None,
        runner: JobRunner | None,
        sending: SenderUnderLease,
        leases: Leases,
        *,
        own_leases: bool,
    ) -> None:
        self.scheduler = scheduler
        self.runner = runner
        self.sending = sending
        self.sender = sending.sender
        self.leases = leases
        self._own_leases = own_leases
        self.webhooks: WebhookHandle | None = None

    @property
    def sender_task(self) -> asyncio.Task[None] | None:
        return self.sending.task

    async def stop(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
        if self._own_leases:
            await self.leases.stop()  # runs the loss hooks: the sender finishes
        await self.sending.stop()
        if self.webhooks is not None:
            await self.webhooks.stop()
        if self.runner is not None:
            await self.runner.release()


def did_something(result: Any) -> bool:
    """Whether a job's result is worth a log line: it ran and changed or sent something
    (a job every 30 s that found nothing to do must not fill the log)."""
    if result is None or isinstance(result, AlreadyRan):
        return False
    if isinstance(result, Ran):
        result = result.result
    if isinstance(result, dict):
        return any(did_something(v) for v in result.values())
    if isinstance(result, list | tuple | set):
        return any(did_something(v) for v in result)
    return bool(result)


def _guarded(runner: JobRunner, name: str) -> Callable[[], Awaitable[None]]:
    async def fire() -> None:
        JOB_RUNS.labels(name).inc()
        try:
            result = await runner.run(name)
            level = logging.INFO if did_something(result) else logging.DEBUG
            log.log(level, "job %s: %s", name, result)
        except Exception:
            JOB_FAILURES.labels(name).inc()
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
    leases: Leases | None = None,
    pace: SharedPace | None = None,
) -> SchedulerHandle:
    """Start the outbox sender (under its lease) and, if ``scheduler.enabled``, the jobs.

    ``app_or_bot`` is PTB's ``Application`` (its ``bot`` is used) or a ``telegram.Bot``.
    ``leases``: the instance's heartbeat (the caller starts and stops it); without it one
    is made for ``holder`` and started and stopped here. Call after the store is open.
    """
    bot: Bot = app_or_bot if isinstance(app_or_bot, Bot) else app_or_bot.bot
    own_leases = leases is None
    if leases is None:
        leases = Leases(holder or instance_id())
    sender = OutboxSender(bot, settings, translator, pace=pace, holder=leases.holder)
    sending = SenderUnderLease(sender, leases)
    webhooks = start_worker(settings)  # its own task, session and leases
    if not settings.scheduler.enabled:
        if own_leases:
            leases.start()
        handle = SchedulerHandle(None, None, sending, leases, own_leases=own_leases)
        handle.webhooks = webhooks
        return handle

    jobs = Jobs(settings, weekly_report=weekly_report)
    runner = JobRunner(jobs, leases=leases)
    tz = settings.scheduler.timezone
    scheduler = AsyncIOScheduler(
        timezone=UTC,
        job_defaults={"misfire_grace_time": MISFIRE_GRACE, "coalesce": True, "max_instances": 1},
    )
    for job in jobs.periodic:
        scheduler.add_job(_guarded(runner, job.name), cron_trigger(job.schedule, tz), id=job.name)
    for name, seconds in FREQUENT_EVERY.items():
        scheduler.add_job(_guarded(runner, name), IntervalTrigger(seconds=seconds), id=name)
    scheduler.start()
    if own_leases:
        leases.start()  # the first beat takes the leases and catches up right away
    handle = SchedulerHandle(scheduler, runner, sending, leases, own_leases=own_leases)
    handle.webhooks = webhooks
    return handle
