"""Rewards: validation, both languages filled in, edits and archive audited."""

from __future__ import annotations

from datetime import UTC, datetime

from models.catalogue import rewards
from models.catalogue.rewards import InvalidReward, RewardDraft, RewardSaved, UnknownReward
from models.store.tables import AuditLog, Reward
from tests.store.helpers import rules

RULES = rules()


def test_validation() -> None:
    ok = RewardDraft(names={"en": "Latte"}, cost_points=100).fields()
    assert rewards.validate(ok, RULES) is None
    cases = {
        "names": {"names": {"en": " "}},
        "cost_points": {"cost_points": -1},
        "kind": {"kind": "cash"},
        "stock": {"stock": -3},
        "per_member_limit": {"per_member_limit": 0},
        "voucher_validity_days": {"voucher_validity_days": 100_000},
        "min_tier": {"min_tier": "platinum"},
        "active_until": {
            "active_from": datetime(2025, 3, 2, tzinfo=UTC),
            "active_until": datetime(2025, 3, 1, tzinfo=UTC),
        },
    }
    for name, change in cases.items():
        problem = rewards.validate(ok | change, RULES)
        assert isinstance(problem, InvalidReward) and problem.field == name, name
    assert rewards.validate(ok | {"cost_points": True}, RULES) is not None
    assert rewards.validate(ok | {"min_tier": "gold"}, RULES) is None


async def test_add_edit_archive(store: str) -> None:
    saved = await rewards.add(
        RewardDraft(
            names={"zh-Hans": "拿铁"},
            descriptions={"en": "A hot latte"},
            cost_points=120,
            kind="gift",
            photo_file_id="file-1",
            stock=10,
            per_member_limit=2,
            min_tier="gold",
            voucher_validity_days=14,
        ),
        actor_telegram_id=7,
        rules=RULES,
    )
    assert isinstance(saved, RewardSaved) and saved.created
    row = await Reward.get(id=saved.reward_id)
    assert row.names == {"en": "拿铁", "zh-Hans": "拿铁"}
    assert row.descriptions == {"en": "A hot latte", "zh-Hans": "A hot latte"}
    assert (row.stock, row.per_member_limit, row.min_tier) == (10, 2, "gold")
    bad = await rewards.edit(row.id, {"stock": -1}, actor_telegram_id=7, rules=RULES)
    assert bad == InvalidReward("stock", "range")
    assert (await Reward.get(id=row.id)).stock == 10
    assert isinstance(
        await rewards.edit(row.id, {"stock": 3, "cost_points": 90}, actor_telegram_id=7),
        RewardSaved,
    )
    assert isinstance(await rewards.archive(row.id, actor_telegram_id=7), RewardSaved)
    row = await Reward.get(id=row.id)
    assert (row.stock, row.cost_points, row.archived) == (3, 90, True)
    assert await rewards.list_rewards() == []
    assert await rewards.edit(999, {"stock": 1}, actor_telegram_id=7) == UnknownReward(999)
    log = await AuditLog.filter(target=f"reward:{row.id}").order_by("id")
    assert [a.action for a in log] == ["reward.add", "reward.edit", "reward.archive"]
    assert log[1].details["before"] == {"stock": 10, "cost_points": 120}
    invalid = await rewards.add(RewardDraft(names={}, cost_points=1), actor_telegram_id=7)
    assert invalid == InvalidReward("names", "empty")
