"""What the consent tests share."""

from __future__ import annotations

from datetime import datetime, timedelta

from models.store.tables import Campaign, CampaignKind


async def double_days(now: datetime) -> Campaign:
    """An announced ×2 campaign that started a minute ago and runs three days."""
    return await Campaign.create(
        names={"en": "Double Days", "zh-Hans": "双倍积分日"},
        kind=CampaignKind.MULTIPLIER,
        multiplier="2",
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(days=3),
        created_at=now,
    )
