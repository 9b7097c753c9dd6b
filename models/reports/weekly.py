"""The weekly report: opt-in per admin or marketer, queued once per person and ISO week.

``StaffRole.weekly_report`` is the opt-in. Admins listed in ``access.admins`` have no
role row, so opting in creates an *inactive* row for them (role admin, ``active`` false,
never revoked): it grants nothing (:func:`models.access.staff.role_of` reads active rows only)
and only carries the flag. A revoked person's row keeps ``revoked_at``, which is how the
two kinds of inactive row are told apart.

:func:`queue_weekly_reports` is the scheduler's hook (``models.reports.summary`` re-exports it):
the report is computed once, outside any transaction, then one outbox row per recipient
is queued with the dedupe key ``weekly:<telegram_id>:<iso-week>``, so a second run in the
same week queues nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.expressions import Q

from models.delivery import outbox
from models.ledger import rule_versions
from models.reports.messages import summary_message
from models.reports.periods import Period, zone
from models.reports.summary import summary
from models.store import clock, db
from models.store.tables import Member, Role, StaffRole

DEFAULT_TIMEZONE = "Asia/Shanghai"
"""``scheduler.timezone``'s default, used when the hook is called with ``now`` only."""

WEEKLY_TEMPLATE = "reports-weekly"
REPORT_ROLES = (Role.ADMIN, Role.MARKETER)


@dataclass(frozen=True)
class WeeklyQueued:
    """How many weekly reports a run queued, and how many were already queued this week."""

    queued: int
    already: int
    week: str


@dataclass(frozen=True)
class WeeklySet:
    """The opt-in after ``/report weekly on|off``."""

    telegram_id: int
    enabled: bool


def last_week(now: datetime, tz: str) -> Period:
    """The seven whole local days before today."""
    zone_info = zone(tz) or zone(DEFAULT_TIMEZONE)
    assert zone_info is not None
    today = now.astimezone(zone_info).date()
    return Period.of_days(today - timedelta(days=7), today - timedelta(days=1), zone_info)


def iso_week(now: datetime, tz: str) -> str:
    """``2026-W12``: the dedupe unit (the week the run happens in, local time)."""
    zone_info = zone(tz) or zone(DEFAULT_TIMEZONE)
    year, week, _ = now.astimezone(zone_info).isocalendar()
    return f"{year}-W{week:02d}"


async def set_weekly_report(
    telegram_id: int, enabled: bool, *, config_admin: bool = False
) -> WeeklySet | None:
    """Switch the weekly report on or off; ``None`` if the person has no report role.

    ``config_admin``: the caller is in ``access.admins`` (checked by the caller, who has
    the settings); without an active row one is created inactive, carrying only the flag.
    """
    async with db.write_transaction() as conn:
        row = await StaffRole.get_or_none(telegram_id=telegram_id).using_db(conn)
        has_role = row is not None and row.active and row.role in REPORT_ROLES
        if not has_role and not config_admin:
            return None
        if row is None:
            await StaffRole.create(
                telegram_id=telegram_id,
                role=Role.ADMIN,
                active=False,
                weekly_report=enabled,
                granted_by=telegram_id,
                granted_at=clock.now(),
                using_db=conn,
            )
        else:
            await StaffRole.filter(id=row.id).using_db(conn).update(weekly_report=enabled)
    return WeeklySet(telegram_id, enabled)


async def recipients(config_admins: Iterable[int] | None = None) -> list[int]:
    """Telegram ids that opted in and may read reports.

    Active admins and marketers, plus the inactive never-revoked rows of config admins:
    those in ``config_admins`` when it is given, every such row when it is not (the hook
    called with ``now`` only cannot see the configuration).
    """
    config = Q(active=False, revoked_at=None)
    if config_admins is not None:
        config &= Q(telegram_id__in=list(config_admins))
    rows = await StaffRole.filter(
        Q(weekly_report=True) & (Q(active=True, role__in=list(REPORT_ROLES)) | config)
    ).values_list("telegram_id", flat=True)
    return sorted(int(r) for r in rows)


async def queue_weekly_reports(
    now: datetime | None = None,
    *,
    tz: str | None = None,
    config_admins: Iterable[int] | None = None,
) -> WeeklyQueued:
    """Queue last week's summary for every opted-in admin and marketer (idempotent per week)."""
    now = now or clock.now()
    tz = tz or DEFAULT_TIMEZONE
    week = iso_week(now, tz)
    people = await recipients(config_admins)
    if not people:
        return WeeklyQueued(0, 0, week)
    _version, rules = await rule_versions.current()
    report = await summary(
        last_week(now, tz), point_value_minor=rules.usage.point_value_minor, tiers=rules.tiers
    )
    members = {m.telegram_id: m for m in await Member.filter(telegram_id__in=people)}
    texts: dict[str | None, dict[str, str | int]] = {}
    queued = 0
    async with db.write_transaction() as conn:
        for telegram_id in people:
            member = members.get(telegram_id)
            language = member.language if member else None
            if language not in texts:
                _key, texts[language] = summary_message(
                    report, currency=rules.currency, language=language or "en"
                )
            row = await outbox.enqueue(
                chat_id=telegram_id,
                template=WEEKLY_TEMPLATE,
                args=texts[language],
                kind="report",
                member=member,
                language=language,
                dedupe_key=f"weekly:{telegram_id}:{week}",
                using_db=conn,
            )
            queued += row is not None
    return WeeklyQueued(queued, len(people) - queued, week)


def hook(tz: str, config_admins: Iterable[int]) -> Callable[[datetime], Awaitable[WeeklyQueued]]:
    """The weekly job's hook bound to the configuration, for
    ``start_scheduler(..., weekly_report=weekly.hook(s.scheduler.timezone, s.access.admins))``
    (without it the job calls :func:`queue_weekly_reports` with ``now`` only: the default
    time zone and every config-admin opt-in row)."""
    admins = tuple(config_admins)

    async def queue(now: datetime) -> WeeklyQueued:
        return await queue_weekly_reports(now, tz=tz, config_admins=admins)

    return queue
