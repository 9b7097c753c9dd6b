"""``history.recent`` (one query, the Mini App's card) gives the same lines as ``page``."""

from __future__ import annotations

from models import ledger
from models.catalogue import vouchers
from models.ledger import history, rule_versions
from models.ledger.results import PurchaseRecorded, VoucherIssued, VoucherVoided
from models.store import clock
from models.store.tables import Reward
from tests.api.conftest import new_member


async def test_recent_equals_the_first_page(store: str) -> None:
    rule_versions.invalidate()
    member = await new_member(601, points=300)
    bought = await ledger.earn_for_purchase(member.id, 12850, "CNY", idempotency_key="r1")
    assert isinstance(bought, PurchaseRecorded)
    reward = await Reward.create(
        names={"en": "Latte", "zh-Hans": "拿铁"},
        kind="gift",
        cost_points=100,
        created_at=clock.now(),
    )
    issued = await vouchers.issue_for_reward(member.id, reward.id, idempotency_key="r2")
    assert isinstance(issued, VoucherIssued)
    assert isinstance(await vouchers.void(issued.voucher_id, "test", None), VoucherVoided)

    recent = await history.recent(member.id, 10)
    assert recent == (await history.page(member.id, 0, 10)).lines
    assert [line.kind.value for line in recent] == ["reverse", "redeem", "earn", "bonus"]
    assert recent[1].reward_names == {"en": "Latte", "zh-Hans": "拿铁"}
    assert recent[2].amount_minor == 12850 and recent[2].breakdown["lines"]
    assert await history.recent(member.id, 2) == recent[:2]
