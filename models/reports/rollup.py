"""Closed local days, rolled up: the dashboard reads a week as seven rows, not a rescan.

A report's windows are cut into whole *closed* days (a local day that ended at least
:data:`GRACE` ago, so no transaction dated inside it is still to commit) and the live
edges around them. A closed day's points per kind and purchases and sales per location
are computed once, by the same local-day bucketing as the daily series, and kept in
``report_day``; its liability and members per tier at its end are kept there once a
report asks for them. Today is always read live.

The rows are a cache of facts the journal already holds, so they must never disagree
with it. The journal is append-only and every write is dated "now", so a closed day's
figures cannot change, except when a row is written with an older date (an import, a
sandbox or test moving its clock back) or a member's enrolment flips. Two guards:

- *the watermark*: per zone, the last id of each source table seen. Each report first
  reads the ids written since; a new row dated inside a rolled day drops the days from
  it on (one transaction with moving the watermark). A fill is stored only if no row
  written since it was read is dated inside its days: one that raced such a write keeps
  nothing, while today's purchases (a busy till's, every second) do not stop it.
- :func:`forget`, called by the few writers that change the past on purpose.

``jifen doctor`` holds the kept days against a fresh computation (:func:`check`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.backends.base.client import BaseDBAsyncClient

from models.reports import standing
from models.reports.periods import Period
from models.reports.query import POINT_KINDS, Sql, as_date, as_int, location_filter
from models.store import clock
from models.store.db import write_transaction
from models.store.tables import ReportDay, ReportWatermark

GRACE = timedelta(minutes=10)
"""How long after its local midnight a day counts as closed (longer than any transaction)."""

SOURCES = (
    ("ledger_entry", "ledger_entry_id"),
    ("purchase", "purchase_id"),
    ("tier_change", "tier_change_id"),
    ("member", "member_id"),
)
"""(table, watermark column): the tables whose rows a rolled day summarizes."""

Sales = dict[str | None, tuple[int, int]]
"""Location (None: a purchase without one) → (purchases, sales in minor units)."""


@dataclass(frozen=True)
class DayFigures:
    points: dict[str, int]
    sales: Sales


Marks = dict[str, int]


def midnight(day: date, tz: ZoneInfo) -> datetime:
    """Where local ``day`` starts (as :meth:`Period.of_days` counts it)."""
    return datetime.combine(day, time(), tzinfo=tz)


def last_closed_day(tz: ZoneInfo) -> date:
    """The newest local day that ended at least :data:`GRACE` ago."""
    return (clock.now() - GRACE).astimezone(tz).date() - timedelta(days=1)


def whole_days(start: datetime, end: datetime, tz: ZoneInfo) -> tuple[date, date] | None:
    """The closed local days lying wholly inside ``[start, end)``, or None."""
    first = start.astimezone(tz).date()
    if midnight(first, tz) < start:
        first += timedelta(days=1)
    last = min(end.astimezone(tz).date() - timedelta(days=1), last_closed_day(tz))
    while last >= first and midnight(last + timedelta(days=1), tz) > end:
        last -= timedelta(days=1)
    return (first, last) if first <= last else None


# ---- the guard -----------------------------------------------------------------------------


async def _marks(tz: ZoneInfo, conn: BaseDBAsyncClient | None = None) -> Marks | None:
    query = ReportWatermark.filter(tz=tz.key)
    if conn is not None:
        query = query.select_for_update().using_db(conn)
    row = await query.first()
    return None if row is None else {column: getattr(row, column) for _, column in SOURCES}


async def _newest(since: Marks | None) -> tuple[Marks, datetime | None]:
    """The last id of each source table, and the earliest date among rows after ``since``."""
    tops: Marks = {}
    earliest: datetime | None = None
    for table, column in SOURCES:
        after = 0 if since is None else int(since[column])
        # The id is written into the text, not bound: PostgreSQL's generic plan for a bound
        # ``id > $1`` (after five runs) walks the created_at index for MIN over every row.
        row = await Sql().one(
            f"SELECT MAX(id) AS top, MIN(created_at) AS first FROM {table} WHERE id > {after}"
        )
        tops[column] = as_int(row.get("top")) or after
        first = row.get("first")
        if first is not None and since is not None:
            first = first if isinstance(first, datetime) else datetime.fromisoformat(str(first))
            earliest = first if earliest is None else min(earliest, first)
    return tops, earliest


async def checked(tz: ZoneInfo) -> Marks:
    """The watermark after dropping any rolled day a newer row is dated in (see above)."""
    marks = await _marks(tz)
    if marks is not None:
        tops, _ = await _newest(marks)
        if tops == marks:
            return marks  # nothing written since: no transaction
    async with write_transaction() as conn:
        marks = await _marks(tz, conn)
        tops, earliest = await _newest(marks)
        if marks is None:  # the first roll-up in this zone: nothing rolled to check
            await ReportDay.filter(tz=tz.key).using_db(conn).delete()
            await ReportWatermark.create(tz=tz.key, **tops, using_db=conn)
            return tops
        if earliest is not None and earliest.astimezone(tz).date() <= last_closed_day(tz):
            since = earliest.astimezone(tz).date().isoformat()
            await ReportDay.filter(tz=tz.key, day__gte=since).using_db(conn).delete()
        if tops != marks:
            await ReportWatermark.filter(tz=tz.key).using_db(conn).update(**tops)
    return tops


async def _still_holds(tz: ZoneInfo, marks: Marks, last: date, conn: BaseDBAsyncClient) -> bool:
    """In a writer's transaction (the watermark row locked): whether what was computed
    against ``marks`` still holds for days up to ``last``: the watermark is there (no
    :func:`forget` since) and no row written after ``marks`` is dated on or before
    ``last``. Rows of today, which a busy shop writes every second, do not count."""
    if await _marks(tz, conn) is None:
        return False
    _, earliest = await _newest(marks)
    return earliest is None or earliest.astimezone(tz).date() > last


async def forget(conn: BaseDBAsyncClient | None = None) -> None:
    """Drop every rolled day (a writer changed the past: an import, an enrolment flip)."""
    if conn is None:
        async with write_transaction() as conn:
            await forget(conn)
        return
    await ReportDay.all().using_db(conn).delete()
    await ReportWatermark.all().using_db(conn).delete()


# ---- the days ------------------------------------------------------------------------------


def _figures(stored: dict[str, Any]) -> DayFigures:
    return DayFigures(
        points={k: as_int(stored["points"].get(k)) for k in POINT_KINDS},
        sales={loc: (as_int(n), as_int(amount)) for loc, n, amount in stored["sales"]},
    )


def _stored(figures: DayFigures) -> dict[str, Any]:
    return {
        "points": figures.points,
        "sales": sorted(
            ([loc, n, amount] for loc, (n, amount) in figures.sales.items()),
            key=lambda row: (row[0] is not None, row[0] or ""),
        ),
    }


async def compute(first: date, last: date, tz: ZoneInfo) -> dict[date, DayFigures]:
    """The figures of local days ``first`` … ``last`` from the journal and purchases: one
    grouped scan of each over the span."""
    span = Period.of_days(first, last, tz)
    points: dict[date, dict[str, int]] = {d: dict.fromkeys(POINT_KINDS, 0) for d in span.dates()}
    sales: dict[date, Sales] = {d: {} for d in span.dates()}
    q = Sql()
    day = q.local_day("created_at", span)
    for r in await q.rows(
        f"SELECT {day} AS day, kind, SUM(points) AS points FROM ledger_entry"
        f" WHERE {q.between('created_at', span.start, span.end)} GROUP BY 1, 2"
    ):
        if str(r["kind"]) in POINT_KINDS:
            points[as_date(r["day"])][str(r["kind"])] = as_int(r["points"])
    q = Sql()
    day = q.local_day("created_at", span)
    for r in await q.rows(
        f"SELECT {day} AS day, location, COUNT(*) AS n, SUM(amount_minor) AS amount"
        f" FROM purchase WHERE {q.between('created_at', span.start, span.end)} GROUP BY 1, 2"
    ):
        location = None if r["location"] is None else str(r["location"])
        sales[as_date(r["day"])][location] = (as_int(r["n"]), as_int(r["amount"]))
    return {d: DayFigures(points[d], sales[d]) for d in span.dates()}


def _gaps(first: date, last: date, have: set[date]) -> list[tuple[date, date]]:
    """Runs of days in ``first`` … ``last`` not in ``have``."""
    runs: list[tuple[date, date]] = []
    d = first
    while d <= last:
        if d in have:
            d += timedelta(days=1)
            continue
        start = d
        while d <= last and d not in have:
            d += timedelta(days=1)
        runs.append((start, d - timedelta(days=1)))
    return runs


async def _keep(tz: ZoneInfo, marks: Marks, rows: list[ReportDay]) -> None:
    """Store computed days, unless a row dated inside them landed since they were read
    (then they are this report's alone)."""
    last = max(date.fromisoformat(row.day) for row in rows)
    async with write_transaction() as conn:
        if await _still_holds(tz, marks, last, conn):
            await ReportDay.bulk_create(rows, ignore_conflicts=True, using_db=conn)


async def days(first: date, last: date, tz: ZoneInfo) -> dict[date, DayFigures]:
    """The figures of closed local days ``first`` … ``last``: kept ones read, missing runs
    computed (and kept)."""
    _, found = await _days(first, last, tz)
    return found


async def _days(first: date, last: date, tz: ZoneInfo) -> tuple[Marks, dict[date, DayFigures]]:
    """:func:`days`, with the watermark they were checked against (for a writer after)."""
    assert last <= last_closed_day(tz), (last, "is not closed")
    marks = await checked(tz)
    rows = await ReportDay.filter(
        tz=tz.key, day__gte=first.isoformat(), day__lte=last.isoformat()
    ).values("day", "figures")
    found = {date.fromisoformat(r["day"]): _figures(r["figures"]) for r in rows}
    fresh: dict[date, DayFigures] = {}
    for a, b in _gaps(first, last, set(found)):
        fresh.update(await compute(a, b, tz))
    if fresh:
        now = clock.now()
        await _keep(
            tz,
            marks,
            [
                ReportDay(tz=tz.key, day=d.isoformat(), figures=_stored(f), created_at=now)
                for d, f in fresh.items()
            ],
        )
    return marks, found | fresh


async def day_end(day: date, tz: ZoneInfo) -> tuple[int, dict[str, int]]:
    """Liability and members per tier at the end of closed local ``day``."""
    marks, _ = await _days(day, day, tz)  # the row is there (or this call's alone)
    row = await ReportDay.get_or_none(tz=tz.key, day=day.isoformat())
    if row is not None and row.liability is not None and row.tiers is not None:
        return row.liability, {str(k): as_int(v) for k, v in row.tiers.items()}
    at = midnight(day + timedelta(days=1), tz)
    liability, tiers = await standing.liability_at(at), await standing.tiers_at(at)
    async with write_transaction() as conn:
        if await _still_holds(tz, marks, day, conn):
            await (
                ReportDay.filter(tz=tz.key, day=day.isoformat())
                .using_db(conn)
                .update(liability=liability, tiers=tiers)
            )
    return liability, tiers


async def _distinct_buyers(first: date, last: date, tz: ZoneInfo, location: str | None) -> int:
    span = Period.of_days(first, last, tz)
    q = Sql()
    row = await q.one(
        "SELECT COUNT(DISTINCT member_id) AS n FROM purchase"
        f" WHERE {q.between('created_at', span.start, span.end)}" + location_filter(q, location)
    )
    return as_int(row.get("n"))


def _buyers_key(first: date, location: str | None) -> str:
    """``["2026-03-07", null]``: the window's first day and location (None: all)."""
    return json.dumps([first.isoformat(), location])


def _buyers_window(key: str) -> tuple[date, str | None]:
    first, location = json.loads(key)
    return date.fromisoformat(first), location


async def window_buyers(first: date, last: date, tz: ZoneInfo, location: str | None) -> int:
    """Members who bought on closed local days ``first`` … ``last`` (at ``location``):
    not a sum of days, so kept per window, on the row of its last day (a row dated inside
    the window drops that row with the rest)."""
    marks, _ = await _days(last, last, tz)  # the row is there (or this call's alone)
    key = _buyers_key(first, location)
    row = await ReportDay.get_or_none(tz=tz.key, day=last.isoformat())
    if row is not None and key in row.figures.get("buyers", {}):
        return as_int(row.figures["buyers"][key])
    n = await _distinct_buyers(first, last, tz, location)
    async with write_transaction() as conn:
        if await _still_holds(tz, marks, last, conn):
            kept = (
                await ReportDay.filter(tz=tz.key, day=last.isoformat())
                .select_for_update()
                .using_db(conn)
                .first()
            )
            if kept is not None:
                buyers = {**kept.figures.get("buyers", {}), key: n}
                await (
                    ReportDay.filter(id=kept.id)
                    .using_db(conn)
                    .update(figures={**kept.figures, "buyers": buyers})
                )
    return n


@dataclass(frozen=True)
class RollupProblem:
    """A kept day whose figures differ from the journal's (``jifen doctor``)."""

    tz: str
    day: date

    def __str__(self) -> str:
        return f"report-day: {self.day.isoformat()} ({self.tz}) differs from the journal"


async def _agrees(row: ReportDay, d: date, tz: ZoneInfo) -> bool:
    """Whether a kept day says what the journal says, in every figure it holds."""
    if _figures(row.figures) != (await compute(d, d, tz))[d]:
        return False
    at = midnight(d + timedelta(days=1), tz)
    if row.liability is not None and (row.liability, row.tiers) != (
        await standing.liability_at(at),
        await standing.tiers_at(at),
    ):
        return False
    for key, n in row.figures.get("buyers", {}).items():
        first, location = _buyers_window(key)
        if as_int(n) != await _distinct_buyers(first, d, tz, location):
            return False
    return True


async def check() -> list[RollupProblem]:
    """Every kept day, in every zone, against a fresh computation from the journal."""
    problems: list[RollupProblem] = []
    for key in sorted(set(await ReportDay.all().values_list("tz", flat=True))):
        tz = ZoneInfo(str(key))
        await checked(tz)
        for row in await ReportDay.filter(tz=tz.key).order_by("day"):
            d = date.fromisoformat(row.day)
            if not await _agrees(row, d, tz):
                problems.append(RollupProblem(tz.key, d))
    return problems
