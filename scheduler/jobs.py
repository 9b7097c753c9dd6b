"""The scheduler's jobs: each idempotent through the database, each catching up.

Periodic jobs (sweep, reminders, birthdays, tier review, weekly report) run once per
*slot*: the most recent time the job fell due in ``scheduler.timezone``. The slot is the
``JobRun`` key, so a duplicate trigger or a second instance does nothing, and a process
that was down runs the missed slot once when it comes back (the work itself covers the
whole gap: ``expire_due(now)`` expires everything due by now). Frequent jobs (campaign
alerts, scheduled broadcasts) are idempotent by conditional updates and dedupe keys.
Every job takes "now" from :func:`models.store.clock.now`.
"""

from __future__ import annotations

import calendar
import logging
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, is_dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from models import ledger
from models.ledger import rule_versions, tiers
from models.marketing import audiences, birthdays, offers, reminders
from models.reports import weekly
from models.store import backup, clock
from models.store.jobs import AlreadyRan, Ran, run_once

if TYPE_CHECKING:
    from bot.settings import Settings

log = logging.getLogger(__name__)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ReportHook = Callable[[datetime], Awaitable[Any]]


@dataclass(frozen=True)
class Schedule:
    """When a periodic job falls due: daily, weekly (``weekday`` 0=Mon) or monthly (``day``)."""

    at: time
    weekday: int | None = None
    day: int | None = None

    @classmethod
    def parse(cls, text: str, **kw: int) -> Schedule:
        """``"03:30"`` or ``"mon 09:00"``."""
        *wd, hhmm = text.split()
        hour, minute = (int(p) for p in hhmm.split(":"))
        weekday = WEEKDAYS.index(wd[0]) if wd else None
        return cls(time(hour, minute), weekday=weekday, **kw)

    def last_slot(self, now: datetime, zone: ZoneInfo) -> datetime:
        """The most recent due time at or before ``now`` (aware, in ``zone``)."""
        local = now.astimezone(zone)
        day = local.date()
        for _ in range(400):
            slot = datetime.combine(day, self.at, zone)
            if slot <= local and self._matches(day):
                return slot
            day -= timedelta(days=1)
        raise AssertionError("no slot within 400 days")  # pragma: no cover

    def next_slot(self, after: datetime, zone: ZoneInfo) -> datetime:
        """The first due time strictly after ``after`` (aware, in ``zone``): where time
        travel (:mod:`scheduler.timetravel`) stops next for this job."""
        local = after.astimezone(zone)
        day = local.date()
        for _ in range(400):
            slot = datetime.combine(day, self.at, zone)
            if slot > local and self._matches(day):
                return slot
            day += timedelta(days=1)
        raise AssertionError("no slot within 400 days")  # pragma: no cover

    def _matches(self, day: Any) -> bool:
        if self.weekday is not None and day.weekday() != self.weekday:
            return False
        if self.day is not None:
            return day.day == min(self.day, calendar.monthrange(day.year, day.month)[1])
        return True


def _plain(value: Any) -> dict[str, Any]:
    if is_dataclass(value) and not isinstance(value, type):
        return {k: v for k, v in asdict(value).items() if isinstance(v, int | str | None)}
    if isinstance(value, list):
        return {"count": len(value)}
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if isinstance(v, int | str | None)}
    return {}


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    schedule: Schedule
    work: Callable[[datetime], Awaitable[Any]]


class Jobs:
    """The job functions, bound to the settings (and an optional weekly report hook)."""

    def __init__(self, settings: Settings, *, weekly_report: ReportHook | None = None) -> None:
        s, o = settings.scheduler, settings.offers
        self.settings = settings
        self.offers = o
        self.zone = ZoneInfo(s.timezone)
        self.tz = s.timezone
        self.birthday_points = s.birthday_bonus_points
        self.weekly_report_hook = weekly_report or _default_weekly_report()
        sweep = Schedule.parse(s.expiry_sweep_time)
        morning = Schedule.parse(s.reminder_time)
        self.periodic = [
            PeriodicJob("expiry-sweep", sweep, self._sweep),
            PeriodicJob("expiry-reminders", morning, self._reminders),
            PeriodicJob("birthday-bonus", morning, self._birthdays),
            PeriodicJob(
                "tier-review",
                Schedule(sweep.at, day=s.tier_review_day),
                self._tier_review,
            ),
            PeriodicJob("weekly-report", Schedule.parse(s.weekly_report), self._weekly_report),
            *(
                [PeriodicJob("backup", Schedule.parse(settings.backup.schedule), self._backup)]
                if settings.backup.schedule
                else []
            ),
            PeriodicJob("winback-offers", Schedule.parse(o.winback_time), self._winback),
        ]
        self.frequent: dict[str, Callable[[], Awaitable[Any]]] = {
            "campaign-alerts": self.campaign_alerts,
            "scheduled-broadcasts": self.scheduled_broadcasts,
            "audiences": self.audiences,
        }

    def job(self, name: str) -> PeriodicJob:
        return next(j for j in self.periodic if j.name == name)

    async def run_periodic(self, name: str) -> Ran | AlreadyRan:
        """Run ``name`` for its latest slot, unless that slot already ran."""
        job = self.job(name)
        now = clock.now()
        slot = job.schedule.last_slot(now, self.zone)

        async def work() -> dict[str, Any]:
            return _plain(await job.work(now))

        return await run_once(job.name, f"{job.name}:{slot.isoformat()}", work)

    async def catch_up(self) -> dict[str, Any]:
        """Run every job's latest slot if it has not run (on start and on taking the lease)."""
        results: dict[str, Any] = {}
        for job in self.periodic:
            results[job.name] = await self.run_periodic(job.name)
        for name, work in self.frequent.items():
            results[name] = await work()
        return results

    # ---- the work ----

    async def _sweep(self, now: datetime) -> Any:
        return await ledger.expire_due(now)

    async def _reminders(self, now: datetime) -> Any:
        _version, rules = await rule_versions.current()
        return await reminders.queue_expiry_reminders(rules.expiry.reminder_days, self.tz, now)

    async def _birthdays(self, now: datetime) -> Any:
        return await birthdays.grant_birthday_bonuses(self.birthday_points, self.tz, now)

    async def _tier_review(self, now: datetime) -> Any:
        return await tiers.review(now)

    async def _backup(self, now: datetime) -> Any:
        """A snapshot into ``backup.dir``, keeping the newest ``backup.keep``."""
        url = self.settings.database.url
        folder = Path(self.settings.backup.dir)
        local = now.astimezone(self.zone)  # named in the shop's time, as people read it
        done = await backup.backup(url, folder / backup.snapshot_name(url, local))
        pruned = backup.prune(folder, self.settings.backup.keep)
        return {"bytes": done.bytes, "pruned": len(pruned)}

    async def _weekly_report(self, now: datetime) -> Any:
        if self.weekly_report_hook is None:
            log.info("weekly report: no hook installed (see scheduler.jobs docs)")
            return None
        return await self.weekly_report_hook(now)

    async def _winback(self, now: datetime) -> Any:
        if not self.offers.winback_enabled:
            return None
        o = self.offers
        knobs = offers.WinbackSettings(
            o.winback_multiplier,
            o.winback_valid_days,
            o.winback_cooldown_days,
            o.winback_silent_days,
            o.winback_control_percent,
        )
        return await offers.issue_winback(knobs, self.tz, now)

    async def audiences(self) -> Any:
        """Freeze snapshot audiences of campaigns that started, refresh live ones."""
        return await audiences.refresh_due(clock.now())

    async def campaign_alerts(self) -> Any:
        await audiences.refresh_due(clock.now(), new_only=True)  # who a start alert goes to
        return await reminders.queue_campaign_alerts(self.tz)

    async def scheduled_broadcasts(self) -> Any:
        """Start broadcasts whose time has come (``scheduled`` → ``sending`` + deliveries).

        Calls ``models.marketing.broadcasts.start_due(now)``, which must flip each due
        broadcast by a
        conditional update and queue its deliveries in the same transaction; until that
        module exists this job does nothing.
        """
        try:
            from models.marketing import broadcasts  # type: ignore[attr-defined]
        except ImportError:
            return None
        start_due = getattr(broadcasts, "start_due", None)
        return None if start_due is None else await start_due(clock.now())


def _default_weekly_report() -> ReportHook | None:
    """The weekly sender: :func:`models.reports.weekly.queue_weekly_reports`, which queues
    the report for every admin with ``StaffRole.weekly_report`` (outbox ``dedupe_key`` per
    admin and week). Pass ``weekly_report=`` to ``start_scheduler`` to use another function.
    """
    return weekly.queue_weekly_reports
