"""Daily series for the charts: points issued, redeemed and expired; purchases and sales."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from models.reports import rollup
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


def _kept_and_live(period: Period, rolled: bool) -> tuple[Period | None, Period | None]:
    """The period's closed days (read from the roll-up) and the rest (read live)."""
    last = min(period.last_day, rollup.last_closed_day(period.tz)) if rolled else None
    if last is None or last < period.first_day:
        return None, period
    kept = Period.of_days(period.first_day, last, period.tz)
    if last == period.last_day:
        return kept, None
    return kept, Period.of_days(last + timedelta(days=1), period.last_day, period.tz)


async def points_series(period: Period, *, rolled: bool = True) -> tuple[DayPoints, ...]:
    """Points issued (earn + bonus), redeemed and expired per local day (every day present);
    closed days from :mod:`models.reports.rollup` unless not ``rolled``."""
    by_day: dict[date, dict[str, int]] = {d: {} for d in period.dates()}
    kept, live = _kept_and_live(period, rolled)
    if kept is not None:
        for d, figures in (await rollup.days(kept.first_day, kept.last_day, kept.tz)).items():
            by_day[d] = dict(figures.points)
    if live is not None:
        q = Sql()
        day = q.local_day("created_at", live)
        kinds = ", ".join(q.p(k) for k in (*ISSUED_KINDS, "redeem", "expire"))
        rows = await q.rows(
            f"SELECT {day} AS day, kind, SUM(points) AS points FROM ledger_entry"
            f" WHERE {q.between('created_at', live.start, live.end)} AND kind IN ({kinds})"
            " GROUP BY 1, 2"
        )
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


async def sales_series(
    period: Period, *, location: str | None = None, rolled: bool = True
) -> tuple[DaySales, ...]:
    """Purchases and sales per local day, each day marked if a campaign ran on it; closed
    days from :mod:`models.reports.rollup` unless not ``rolled``."""
    found: dict[date, tuple[int, int]] = {}
    kept, live = _kept_and_live(period, rolled)
    if kept is not None:
        for d, figures in (await rollup.days(kept.first_day, kept.last_day, kept.tz)).items():
            picked = [v for loc, v in figures.sales.items() if location in (None, loc)]
            found[d] = (sum(n for n, _ in picked), sum(amount for _, amount in picked))
    if live is not None:
        q = Sql()
        day = q.local_day("created_at", live)
        rows = await q.rows(
            f"SELECT {day} AS day, COUNT(*) AS n, SUM(amount_minor) AS amount FROM purchase"
            f" WHERE {q.between('created_at', live.start, live.end)}"
            + location_filter(q, location)
            + " GROUP BY 1"
        )
        found |= {as_date(r["day"]): (as_int(r["n"]), as_int(r["amount"])) for r in rows}
    marked = campaign_days(await campaigns_overlapping(period), period)
    return tuple(DaySales(d, *found.get(d, (0, 0)), campaign=d in marked) for d in period.dates())
