"""Report figures from SQL equal a naive Python count over the same generated rows."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from models.ledger.config import Currency
from models.reports import messages, series, summary
from models.reports.periods import Period, parse_period
from models.reports.series import DayPoints
from models.reports.summary import Figure
from models.store import clock
from models.store.tables import LedgerEntry, Member
from tests.reports import dataset
from tests.reports.conftest import TIERS, translator

TZ = "Asia/Shanghai"
POINT_VALUE = Decimal("0.5")


def inside(at: datetime, period: Period) -> bool:
    return period.start <= at < period.end


class Naive:
    """The right answers, counted row by row."""

    def __init__(self, rows: dataset.Chunk) -> None:
        self.rows = rows

    def sales(self, p: Period, location: str | None) -> dict[str, int]:
        hits = [r for r in self.rows.purchases if inside(r[12], p)]
        if location is not None:
            hits = [r for r in hits if r[7] == location]
        amount = sum(r[4] for r in hits)
        return {
            "n": len(hits),
            "amount": amount,
            "refunded": sum(r[10] for r in hits),
            "active": len({r[1] for r in hits}),
            "average": round(Decimal(amount) / len(hits)) if hits else 0,
        }

    def points(self, p: Period) -> Counter[str]:
        total: Counter[str] = Counter()
        for r in self.rows.entries:
            if inside(r[9], p):
                total[r[2]] += r[3]
        return total

    def liability(self, at: datetime) -> int:
        balance: Counter[int] = Counter()
        for r in self.rows.entries:
            if r[9] < at:
                balance[r[1]] += r[3]
        return sum(b for b in balance.values() if b > 0)

    def tiers(self, at: datetime) -> Counter[str]:
        changes = defaultdict(list)
        for r in sorted(self.rows.tier_changes, key=lambda r: (r[5], r[0])):
            changes[r[1]].append(r)
        counts: Counter[str] = Counter()
        for m in self.rows.members:
            if m[12] >= at or (m[14] is not None and m[14] < at):
                continue
            tier = "member"
            for change in changes[m[0]]:
                if change[5] < at:
                    tier = change[3]
            counts[tier] += 1
        return counts


def figure(current: int, previous: int) -> Figure:
    return Figure(current, previous)


async def test_summary_matches_a_naive_count(data: dataset.Chunk) -> None:
    naive = Naive(data)
    period = parse_period("30d", TZ)
    assert isinstance(period, Period)
    before = period.previous()
    report = await summary.summary(period, point_value_minor=POINT_VALUE, tiers=TIERS)

    now_s, prev_s = naive.sales(period, None), naive.sales(before, None)
    assert report.purchases == figure(now_s["n"], prev_s["n"])
    assert report.sales_minor == figure(now_s["amount"], prev_s["amount"])
    assert report.refunded_minor == figure(now_s["refunded"], prev_s["refunded"])
    assert report.active_members == figure(now_s["active"], prev_s["active"])
    assert report.average_ticket_minor == figure(now_s["average"], prev_s["average"])
    assert now_s["n"] > 100 and prev_s["n"] > 50  # the data set reaches both periods

    new = [sum(inside(m[12], p) for m in data.members) for p in (period, before)]
    assert report.new_members == figure(*new)

    pts, pts_prev = naive.points(period), naive.points(before)
    issued = figure(pts["earn"] + pts["bonus"], pts_prev["earn"] + pts_prev["bonus"])
    assert report.points_issued == issued
    assert report.points_redeemed == figure(-pts["redeem"], -pts_prev["redeem"])
    assert report.points_expired == figure(-pts["expire"], -pts_prev["expire"])
    assert report.points_adjusted == figure(pts["adjust"], pts_prev["adjust"])
    assert report.points_reversed == figure(pts["reverse"], pts_prev["reverse"])
    rate = (Decimal(-pts["redeem"]) / issued.current).quantize(Decimal("0.0001"))
    assert report.redemption_rate.current == rate
    assert report.breakage.previous == (Decimal(-pts_prev["expire"]) / issued.previous).quantize(
        Decimal("0.0001")
    )

    liability = figure(naive.liability(period.end), naive.liability(before.end))
    assert report.liability_points == liability
    assert liability.current == sum(max(m[11], 0) for m in data.members)
    half_up = (liability.current * POINT_VALUE).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    assert report.liability_minor.current == int(half_up)  # 186,405 × 0.5 rounds up

    tiers_now, tiers_before = naive.tiers(period.end), naive.tiers(before.end)
    assert [t.key for t in report.tiers] == ["member", "silver", "gold"]
    for tier in report.tiers:
        assert tier.count == figure(tiers_now[tier.key], tiers_before[tier.key]), tier.key
    assert sum(t.count.current for t in report.tiers) == sum(m[14] is None for m in data.members)


async def test_top_lists_and_locations(data: dataset.Chunk) -> None:
    period = parse_period("30d", TZ)
    assert isinstance(period, Period)
    before = period.previous()
    report = await summary.summary(period, point_value_minor=POINT_VALUE, tiers=TIERS, top=3)

    vouchers = Counter(v[4] for v in data.vouchers if inside(v[7], period))
    vouchers_before = Counter(v[4] for v in data.vouchers if inside(v[7], before))
    expected = sorted(vouchers.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    assert [(r.reward_id, r.vouchers.current) for r in report.top_rewards] == expected
    assert [r.vouchers.previous for r in report.top_rewards] == [
        vouchers_before[rid] for rid, _ in expected
    ]
    assert report.top_rewards[0].names["zh-Hans"].startswith("奖品")

    spend: Counter[int] = Counter()
    for r in data.purchases:
        if inside(r[12], period):
            spend[r[1]] += r[4]
    best = sorted(spend.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    assert [(m.member_id, m.spend_minor) for m in report.top_members] == best

    by_location = {loc.location: loc for loc in report.locations}
    assert set(by_location) == {"north", "south"}
    naive = Naive(data)
    for name, loc in by_location.items():
        now_s, prev_s = naive.sales(period, name), naive.sales(before, name)
        assert loc.purchases == figure(now_s["n"], prev_s["n"])
        assert loc.sales_minor == figure(now_s["amount"], prev_s["amount"])

    north = await summary.summary(
        period, location="north", point_value_minor=POINT_VALUE, tiers=TIERS
    )
    assert north.sales_minor == by_location["north"].sales_minor
    assert north.active_members.current == naive.sales(period, "north")["active"]
    assert north.points_issued == report.points_issued  # points are store-wide


async def test_campaigns_compare_with_as_long_just_before(data: dataset.Chunk) -> None:
    period = parse_period("30d", TZ)
    assert isinstance(period, Period)
    report = await summary.summary(period, point_value_minor=POINT_VALUE, tiers=TIERS)
    assert [c.campaign_id for c in report.campaigns] == [3, 1]  # 2 ended before the period
    for result in report.campaigns:
        (_cid, start, end, _) = next(c for c in dataset.CAMPAIGNS if c[0] == result.campaign_id)
        window_start = max(start, period.start.astimezone(UTC))
        window_end = min(end, period.end.astimezone(UTC), dataset.NOW)
        assert (result.start, result.end) == (window_start, window_end)
        before = window_start - (window_end - window_start)
        during = [r for r in data.purchases if window_start <= r[12] < window_end]
        prior = [r for r in data.purchases if before <= r[12] < window_start]
        assert result.purchases == figure(len(during), len(prior))
        assert result.sales_minor == figure(sum(r[4] for r in during), sum(r[4] for r in prior))
        issued = [
            (window_start <= r[9] < window_end, r[3])
            for r in data.entries
            if r[2] in ("earn", "bonus") and before <= r[9] < window_end
        ]
        assert result.points_issued == figure(
            sum(p for hit, p in issued if hit), sum(p for hit, p in issued if not hit)
        )


async def test_daily_series_bucket_by_local_day(data: dataset.Chunk) -> None:
    period = parse_period("30d", TZ)
    assert isinstance(period, Period)
    tz = period.tz
    expected_points = {d: [0, 0, 0] for d in period.dates()}
    for r in data.entries:
        if inside(r[9], period) and r[2] in ("earn", "bonus", "redeem", "expire"):
            slot = {"earn": 0, "bonus": 0, "redeem": 1, "expire": 2}[r[2]]
            expected_points[r[9].astimezone(tz).date()][slot] += abs(r[3])
    assert await series.points_series(period) == tuple(
        DayPoints(d, *v) for d, v in sorted(expected_points.items())
    )

    sales = {d: [0, 0] for d in period.dates()}
    for r in data.purchases:
        if inside(r[12], period):
            sales[r[12].astimezone(tz).date()][0] += 1
            sales[r[12].astimezone(tz).date()][1] += r[4]
    days = await series.sales_series(period)
    assert [(s.day, s.purchases, s.sales_minor) for s in days] == [
        (d, *v) for d, v in sorted(sales.items())
    ]
    campaign_days = {s.day for s in days if s.campaign}
    # campaign 1 covers 10..6 days before now; campaign 3 runs on weekends only.
    assert dataset.NOW.astimezone(tz).date() - timedelta(days=8) in campaign_days
    weekend = [d for d in period.dates() if d.weekday() >= 5]
    assert set(weekend) <= campaign_days
    assert len(days) == 30


async def test_local_days_across_daylight_saving(store: str) -> None:
    """Berlin leaves summer time on 2025-10-26 at 01:00 UTC: each side keeps its offset."""
    clock.freeze(datetime(2025, 11, 1, tzinfo=UTC))
    member = await Member.create(
        code="M1", card_token="c" * 20, referral_code="R1", created_at=clock.now()
    )
    instants = (
        datetime(2025, 10, 25, 22, 30, tzinfo=UTC),  # 00:30 on the 26th, summer time
        datetime(2025, 10, 26, 22, 30, tzinfo=UTC),  # 23:30 on the 26th, winter time
        datetime(2025, 10, 27, 23, 30, tzinfo=UTC),  # 00:30 on the 28th
    )
    for i, at in enumerate(instants, 1):
        await LedgerEntry.create(
            member=member, kind="earn", points=i, balance_after=0, created_at=at
        )
    period = parse_period("2025-10-25..2025-10-28", "Europe/Berlin")
    assert isinstance(period, Period)
    days = await series.points_series(period)
    assert [(p.day, p.issued) for p in days] == [
        (date(2025, 10, 25), 0),
        (date(2025, 10, 26), 3),
        (date(2025, 10, 27), 0),
        (date(2025, 10, 28), 3),
    ]


async def test_empty_store_reports_zeros(store: str) -> None:
    period = parse_period("7d", TZ)
    assert isinstance(period, Period)
    report = await summary.summary(period, point_value_minor=POINT_VALUE, tiers=TIERS)
    assert report.purchases == Figure(0, 0)
    assert report.redemption_rate.current is None
    assert report.purchases.change_percent is None
    assert report.campaigns == () and report.top_members == ()
    assert all(day.sales_minor == 0 for day in await series.sales_series(period))


async def test_summary_text_renders_in_both_languages(data: dataset.Chunk) -> None:
    period = parse_period("30d", TZ)
    assert isinstance(period, Period)
    report = await summary.summary(period, point_value_minor=POINT_VALUE, tiers=TIERS)
    for language, word in (("en", "Sales"), ("zh-Hans", "销售额")):
        key, args = messages.summary_message(report, currency=Currency(), language=language)
        text = translator(language)(key, **args)
        assert word in text
        assert messages.format_money(report.sales_minor.current, Currency()) in text
        assert "Silver" in text if language == "en" else "银卡" in text
    assert messages.format_money(-123456, Currency()) == "-¥1,234.56"
    assert messages.format_money(5, Currency(code="JPY", exponent=0, symbol="¥")) == "¥5"
