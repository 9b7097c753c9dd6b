"""Reports for owners and marketers: periods, summary figures and daily series.

Every figure is one SQL aggregate (``GROUP BY``/``SUM``/``COUNT``) so a report costs the
same on a thousand members as on a hundred thousand; nothing loads every row into
Python. Days are *local* days in the merchant's time zone (``scheduler.timezone``):
PostgreSQL buckets with ``AT TIME ZONE``, SQLite with ``date(ts, '+N seconds')`` and a
``CASE`` over the period's UTC-offset changes, so both agree across daylight saving.

What ``location`` narrows: everything that happens at a till (purchases, sales, refunds,
average ticket, active members, top members, campaign sales, the sales series). Points,
members, tiers, liability and rewards are store-wide: a point is one currency across
locations and cannot be attributed to one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from models.ledger.config import Tiers
from models.reports import rollup, standing
from models.reports.periods import Period
from models.reports.query import (
    ISSUED_KINDS,
    POINT_KINDS,
    Sql,
    as_int,
    campaigns_overlapping,
    location_filter,
)
from models.store import clock
from models.store.tables import Campaign, Reward

TOP_N = 5


# ---- the report ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A number in the period and the same number in the previous period."""

    current: int
    previous: int

    @property
    def change_percent(self) -> int | None:
        """Rounded percent change; ``None`` when there is nothing to compare with."""
        if self.previous == 0:
            return None
        change = Decimal(self.current - self.previous) * 100 / abs(self.previous)
        return int(change.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Rate:
    """A ratio (0.25 = 25 %) now and before; ``None`` when its denominator is zero."""

    current: Decimal | None
    previous: Decimal | None


@dataclass(frozen=True)
class TierCount:
    """Members in a tier at the end of the period and at the end of the previous one."""

    key: str
    names: dict[str, str]
    count: Figure


@dataclass(frozen=True)
class RewardCount:
    """Vouchers issued for a reward in the period (and the points they cost)."""

    reward_id: int | None
    names: dict[str, str]
    vouchers: Figure
    points: int


@dataclass(frozen=True)
class TopMember:
    member_id: int
    code: str
    name: str
    purchases: int
    spend_minor: int


@dataclass(frozen=True)
class LocationSales:
    location: str
    purchases: Figure
    sales_minor: Figure


@dataclass(frozen=True)
class CampaignResult:
    """A campaign's days inside the period (``current``) against as many days just before."""

    campaign_id: int
    names: dict[str, str]
    kind: str
    start: datetime
    end: datetime
    purchases: Figure
    sales_minor: Figure
    points_issued: Figure


@dataclass(frozen=True)
class Report:
    period: Period
    location: str | None
    new_members: Figure
    active_members: Figure
    purchases: Figure
    sales_minor: Figure
    refunded_minor: Figure
    average_ticket_minor: Figure
    points_issued: Figure
    points_redeemed: Figure
    points_expired: Figure
    points_adjusted: Figure
    points_reversed: Figure
    liability_points: Figure
    liability_minor: Figure
    redemption_rate: Rate
    breakage: Rate
    tiers: tuple[TierCount, ...]
    top_rewards: tuple[RewardCount, ...]
    top_members: tuple[TopMember, ...]
    locations: tuple[LocationSales, ...]
    campaigns: tuple[CampaignResult, ...]


Window = tuple[datetime, datetime]
"""A half-open ``[start, end)`` span of instants."""


def _within(q: Sql, window: Window) -> str:
    return q.between("created_at", *window)


@dataclass(frozen=True)
class _Sales:
    """Purchases in one window: totals (of one location when asked) and per location."""

    n: int
    amount: int
    by_location: dict[str, tuple[int, int]]

    def __add__(self, other: _Sales) -> _Sales:
        by_location = dict(self.by_location)
        for name, (n, amount) in other.by_location.items():
            had_n, had_amount = by_location.get(name, (0, 0))
            by_location[name] = (had_n + n, had_amount + amount)
        return _Sales(self.n + other.n, self.amount + other.amount, by_location)


_NO_SALES = _Sales(0, 0, {})


def _sales_of(rows: rollup.Sales, location: str | None) -> _Sales:
    """Totals of purchases by location (of one location when asked), and the table."""
    picked = [v for loc, v in rows.items() if location is None or loc == location]
    return _Sales(
        n=sum(n for n, _ in picked),
        amount=sum(amount for _, amount in picked),
        by_location={loc: v for loc, v in rows.items() if loc is not None},
    )


async def _live(windows: list[Window], location: str | None) -> list[tuple[_Sales, dict[str, int]]]:
    """Sales and points per kind of each window, read from the journal: one statement for
    purchases and one for entries, each a ``UNION ALL`` of one range scan per window (no
    round trip per window; a filtered sum per kind needs no sort)."""
    if not windows:
        return []
    sales: list[rollup.Sales] = [{} for _ in windows]
    q = Sql()
    rows = await q.rows(
        " UNION ALL ".join(
            f"SELECT {i} AS i, location, COUNT(*) AS n, SUM(amount_minor) AS amount"
            f" FROM purchase WHERE {_within(q, window)} GROUP BY location"
            for i, window in enumerate(windows)
        )
    )
    for r in rows:
        where = None if r["location"] is None else str(r["location"])
        sales[as_int(r["i"])][where] = (as_int(r["n"]), as_int(r["amount"]))
    q = Sql()
    kinds = {kind: q.p(kind) for kind in POINT_KINDS}
    columns = ", ".join(
        f"COALESCE(SUM(points) FILTER (WHERE kind = {mark}), 0) AS {kind}"
        for kind, mark in kinds.items()
    )
    rows = await q.rows(
        " UNION ALL ".join(
            f"SELECT {i} AS i, {columns} FROM ledger_entry WHERE {_within(q, window)}"
            for i, window in enumerate(windows)
        )
    )
    points = [dict.fromkeys(POINT_KINDS, 0) for _ in windows]
    for r in rows:
        points[as_int(r["i"])] = {kind: as_int(r[kind]) for kind in POINT_KINDS}
    return [(_sales_of(s, location), p) for s, p in zip(sales, points, strict=True)]


async def _refunded(window: Window, location: str | None) -> int:
    """Refunded of the window's purchases: live (a refund updates an old purchase)."""
    q = Sql()
    row = await q.one(
        f"SELECT SUM(refunded_minor) AS refunded FROM purchase WHERE {_within(q, window)}"
        + location_filter(q, location)
    )
    return as_int(row.get("refunded"))


def _pieces(windows: list[Window]) -> list[Window]:
    """The union of ``windows`` cut at every window's ends: disjoint pieces such that each
    window is exactly a run of them, so every row is read once however windows overlap."""
    cuts = sorted({t.astimezone(UTC) for window in windows for t in window})
    return [
        (a, b) for a, b in pairwise(cuts) if any(start <= a and b <= end for start, end in windows)
    ]


def _split(piece: Window, tz: ZoneInfo) -> tuple[list[Window], tuple[date, date] | None]:
    """A piece as its whole closed local days (rolled up) and the live edges around them."""
    whole = rollup.whole_days(*piece, tz)
    if whole is None:
        return [piece], None
    a, b = rollup.midnight(whole[0], tz), rollup.midnight(whole[1] + timedelta(days=1), tz)
    return [w for w in ((piece[0], a), (b, piece[1])) if w[0] < w[1]], whole


async def _piece_figures(
    pieces: list[Window], tz: ZoneInfo, location: str | None, rolled: bool
) -> tuple[list[_Sales], list[dict[str, int]]]:
    """Sales and points per kind of each piece: its closed days from the roll-up (one read
    for all pieces), its edges and open days from the journal (one read for all edges; all
    of it unless ``rolled``)."""
    splits = [_split(piece, tz) if rolled else ([piece], None) for piece in pieces]
    spans = [whole for _, whole in splits if whole is not None]
    kept = (
        await rollup.days(min(a for a, _ in spans), max(b for _, b in spans), tz) if spans else {}
    )
    edges = [(i, window) for i, (live, _) in enumerate(splits) for window in live]
    read = await _live([window for _, window in edges], location)
    sales, points = [], []
    for i, (_, whole) in enumerate(splits):
        days = [] if whole is None else [kept[d] for d in _dates(*whole)]
        piece_sales = sum((_sales_of(day.sales, location) for day in days), _NO_SALES)
        piece_points = {k: sum(day.points[k] for day in days) for k in POINT_KINDS}
        for (piece, _), (edge_sales, edge_points) in zip(edges, read, strict=True):
            if piece == i:
                piece_sales += edge_sales
                piece_points = {k: piece_points[k] + edge_points[k] for k in POINT_KINDS}
        sales.append(piece_sales)
        points.append(piece_points)
    return sales, points


def _dates(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


async def _windows_figures(
    windows: list[Window], tz: ZoneInfo, location: str | None, rolled: bool = True
) -> tuple[list[_Sales], list[dict[str, int]]]:
    """Sales and points per kind of every window, from the pieces of their union (campaign
    spans overlap the period and the one before: no row is read twice)."""
    pieces = _pieces(windows)
    sales, points = await _piece_figures(pieces, tz, location, rolled)

    def inside(window: Window) -> list[int]:
        return [i for i, (a, b) in enumerate(pieces) if window[0] <= a and b <= window[1]]

    window_sales, window_points = [], []
    for window in windows:
        picked = inside(window)
        window_sales.append(sum((sales[i] for i in picked), _NO_SALES))
        window_points.append({k: sum(points[i][k] for i in picked) for k in POINT_KINDS})
    return window_sales, window_points


async def _by_member_scan(period: Period, location: str | None) -> bool:
    """Whether SQLite should group the period's purchases by walking the whole covering
    ``(member_id, created_at, …)`` index in member order (no sort) rather than sorting the
    period's range of the ``created_at`` index: so when the period holds over a third of
    the purchase history (a sorted row costs about two read ones). ``+created_at`` steers
    the planner to it. Not with a location (not in that index) nor on PostgreSQL (which
    hashes the grouping anyway).
    """
    q = Sql()
    if not q.sqlite or location is not None:
        return False
    first = (await q.one("SELECT MIN(created_at) AS t FROM purchase")).get("t")
    if first is None:
        return False
    first = first if isinstance(first, datetime) else datetime.fromisoformat(str(first))
    now = clock.now()
    covered = min(period.end, now) - max(period.start, first)
    return covered * 3 > now - first


async def _active(prev: Period, location: str | None, rolled: bool) -> int:
    """Members who bought in the previous period: kept once its days are closed."""
    if rolled and prev.last_day <= rollup.last_closed_day(prev.tz):
        return await rollup.window_buyers(prev.first_day, prev.last_day, prev.tz, location)
    q = Sql()
    row = await q.one(
        "SELECT COUNT(DISTINCT member_id) AS active FROM purchase"
        f" WHERE {_within(q, (prev.start, prev.end))}" + location_filter(q, location)
    )
    return as_int(row.get("active"))


async def _buyers(
    period: Period, prev: Period, location: str | None, n: int, rolled: bool = True
) -> tuple[Figure, tuple[TopMember, ...]]:
    """Active members (now and before) and the top spenders; the current period's active
    count rides on the top-spender grouping as a window total."""
    q = Sql()
    column = "+created_at" if await _by_member_scan(period, location) else "created_at"
    rows = await q.rows(
        "SELECT t.member_id, t.n, t.spend, t.active, m.code, m.first_name, m.last_name FROM"
        " (SELECT member_id, COUNT(*) AS n, SUM(amount_minor) AS spend,"
        " COUNT(*) OVER () AS active FROM purchase"
        f" WHERE {q.between(column, period.start, period.end)}"
        + location_filter(q, location)
        + " GROUP BY member_id ORDER BY SUM(amount_minor) DESC, member_id"
        f" LIMIT {max(int(n), 1)}) t"
        " JOIN member m ON m.id = t.member_id ORDER BY t.spend DESC, t.member_id"
    )
    active = Figure(as_int(rows[0]["active"]) if rows else 0, await _active(prev, location, rolled))
    top = tuple(
        TopMember(
            member_id=as_int(r["member_id"]),
            code=str(r["code"]),
            name=" ".join(x for x in (r["first_name"], r["last_name"]) if x) or str(r["code"]),
            purchases=as_int(r["n"]),
            spend_minor=as_int(r["spend"]),
        )
        for r in rows[:n]
    )
    return active, top


async def _new_members(period: Period, prev: Period) -> Figure:
    """Members who joined in the period and in the one before (which ends where the period
    starts): one count over both and one filtered count, not a ``CASE`` per window."""
    assert prev.end == period.start
    q = Sql()
    row = await q.one(
        f"SELECT COUNT(*) AS total, COUNT(*) FILTER (WHERE created_at >= {q.p(period.start)})"
        f" AS n FROM member WHERE enrolled AND {_within(q, (prev.start, period.end))}"
    )
    n = as_int(row.get("n"))
    return Figure(n, as_int(row.get("total")) - n)


async def _standing(at: datetime, tz: ZoneInfo, rolled: bool) -> tuple[int, dict[str, int]]:
    """Liability and members per tier at ``at``: kept for the end of a closed day."""
    day = at.astimezone(tz).date() - timedelta(days=1)
    ends_a_day = rollup.midnight(day + timedelta(days=1), tz) == at
    if rolled and ends_a_day and day <= rollup.last_closed_day(tz):
        return await rollup.day_end(day, tz)
    return await standing.liability_at(at), await standing.tiers_at(at)


async def _top_rewards(period: Period, prev: Period, n: int) -> tuple[RewardCount, ...]:
    q = Sql()
    rows = await q.rows(
        "SELECT v.reward_id, COUNT(*) AS n, COALESCE(SUM(v.cost_points), 0) AS points"
        f" FROM voucher v WHERE {q.between('v.issued_at', period.start, period.end)}"
        f" GROUP BY v.reward_id ORDER BY COUNT(*) DESC, v.reward_id LIMIT {int(n)}"
    )
    if not rows:
        return ()
    ids = [r["reward_id"] for r in rows if r["reward_id"] is not None]
    q2 = Sql()
    before: dict[Any, int] = {}
    names: dict[Any, dict[str, str]] = {}
    if ids:
        marks = ", ".join(q2.p(i) for i in ids)
        prev_rows = await q2.rows(
            "SELECT reward_id, COUNT(*) AS n FROM voucher"
            f" WHERE {q2.between('issued_at', prev.start, prev.end)}"
            f" AND reward_id IN ({marks}) GROUP BY reward_id"
        )
        before = {r["reward_id"]: as_int(r["n"]) for r in prev_rows}
        names = {r.id: dict(r.names or {}) for r in await Reward.filter(id__in=ids)}
    return tuple(
        RewardCount(
            reward_id=r["reward_id"],
            names=names.get(r["reward_id"], {}),
            vouchers=Figure(as_int(r["n"]), before.get(r["reward_id"], 0)),
            points=as_int(r["points"]),
        )
        for r in rows
    )


def _campaign_windows(campaign: Campaign, period: Period) -> tuple[Window, Window] | None:
    """A campaign's span inside the period (so far) and as long a span just before it."""
    # In UTC: subtracting two times of one zone would count wall-clock hours across DST.
    start = max(campaign.starts_at, period.start).astimezone(UTC)
    end = min(campaign.ends_at, period.end, clock.now()).astimezone(UTC)
    if end <= start:
        return None
    return (start, end), (start - (end - start), start)


def _ratio(part: int, whole: int) -> Decimal | None:
    if whole <= 0:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def money_value(points: int, point_value_minor: Decimal) -> int:
    """Points × value of a point, as whole minor units (half up)."""
    return int((Decimal(points) * point_value_minor).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _average(total: int, count: int) -> int:
    return (2 * total + count) // (2 * count) if count else 0


def _ordered_tiers(
    tiers: Tiers, now_counts: dict[str, int], before: dict[str, int]
) -> tuple[TierCount, ...]:
    """Tiers in the configured order, then any key the configuration no longer has."""
    known = [level.key for level in tiers.levels]
    extra = sorted((set(now_counts) | set(before)) - set(known))
    names = {level.key: dict(level.names) for level in tiers.levels}
    return tuple(
        TierCount(key, names.get(key, {}), Figure(now_counts.get(key, 0), before.get(key, 0)))
        for key in [*known, *extra]
    )


async def summary(
    period: Period,
    *,
    location: str | None = None,
    point_value_minor: Decimal,
    tiers: Tiers,
    top: int = TOP_N,
    rolled: bool = True,
) -> Report:
    """Every figure of ``/report`` for ``period`` beside the previous period of equal length.

    The windows (the period, the one before, each campaign's span and the span before
    it) overlap, so their union is cut at every window's ends and each piece costs one
    range scan of purchases by location (sales, refunds, the location table) and one of
    the ledger with a filtered sum per kind; a window's figures are the sum of its pieces.
    (Pieces are separate range scans, not a ``CASE`` over time: SQLite would evaluate it
    for every row.) Active members ride on the top-spender grouping.

    Whole closed days come from :mod:`models.reports.rollup` (``rolled=False`` reads
    everything from the journal: the reference the roll-up is tested against).
    """
    prev = period.previous()
    windows: list[Window] = [(period.start, period.end), (prev.start, prev.end)]
    campaigns = [
        (c, w) for c in await campaigns_overlapping(period) if (w := _campaign_windows(c, period))
    ]
    campaign_spans = [span for _, (during, prior) in campaigns for span in (during, prior)]
    all_sales, all_points = await _windows_figures(
        [*windows, *campaign_spans], period.tz, location, rolled
    )
    (sales, sales_prev, *campaign_sales), (pts, pts_prev, *campaign_points) = (
        all_sales,
        all_points,
    )
    active, top_members = await _buyers(period, prev, location, top, rolled)

    def fig(key: str, sign: int = 1) -> Figure:
        return Figure(sign * pts.get(key, 0), sign * pts_prev.get(key, 0))

    def sales_fig(key: str) -> Figure:
        return Figure(getattr(sales, key), getattr(sales_prev, key))

    def issued_in(points: dict[str, int]) -> int:
        return sum(points[k] for k in ISSUED_KINDS)

    issued = Figure(
        sum(pts.get(k, 0) for k in ISSUED_KINDS), sum(pts_prev.get(k, 0) for k in ISSUED_KINDS)
    )
    redeemed, expired = fig("redeem", -1), fig("expire", -1)
    (liability_now, tiers_now), (liability_before, tiers_before) = (
        await _standing(period.end, period.tz, rolled),
        await _standing(prev.end, period.tz, rolled),
    )
    liability = Figure(liability_now, liability_before)
    results = tuple(
        CampaignResult(
            campaign_id=c.id,
            names=dict(c.names or {}),
            kind=str(c.kind),
            start=during[0],
            end=during[1],
            purchases=Figure(campaign_sales[2 * i].n, campaign_sales[2 * i + 1].n),
            sales_minor=Figure(campaign_sales[2 * i].amount, campaign_sales[2 * i + 1].amount),
            points_issued=Figure(
                issued_in(campaign_points[2 * i]), issued_in(campaign_points[2 * i + 1])
            ),
        )
        for i, (c, (during, _)) in enumerate(campaigns)
    )
    return Report(
        period=period,
        location=location,
        new_members=await _new_members(period, prev),
        active_members=active,
        purchases=sales_fig("n"),
        sales_minor=sales_fig("amount"),
        refunded_minor=Figure(
            await _refunded(windows[0], location), await _refunded(windows[1], location)
        ),
        average_ticket_minor=Figure(
            _average(sales.amount, sales.n), _average(sales_prev.amount, sales_prev.n)
        ),
        points_issued=issued,
        points_redeemed=redeemed,
        points_expired=expired,
        points_adjusted=fig("adjust"),
        points_reversed=fig("reverse"),
        liability_points=liability,
        liability_minor=Figure(
            money_value(liability.current, point_value_minor),
            money_value(liability.previous, point_value_minor),
        ),
        redemption_rate=Rate(
            _ratio(redeemed.current, issued.current), _ratio(redeemed.previous, issued.previous)
        ),
        breakage=Rate(
            _ratio(expired.current, issued.current), _ratio(expired.previous, issued.previous)
        ),
        tiers=_ordered_tiers(tiers, tiers_now, tiers_before),
        top_rewards=await _top_rewards(period, prev, top),
        top_members=top_members,
        locations=tuple(
            LocationSales(
                location=name,
                purchases=Figure(
                    sales.by_location.get(name, (0, 0))[0],
                    sales_prev.by_location.get(name, (0, 0))[0],
                ),
                sales_minor=Figure(
                    sales.by_location.get(name, (0, 0))[1],
                    sales_prev.by_location.get(name, (0, 0))[1],
                ),
            )
            for name in sorted(sales.by_location.keys() | sales_prev.by_location.keys())
        ),
        campaigns=results,
    )
