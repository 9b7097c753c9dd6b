"""The roll-up of closed days says what the journal says: every figure of every period,
with kept days, equals the summary (and the daily series) read wholly from the journal;
a row dated in a kept day, an enrolment flip or an import drops the kept days; a fill
that raced such a write keeps nothing; ``jifen doctor`` finds a kept day that differs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from tortoise.expressions import F

from models.members import membership
from models.reports import rollup, series, summary
from models.reports.periods import Period, parse_period
from models.store import clock
from models.store.tables import LedgerEntry, Member, Purchase, ReportDay
from tests.reports import dataset
from tests.reports.conftest import TIERS

POINT_VALUE = Decimal("0.5")
PERIODS = ("today", "7d", "30d", "month", "last-month", "2026-02-20..2026-03-12")


def _period(text: str, tz: str) -> Period:
    period = parse_period(text, tz)
    assert isinstance(period, Period), period
    return period


async def _both(period: Period, location: str | None = None) -> tuple[object, object]:
    def report(rolled: bool) -> object:
        return summary.summary(
            period, location=location, point_value_minor=POINT_VALUE, tiers=TIERS, rolled=rolled
        )

    return await report(True), await report(False)


@pytest.mark.parametrize("tz", ["Asia/Shanghai", "America/New_York"])  # DST on 2026-03-08
async def test_kept_days_give_the_journals_figures_for_every_period(
    data: dataset.Chunk, tz: str
) -> None:
    for text in PERIODS:
        for location in (None, "north"):
            filled, journal = await _both(_period(text, tz), location)
            assert filled == journal, (text, location)
            kept, _ = await _both(_period(text, tz), location)  # read back, not recomputed
            assert kept == journal, (text, location)
            period = _period(text, tz)
            assert await series.sales_series(period, location=location) == (
                await series.sales_series(period, location=location, rolled=False)
            ), (text, location)
        period = _period(text, tz)
        assert await series.points_series(period) == (
            await series.points_series(period, rolled=False)
        ), text
    assert await ReportDay.filter(tz=tz).count() >= 60
    assert await rollup.check() == []


async def test_today_and_the_grace_after_midnight_are_read_live(store: str) -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    clock.freeze(datetime(2026, 3, 20, 16, 5, tzinfo=UTC))  # 00:05 on the 21st in Shanghai
    assert rollup.last_closed_day(shanghai) == date(2026, 3, 19)  # the 20th is in its grace
    clock.freeze(datetime(2026, 3, 20, 16, 10, tzinfo=UTC))
    assert rollup.last_closed_day(shanghai) == date(2026, 3, 20)
    start = datetime(2026, 3, 18, 15, 30, tzinfo=UTC)  # 23:30 on the 18th
    assert rollup.whole_days(start, clock.now(), shanghai) == (date(2026, 3, 19), date(2026, 3, 20))
    assert rollup.whole_days(start, start + timedelta(hours=20), shanghai) is None


async def _backdated(member: Member, at: datetime, points: int) -> None:
    """A row dated in the past, as an import or a test's clock writes one (the balance
    moves with it: balance = sum of entries)."""
    await LedgerEntry.create(
        member=member, kind="earn", points=points, balance_after=0, created_at=at
    )
    await Member.filter(id=member.id).update(balance=F("balance") + points)
    await Purchase.create(
        member=member, order_id=f"late-{points}", receipt_code=f"LATE{points}",
        idempotency_key=f"late-{points}", amount_minor=points * 100, currency="CNY",
        location="north", created_at=at,
    )  # fmt: skip


async def test_a_row_dated_in_a_kept_day_drops_the_days_from_it_on(data: dataset.Chunk) -> None:
    period = _period("30d", "Asia/Shanghai")
    await _both(period)
    kept = await ReportDay.filter(tz="Asia/Shanghai").count()
    member = await Member.filter(deleted_at=None).order_by("id").first()
    assert member is not None
    await _backdated(member, dataset.NOW - timedelta(days=10), 777)
    filled, journal = await _both(period)
    assert filled == journal
    assert filled.points_issued.current == journal.points_issued.current  # type: ignore[attr-defined]
    assert await ReportDay.filter(tz="Asia/Shanghai").count() == kept  # dropped, then again
    assert await rollup.check() == []


async def test_a_fill_that_raced_a_backdated_write_keeps_nothing(data: dataset.Chunk) -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    marks = await rollup.checked(shanghai)
    day = rollup.last_closed_day(shanghai) - timedelta(days=3)
    computed = await rollup.compute(day, day, shanghai)  # read before the write below
    member = await Member.filter(deleted_at=None).order_by("id").first()
    assert member is not None
    await _backdated(member, rollup.midnight(day, shanghai) + timedelta(hours=12), 55)
    await rollup.checked(shanghai)  # another report saw it: the watermark moved
    row = ReportDay(
        tz=shanghai.key, day=day.isoformat(), figures=rollup._stored(computed[day]),
        created_at=clock.now(),
    )  # fmt: skip
    await rollup._keep(shanghai, marks, [row])
    assert not await ReportDay.filter(tz=shanghai.key, day=day.isoformat()).exists()
    fresh = await rollup.days(day, day, shanghai)
    assert fresh[day].points["earn"] == computed[day].points["earn"] + 55


async def test_a_busy_till_does_not_keep_a_fill_from_being_kept(data: dataset.Chunk) -> None:
    """Purchases of today land between every read and write of a busy shop: they are not
    in any kept day, so the fill is kept all the same."""
    shanghai = ZoneInfo("Asia/Shanghai")
    marks = await rollup.checked(shanghai)
    day = rollup.last_closed_day(shanghai) - timedelta(days=3)
    computed = await rollup.compute(day, day, shanghai)
    member = await Member.filter(deleted_at=None).order_by("id").first()
    assert member is not None
    await _backdated(member, clock.now(), 56)  # dated now: today, not a kept day
    await rollup.checked(shanghai)
    row = ReportDay(
        tz=shanghai.key, day=day.isoformat(), figures=rollup._stored(computed[day]),
        created_at=clock.now(),
    )  # fmt: skip
    await rollup._keep(shanghai, marks, [row])
    assert await ReportDay.filter(tz=shanghai.key, day=day.isoformat()).exists()
    assert await rollup.check() == []


async def test_the_doctor_finds_a_kept_day_that_differs(data: dataset.Chunk) -> None:
    await _both(_period("7d", "Asia/Shanghai"))
    row = await ReportDay.filter(tz="Asia/Shanghai").order_by("day").first()
    assert row is not None
    row.figures = {**row.figures, "points": {**row.figures["points"], "earn": 1}}
    await row.save()
    problems = await rollup.check()
    assert [(p.tz, p.day.isoformat()) for p in problems] == [("Asia/Shanghai", row.day)]
    assert "report-day" in str(problems[0])
    await rollup.forget()
    assert await ReportDay.all().count() == 0 and await rollup.check() == []

    await _both(_period("7d", "Asia/Shanghai"))  # keeps the week before's buyers too
    (row,) = [r for r in await ReportDay.all() if r.figures.get("buyers")]
    row.figures = {**row.figures, "buyers": dict.fromkeys(row.figures["buyers"], 1)}
    await row.save()
    assert [p.day.isoformat() for p in await rollup.check()] == [row.day]


async def test_an_enrolment_flip_drops_the_kept_days(data: dataset.Chunk) -> None:
    """Members per tier count the enrolled back to when they joined: a cashier who joins
    as a member changes every past count, so nothing kept may stay."""
    staff = await Member.filter(deleted_at=None).order_by("id").first()
    assert staff is not None
    await Member.filter(id=staff.id).update(enrolled=False)
    period = _period("last-month", "Asia/Shanghai")
    await _both(period)
    assert await ReportDay.all().count() > 0
    assert await membership.enroll(staff.id)
    assert await ReportDay.all().count() == 0
    filled, journal = await _both(period)
    assert filled == journal
