"""The season (``make demo``): six months of history through the store's own operations,
on both databases. The books add up, every segment, audience kind and report chart has
something to show, and the same seed gives the same figures."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tortoise.functions import Count

from bot.sandbox.personas import grant_roles
from bot.sandbox.seeding import seed_season
from bot.settings import Settings, load_settings
from models.ledger import doctor
from models.ledger.targeting import Audience, AudienceKind
from models.marketing import audiences, offers, segments
from models.marketing.segments import Segment
from models.reports import periods, series, summary
from models.sandbox import season
from models.store import clock, db
from models.store.tables import (
    Broadcast,
    BroadcastStatus,
    Member,
    OutboxMessage,
    OutboxStatus,
    PointLot,
    Voucher,
    VoucherStatus,
)

NOW = datetime(2025, 10, 15, 7, 0, tzinfo=UTC)  # 15:00 in Shanghai


def settings() -> Settings:
    return load_settings(offers={"winback_enabled": True})


async def seeded(size: int = season.DEFAULT_SIZE, seed: int = season.DEFAULT_SEED) -> Any:
    await grant_roles()
    started = time.monotonic()
    loaded = await seed_season(settings(), size=size, seed=seed, now=NOW)
    print(f"season of {size}: {loaded} in {time.monotonic() - started:.1f} s")
    clock.freeze(NOW)
    return loaded


async def figures() -> dict[str, Any]:
    """What a merchant reads: the 30-day report, segments, tiers, messages by template."""
    rules = settings().rules
    period = periods.parse_period("30d", "Asia/Shanghai")
    assert isinstance(period, periods.Period)
    report = await summary.summary(
        period, point_value_minor=rules.usage.point_value_minor, tiers=rules.tiers
    )
    templates = (
        await OutboxMessage.all()
        .group_by("template")
        .annotate(n=Count("id"))
        .values_list("template", "n")
    )
    return {
        "report": (
            report.purchases,
            report.sales_minor,
            report.refunded_minor,
            report.points_issued,
            report.points_redeemed,
            report.points_expired,
            report.new_members,
            report.active_members,
            report.tiers,
            report.locations,
        ),
        "segments": await segments.segment_counts(),
        "templates": sorted(templates),
        "lift": [
            (c.targeted, c.control)
            for c in await offers.targeted_reports(NOW - timedelta(days=60), NOW)
        ],
    }


async def test_a_season_has_something_in_every_view(store: str) -> None:
    loaded = await seeded()
    assert not loaded.skipped and loaded.members >= season.DEFAULT_SIZE
    assert await doctor.check() == []

    counts = await segments.segment_counts()
    assert all(counts[s] > 0 for s in Segment), counts
    gold_and_silver = [level.key for level in settings().rules.tiers.levels[1:]]
    codes = tuple(await Member.filter(enrolled=True).limit(3).values_list("code", flat=True))
    kinds = [
        Audience(AudienceKind.TIER, tiers=(gold_and_silver[-1],)),
        Audience(AudienceKind.TIER, tiers=(gold_and_silver[0],)),
        *(Audience(AudienceKind.SEGMENT, segment=s.value) for s in Segment),
        Audience(AudienceKind.AT_RISK, days=60),
        Audience(AudienceKind.CATEGORY, category="coffee", days=30),
        Audience(AudienceKind.MEMBERS, codes=codes),
        Audience(AudienceKind.WINBACK, days=60),
    ]
    assert {a.kind for a in kinds} == set(AudienceKind)
    for audience in kinds:
        found = await audiences.preview(audience, NOW)
        assert isinstance(found, audiences.AudiencePreview) and found.size > 0, audience

    rules = settings().rules
    period = periods.parse_period("30d", "Asia/Shanghai")
    assert isinstance(period, periods.Period)
    report = await summary.summary(
        period, point_value_minor=rules.usage.point_value_minor, tiers=rules.tiers
    )
    assert report.points_issued.current and report.points_redeemed.current
    assert report.points_expired.current and report.refunded_minor.current
    assert report.new_members.current and report.campaigns
    assert {loc.location for loc in report.locations} == {"Downtown", "Riverside"}
    assert all(t.count.current for t in report.tiers), report.tiers  # member, silver, gold
    days = await series.points_series(period)
    assert sum(d.expired for d in days) and sum(d.redeemed for d in days)
    sales = await series.sales_series(period)
    assert sum(d.sales_minor > 0 for d in sales) >= 25 and any(d.campaign for d in sales)

    lifts = await offers.targeted_reports(NOW - timedelta(days=60), NOW)
    assert {c.audience for c in lifts} >= {"at_risk", "winback"}
    assert all(c.control.members and c.targeted.buyers for c in lifts)

    # what the coming days hold: birthdays, expiring points, a scheduled broadcast
    week = {(NOW + timedelta(days=d)).strftime("%m-%d") for d in range(1, 8)}
    birthdays = await Member.filter(birthday__not_isnull=True).values_list("birthday", flat=True)
    assert sum(b.strftime("%m-%d") in week for b in birthdays) >= 5
    assert await PointLot.filter(remaining__gt=0, expires_at__lt=NOW + timedelta(days=30)).count()
    assert await Broadcast.filter(status=BroadcastStatus.SCHEDULED, scheduled_at__gt=NOW).exists()
    assert await Broadcast.filter(status=BroadcastStatus.DONE).exists()
    assert await Voucher.filter(status=VoucherStatus.REDEEMED).count() > 100
    assert await Voucher.filter(status=VoucherStatus.ISSUED, valid_until__lt=NOW).exists()
    # the history was delivered back then: the running sandbox starts with nothing queued
    assert not await OutboxMessage.filter(status=OutboxStatus.PENDING).exists()

    assert (await seeded()).skipped == "already seeded"


async def test_the_same_seed_gives_the_same_season(tmp_path: Path) -> None:
    seen = []
    for run, seed in enumerate((7, 7, 8)):
        await db.open_fresh_store(f"sqlite://{tmp_path}/season{run}.sqlite3")
        try:
            loaded = await seeded(size=80, seed=seed)
            seen.append((loaded, await figures()))
        finally:
            await db.close_store()
            clock.unfreeze()
    assert seen[0] == seen[1]
    assert seen[0] != seen[2]
