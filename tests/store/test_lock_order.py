"""One lock order (models/locks.py): operations that meet on a member and a voucher never
deadlock, on SQLite and PostgreSQL.

Before the order was fixed, redeem locked the voucher and then the member (through the
receipt's outbox row) while void locked the member and then the voucher: on PostgreSQL
most rounds of a concurrent redeem + void + spend ended in ``deadlock detected``.
"""

from __future__ import annotations

import asyncio

from models import ledger
from models.catalogue import vouchers
from models.ledger.results import (
    AlreadyUsed,
    Credited,
    InsufficientPoints,
    NotVoidable,
    PurchaseRecorded,
    Redeemed,
    Spent,
    Voided,
    VoucherIssued,
    VoucherVoided,
)
from models.store import clock
from models.store.tables import Member, Reward
from tests.store.helpers import assert_consistent, member, rules

RULES = rules()
ROUNDS = 30


async def test_redeem_void_spend_rounds_never_deadlock(store: str) -> None:
    """30 rounds of redeem + void of one voucher, a spend and an earn of its member at once.

    Exactly one of redeem/void wins each round; nothing raises (a deadlock would surface
    as an exception from ``gather``); the books balance at the end.
    """
    m = await member(telegram_id=4242)
    await ledger.grant_bonus(m.id, 10 * ROUNDS, idempotency_key="seed", reason="seed")
    prize = await Reward.create(
        names={"en": "Tea"}, kind="gift", cost_points=5, stock=ROUNDS, created_at=clock.now()
    )
    for i in range(ROUNDS):
        issued = await vouchers.issue_for_reward(
            m.id, prize.id, idempotency_key=f"issue{i}", rules=RULES
        )
        assert isinstance(issued, VoucherIssued), issued
        redeemed, voided, spent, earned, bonus = await asyncio.gather(
            vouchers.redeem(issued.code, staff_telegram_id=7),
            vouchers.void(issued.voucher_id, "changed mind", 9),
            ledger.spend(m.id, 1, idempotency_key=f"spend{i}", reason="t"),
            ledger.earn_for_purchase(m.id, 500, "CNY", idempotency_key=f"earn{i}", rules=RULES),
            ledger.adjust(m.id, 1, reason="r", actor_telegram_id=9, idempotency_key=f"adj{i}"),
        )
        assert isinstance(redeemed, Redeemed) != isinstance(voided, VoucherVoided), (
            redeemed,
            voided,
        )
        assert isinstance(redeemed, Redeemed | Voided), redeemed
        assert isinstance(voided, VoucherVoided | NotVoidable), voided
        assert isinstance(spent, Spent | InsufficientPoints), spent
        assert isinstance(earned, PurchaseRecorded), earned
        assert isinstance(bonus, Credited), bonus
    assert (await Reward.get(id=prize.id)).stock >= 0
    assert (await Member.get(id=m.id)).balance >= 0
    await assert_consistent()


async def test_void_after_redeem_and_redeem_after_void(store: str) -> None:
    """The unhappy orders, one after another: the loser is told why and nothing changes."""
    m = await member(telegram_id=4343)
    await ledger.grant_bonus(m.id, 20, idempotency_key="seed", reason="seed")
    prize = await Reward.create(
        names={"en": "Tea"}, kind="gift", cost_points=5, stock=2, created_at=clock.now()
    )
    a = await vouchers.issue_for_reward(m.id, prize.id, idempotency_key="a", rules=RULES)
    b = await vouchers.issue_for_reward(m.id, prize.id, idempotency_key="b", rules=RULES)
    assert isinstance(await vouchers.redeem(a.code, staff_telegram_id=1), Redeemed)
    assert await vouchers.void(a.voucher_id, "late", 9) == NotVoidable(status="redeemed")
    assert isinstance(await vouchers.void(b.voucher_id, "early", 9), VoucherVoided)
    assert isinstance(await vouchers.redeem(b.code, staff_telegram_id=1), Voided)
    again = await vouchers.redeem(a.code, staff_telegram_id=2)
    assert isinstance(again, AlreadyUsed) and again.by == 1
    assert (await Member.get(id=m.id)).balance == 15
    assert (await Reward.get(id=prize.id)).stock == 1
    await assert_consistent()
