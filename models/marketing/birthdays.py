"""Birthday bonus: once per member per year, with a notice, caught up after downtime.

The bonus is a ledger ``grant_bonus`` with idempotency key ``birthday:<member>:<year>``,
so any number of runs award it once; the notice has the same outbox ``dedupe_key``. A run
looks back ``catch_up_days`` (birthdays missed while the bot was down are still
celebrated, late) but never pays a member who joined after that birthday. Members born
on 29 February celebrate on the 28th in other years.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from models import ledger
from models.delivery import classes
from models.ledger.results import Credited
from models.marketing.reminders import Notice, queue_notices
from models.store import clock, sql
from models.store.db import connection
from models.store.tables import LedgerEntry, Member, OutboxMessage

CATCH_UP_DAYS = 3
GREETING = "notice-birthday-bonus"
"""A birthday greeting is an offer (marketing): the bonus is paid to every member, the
greeting goes only to those who agreed to hear offers."""


@dataclass(frozen=True)
class BirthdayRun:
    granted: int
    notified: int


def _celebration_days(today: date, catch_up_days: int) -> dict[str, date]:
    """``MM-DD`` of birthdays celebrated on the last days → the day they are celebrated."""
    days: dict[str, date] = {}
    for back in range(catch_up_days):
        day = today - timedelta(days=back)
        days[day.strftime("%m-%d")] = day
        if day.month == 2 and day.day == 28 and not calendar.isleap(day.year):
            days["02-29"] = day
    return days


async def _born_on(month_days: list[str]) -> list[Member]:
    month_day = "to_char(birthday, 'MM-DD')" if sql.pg() else "strftime('%m-%d', birthday)"
    marks = ", ".join("?" for _ in month_days)
    found = await sql.rows(
        connection(),
        f"SELECT id FROM member WHERE birthday IS NOT NULL AND deleted_at IS NULL"
        f" AND {month_day} IN ({marks})",
        *month_days,
    )
    return await Member.filter(id__in=[r["id"] for r in found])


def birthday_key(member_id: int, year: int) -> str:
    return f"birthday:{member_id}:{year}"


async def grant_birthday_bonuses(
    points: int,
    tz: str = "UTC",
    now: datetime | None = None,
    *,
    catch_up_days: int = CATCH_UP_DAYS,
) -> BirthdayRun:
    """Pay ``points`` to everyone whose birthday is today (or was in the last few days)."""
    if points <= 0:
        return BirthdayRun(0, 0)
    now = now or clock.now()
    zone = ZoneInfo(tz)
    days = _celebration_days(now.astimezone(zone).date(), catch_up_days)
    due: list[tuple[Member, str]] = []
    for member in await _born_on(sorted(days)):
        assert member.birthday is not None
        day = days[member.birthday.strftime("%m-%d")]
        if member.created_at.astimezone(zone).date() > day:
            continue
        due.append((member, birthday_key(member.id, day.year)))
    keys = [key for _, key in due]
    paid = set(
        await LedgerEntry.filter(idempotency_key__in=[f"bonus:{k}" for k in keys]).values_list(
            "idempotency_key", flat=True
        )
    )
    told = set(await OutboxMessage.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True))
    granted, notices = 0, []
    for member, key in due:
        if f"bonus:{key}" not in paid:
            result = await ledger.grant_bonus(
                member.id, points, idempotency_key=key, reason="birthday", tz=tz
            )
            granted += isinstance(result, Credited) and not result.replayed
        if classes.may_tell(member, GREETING) and key not in told:
            notices.append(
                Notice(
                    member_id=member.id,
                    chat_id=int(member.telegram_id),  # type: ignore[arg-type]
                    language=member.language,
                    template=GREETING,
                    args={"points": points, "name": member.first_name or member.display_name},
                    dedupe_key=key,
                    kind="notice",
                )
            )
    return BirthdayRun(granted, await queue_notices(notices))
