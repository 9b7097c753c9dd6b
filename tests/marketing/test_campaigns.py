"""Campaigns: validation, pause/resume/end, and which are in force (weekdays, hours, zones)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from models.marketing import campaigns
from models.marketing.campaigns import (
    CampaignChanged,
    CampaignCreated,
    CampaignDraft,
    CampaignNotChangeable,
    InvalidCampaign,
)
from models.store import clock
from models.store.tables import AuditLog, CampaignKind, CampaignStatus

MONDAY = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)


def draft(**overrides) -> CampaignDraft:
    values = {
        "names": {"en": "Double Day", "zh-Hans": "双倍积分日"},
        "kind": CampaignKind.MULTIPLIER,
        "multiplier": Decimal(2),
        "starts_at": MONDAY,
        "ends_at": MONDAY + timedelta(days=7),
    }
    return CampaignDraft(**(values | overrides))


def test_validation_refuses_bad_drafts() -> None:
    now = MONDAY
    bad = {
        "names": draft(names={"en": "  "}),
        "multiplier": draft(multiplier=Decimal(1)),
        "window": draft(ends_at=MONDAY - timedelta(hours=1)),
        "bonus": draft(kind=CampaignKind.BONUS, bonus_points=-5),
        "weekdays": draft(weekdays=(7,)),
        "hours": draft(hours=(14, 10)),
    }
    for field_name, value in bad.items():
        problem = campaigns.validate(value, now)
        assert isinstance(problem, InvalidCampaign) and problem.field == field_name, field_name
    assert campaigns.validate(draft(multiplier=Decimal(11)), now) == InvalidCampaign(
        "multiplier", "range"
    )
    assert campaigns.validate(draft(multiplier=Decimal("1.5")), now) is None
    ended = draft(starts_at=MONDAY - timedelta(days=3), ends_at=MONDAY - timedelta(days=1))
    assert campaigns.validate(ended, now) == InvalidCampaign("window", "ended")


def test_parsing_and_presets() -> None:
    assert campaigns.parse_multiplier("x2") == Decimal(2)
    assert campaigns.parse_multiplier("1,5") == Decimal("1.5")
    assert campaigns.parse_multiplier("lots") is None
    at = campaigns.parse_local_datetime("2025-03-08 10:00", "Asia/Shanghai")
    assert at is not None and at.astimezone(UTC) == datetime(2025, 3, 8, 2, 0, tzinfo=UTC)
    assert campaigns.parse_local_datetime("08/03/2025", "UTC") is None
    assert campaigns.parse_local_datetime("0001-01-01", "Asia/Shanghai") is None  # no zone holds it
    assert campaigns.parse_local_datetime("9999-12-31", "America/New_York", end=True) is None
    start, end = campaigns.preset_window("weekend", MONDAY, "Asia/Shanghai")
    assert start.astimezone(UTC) == datetime(2025, 3, 7, 16, 0, tzinfo=UTC)  # Sat 00:00 +08
    assert end - start == timedelta(days=2)
    start, end = campaigns.preset_window("today", MONDAY, "UTC")
    assert start == MONDAY and end == datetime(2025, 3, 4, tzinfo=UTC)


async def test_create_pause_resume_end(store: str) -> None:
    clock.freeze(MONDAY)
    created = await campaigns.create(draft(), actor_telegram_id=5)
    assert isinstance(created, CampaignCreated)
    cid = created.campaign_id
    assert [c.id for c in await campaigns.active_at(MONDAY)] == [cid]
    assert await campaigns.pause(cid, actor_telegram_id=5) == CampaignChanged(
        cid, CampaignStatus.PAUSED
    )
    assert await campaigns.active_at(MONDAY) == []
    assert isinstance(await campaigns.pause(cid, actor_telegram_id=5), CampaignNotChangeable)
    assert isinstance(await campaigns.resume(cid, actor_telegram_id=5), CampaignChanged)
    assert isinstance(await campaigns.end(cid, actor_telegram_id=5), CampaignChanged)
    assert isinstance(await campaigns.resume(cid, actor_telegram_id=5), CampaignNotChangeable)
    assert await campaigns.active_at(MONDAY) == []
    actions = [a.action for a in await AuditLog.filter(target=f"campaign:{cid}").order_by("id")]
    assert actions == ["campaign.create", "campaign.pause", "campaign.resume", "campaign.end"]
    invalid = await campaigns.create(draft(multiplier=Decimal(0)), actor_telegram_id=5)
    assert isinstance(invalid, InvalidCampaign)
    assert len(await campaigns.list_campaigns(include_ended=True)) == 1


async def test_active_at_weekdays_hours_and_time_zone(store: str) -> None:
    clock.freeze(MONDAY)
    # Saturdays 10:00-14:00 in Shanghai (UTC+8), bonus on the web shop only
    sat = await campaigns.create(
        draft(weekdays=(5,), hours=(10, 14), ends_at=MONDAY + timedelta(days=30)),
        actor_telegram_id=None,
    )
    web = await campaigns.create(
        draft(kind=CampaignKind.BONUS, bonus_points=20, channels=("api",)),
        actor_telegram_id=None,
    )
    assert isinstance(sat, CampaignCreated) and isinstance(web, CampaignCreated)
    tz = "Asia/Shanghai"
    saturday_11_local = datetime(2025, 3, 8, 3, 0, tzinfo=UTC)
    assert [c.id for c in await campaigns.active_at(saturday_11_local, tz=tz)] == [sat.campaign_id]
    # the same instant is Saturday 03:00 in UTC: outside the hours there
    assert await campaigns.active_at(saturday_11_local, tz="UTC") == []
    saturday_14_local = datetime(2025, 3, 8, 6, 0, tzinfo=UTC)
    assert await campaigns.active_at(saturday_14_local, tz=tz) == []
    friday_11_local = datetime(2025, 3, 7, 3, 0, tzinfo=UTC)
    assert await campaigns.active_at(friday_11_local, tz=tz) == []
    on_api = await campaigns.active_at(friday_11_local, "api", tz=tz)
    assert [c.id for c in on_api] == [web.campaign_id]
    rules = await campaigns.rules_at(saturday_11_local, "api", tz=tz)
    assert {r.id for r in rules} == {sat.campaign_id, web.campaign_id}
    assert all(r.tz == tz for r in rules)
    after = MONDAY + timedelta(days=7, seconds=1)
    assert [c.id for c in await campaigns.active_at(after, "api", tz=tz)] == []
