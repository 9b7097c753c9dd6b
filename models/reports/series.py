"""Daily series for the charts: points issued, redeemed and expired; purchases and sales."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from models.reports.periods import Period
from models.reports.query import (
    ISSUED_KINDS,
    Sql,
    as_date,
    as_int,
    campaigns_overlapping,
    location_filter,
)
from models.store.tables import Campaign


@dataclass(frozen=True)
class DayPoints:
    day: date
    issued: int
    redeemed: int
    expired: int


@dataclass(frozen=True)
class DaySales:
    day: date
    purchases: int
    sales_minor: int
    campaign: bool


async def points_series(period: Period) -> tuple[DayPoints, ...]:
    """Points issued (earn + bonus), redeemed and expired per local day (every day present)."""
    q = Sql()
    day = q.local_day("created_at", period)
    kinds = ", ".join(q.p(k) for k in (*ISSUED_KINDS, "redeem", "expire"))
    rows = await q.rows(
        f"SELECT {day} AS day, kind, SUM(points) AS points FROM ledger_entry"
        f" WHERE {q.between('created_at', period.start, period.end)} AND kind IN ({kinds})"
        " GROUP BY 1, 2"
    )
    by_day: dict[date, dict[str, int]] = {d: {} for d in period.dates()}
    for r in rows:
        bucket = by_day.setdefault(as_date(r["day"]), {})
        bucket[str(r["kind"])] = as_int(r["points"])
    return tuple(
        DayPoints(
            day=d,
            issued=sum(v.get(k, 0) for k in ISSUED_KINDS),
            redeemed=-v.get("redeem", 0),
            expired=-v.get("expire", 0),
        )
        for d, v in sorted(by_day.items())
    )


def campaign_days(campaigns: Iterable[Campaign], period: Period) -> set[date]:
    """Local days of ``period`` on which some campaign ran (honouring its weekdays)."""
    tz, days = period.tz, set()
    for c in campaigns:
        first = max(c.starts_at.astimezone(tz).date(), period.first_day)
        last_instant = c.ends_at.astimezone(tz) - timedelta(microseconds=1)
        last = min(last_instant.date(), period.last_day)
        weekdays = set(c.weekdays or [])
        d = first
        while d <= last:
            if not weekdays or d.weekday() in weekdays:
                days.add(d)
            d += timedelta(days=1)
    return days


async def sales_series(period: Period, *, location: str | None = None) -> tuple[DaySales, ...]:
    """Purchases and sales per local day, each day marked if a campaign ran on it."""
    q = Sql()
    day = q.local_day("created_at", period)
    rows = await q.rows(
        f"SELECT {day} AS day, COUNT(*) AS n, SUM(amount_minor) AS amount FROM purchase"
        f" WHERE {q.between('created_at', period.start, period.end)}"
        + location_filter(q, location)
        + " GROUP BY 1"
    )
    found = {as_date(r["day"]): (as_int(r["n"]), as_int(r["amount"])) for r in rows}
    marked = campaign_days(await campaigns_overlapping(period), period)
    return tuple(DaySales(d, *found.get(d, (0, 0)), campaign=d in marked) for d in period.dates())
