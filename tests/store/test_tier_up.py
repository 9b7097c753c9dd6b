"""Reaching a tier: a service message with the tier's perks, written with the earn, and a
flag the Mini App clears when it shows the moment (once)."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from models import ledger
from models.ledger import tiers
from models.ledger.config import TierLevel, Tiers
from models.ledger.results import PurchaseRecorded
from models.store.tables import Member, OutboxMessage
from tests.store.helpers import member, rules

GOLD = TierLevel(
    key="gold",
    names={"en": "Gold", "zh-Hans": "金卡"},
    threshold=1000,
    multiplier=Decimal("1.2"),
    perks={"en": ["20% more points", "Birthday gift"], "zh-Hans": ["积分多赚 20%"]},
)
RULES = rules(tiers=Tiers(levels=(TierLevel(key="member", names={"en": "Member"}), GOLD)))


async def _earn(member_id: int, amount: int, key: str) -> PurchaseRecorded:
    got = await ledger.earn_for_purchase(member_id, amount, "CNY", idempotency_key=key, rules=RULES)
    assert isinstance(got, PurchaseRecorded)
    return got


async def test_a_tier_reached_sends_its_perks_once(store: str) -> None:
    m = await member(telegram_id=7001, language="zh-Hans")
    await _earn(m.id, 50_000, "a")
    assert not await OutboxMessage.filter(template="tier-upgraded").exists()
    got = await _earn(m.id, 60_000, "b")
    assert got.upgraded_to == "gold"
    await _earn(m.id, 60_000, "b")  # a retry
    await _earn(m.id, 10_000, "c")  # already gold
    sent = await OutboxMessage.filter(template="tier-upgraded")
    assert len(sent) == 1
    assert sent[0].args == {"tier": "金卡", "perks": "• 积分多赚 20%", "has_perks": "yes"}
    row = await Member.get(id=m.id)
    assert row.tier_up_unseen == "gold"
    shown = await asyncio.gather(*(tiers.take_unseen_upgrade(m.id, "gold") for _ in range(5)))
    assert sorted(shown) == [False] * 4 + [True]
    assert (await Member.get(id=m.id)).tier_up_unseen is None


async def test_no_message_when_reminders_are_off(store: str) -> None:
    m = await member(telegram_id=7002, notifications_enabled=False)
    assert (await _earn(m.id, 120_000, "x")).upgraded_to == "gold"
    assert not await OutboxMessage.filter(template="tier-upgraded").exists()
    assert (await Member.get(id=m.id)).tier_up_unseen == "gold"  # the Mini App still shows it
