"""Shared helpers for stamp-card tests: a coffee card type, a purchase, the invariants."""

from __future__ import annotations

from typing import Any

from models import ledger
from models.ledger.results import PurchaseRecorded
from models.stamps import card_types, doctor, stamping
from models.store import clock
from models.store.tables import Reward, StampCardType
from tests.store.helpers import assert_consistent, rules

RULES = rules()


async def coffee_card(**values: Any) -> StampCardType:
    """A coffee card: 10 stamps, one per purchase, a free coffee voucher (or ``values``)."""
    if "reward_points" not in values and "reward_id" not in values:
        reward = await Reward.create(
            names={"en": "Free coffee", "zh-Hans": "免费咖啡"},
            kind="gift",
            cost_points=0,
            created_at=clock.now(),
        )
        values["reward_id"] = reward.id
    made = await card_types.create(
        {"names": {"en": "Coffee card", "zh-Hans": "咖啡卡"}, "stamps_needed": 10} | values, None
    )
    assert isinstance(made, StampCardType), made
    stamping.forget()
    return made


async def buy(member_id: int, key: str, amount: int = 3000, **kw: Any) -> PurchaseRecorded:
    result = await ledger.earn_for_purchase(
        member_id, amount, "CNY", idempotency_key=key, rules=RULES, **kw
    )
    assert isinstance(result, PurchaseRecorded), result
    return result


def stamps_of(result: Any) -> list[stamping.CardResult]:
    return list(result.extras.get("stamps") or [])


async def assert_cards_consistent() -> None:
    await assert_consistent()
    problems = await doctor.check()
    assert problems == [], problems
