"""Vouchers: issue is all-or-nothing, redeem has exactly one winner, void gives back."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from models import ledger
from models.catalogue import vouchers
from models.ledger.config import UsageRules
from models.ledger.results import (
    AlreadyUsed,
    BelowMinimumRedemption,
    Expired,
    InsufficientPoints,
    LimitReached,
    NotVoidable,
    OutOfStock,
    Redeemed,
    RewardUnavailable,
    TierTooLow,
    UnknownVoucher,
    Voided,
    VoucherIssued,
    VoucherVoided,
)
from models.store import clock
from models.store.tables import LedgerEntry, Member, OutboxMessage, Reward, Voucher
from tests.store.helpers import START, assert_consistent, member, rules

RULES = rules()


async def reward(cost: int = 10, **fields) -> Reward:
    return await Reward.create(
        names={"en": "Latte", "zh-Hans": "拿铁"},
        kind="gift",
        cost_points=cost,
        created_at=clock.now(),
        **fields,
    )


async def funded(points: int, **fields) -> Member:
    m = await member(**fields)
    await ledger.grant_bonus(m.id, points, idempotency_key=f"seed{m.id}", reason="seed")
    return m


async def test_issue_redeem_and_notice(store: str) -> None:
    clock.freeze(START)
    m = await funded(50, telegram_id=77, language="zh-Hans")
    r = await reward(30, stock=2)
    issued = await vouchers.issue_for_reward(m.id, r.id, idempotency_key="i1", rules=RULES)
    assert isinstance(issued, VoucherIssued) and issued.balance == 20
    assert len(issued.token) >= 22 and len(issued.code) == 9
    assert (await Reward.get(id=r.id)).stock == 1
    again = await vouchers.issue_for_reward(m.id, r.id, idempotency_key="i1", rules=RULES)
    assert again.replayed and again.voucher_id == issued.voucher_id
    assert (await vouchers.find(issued.code.lower().replace("-", " "))).id == issued.voucher_id
    assert (await vouchers.find("v-" + issued.token)).id == issued.voucher_id
    done = await vouchers.redeem(issued.code, staff_telegram_id=5, location="shop 1")
    assert isinstance(done, Redeemed) and done.by == 5
    used = await vouchers.redeem(issued.token, staff_telegram_id=6)
    assert isinstance(used, AlreadyUsed) and used.by == 5 and used.location == "shop 1"
    note = await OutboxMessage.get(template="till-voucher-redeemed-member")
    assert note.args == {"reward": "拿铁", "code": issued.code, "points": 30, "location": "shop 1"}
    assert await vouchers.redeem("ZZZZ-ZZZZ", staff_telegram_id=5) == UnknownVoucher("ZZZZ-ZZZZ")
    await assert_consistent()


async def test_issue_rejections_write_nothing(store: str) -> None:
    clock.freeze(START)
    m = await funded(50)
    before = await LedgerEntry.all().count()
    empty = await reward(10, stock=0)
    assert isinstance(
        await vouchers.issue_for_reward(m.id, empty.id, idempotency_key="a", rules=RULES),
        OutOfStock,
    )
    dear = await reward(60, stock=5)
    got = await vouchers.issue_for_reward(m.id, dear.id, idempotency_key="b", rules=RULES)
    assert got == InsufficientPoints(short_by=10, balance=50)
    assert (await Reward.get(id=dear.id)).stock == 5  # stock taken back with the rollback
    gold = await reward(10, min_tier="gold")
    got = await vouchers.issue_for_reward(m.id, gold.id, idempotency_key="c", rules=RULES)
    assert got == TierTooLow(required="gold", current="member")
    old = await reward(10, archived=True)
    assert isinstance(
        await vouchers.issue_for_reward(m.id, old.id, idempotency_key="d", rules=RULES),
        RewardUnavailable,
    )
    strict = rules(usage=UsageRules(min_redemption_points=20))
    got = await vouchers.issue_for_reward(m.id, gold.id, idempotency_key="e", rules=strict)
    assert got in (BelowMinimumRedemption(20), TierTooLow("gold", "member"))
    once = await reward(5, per_member_limit=1)
    ok = await vouchers.issue_for_reward(m.id, once.id, idempotency_key="f", rules=RULES)
    assert isinstance(ok, VoucherIssued)
    got = await vouchers.issue_for_reward(m.id, once.id, idempotency_key="g", rules=RULES)
    assert got == LimitReached(limit=1, period="member")
    daily = rules(usage=UsageRules(max_redemptions_per_day=1))
    got = await vouchers.issue_for_reward(m.id, dear.id, idempotency_key="h", rules=daily)
    assert got == LimitReached(limit=1, period="day")
    assert await LedgerEntry.all().count() == before + 1
    assert await Voucher.all().count() == 1
    await assert_consistent()


async def test_twenty_simultaneous_scans_one_winner(store: str) -> None:
    m = await funded(10)
    r = await reward(10)
    issued = await vouchers.issue_for_reward(m.id, r.id, idempotency_key="x", rules=RULES)
    results = await asyncio.gather(
        *(vouchers.redeem(issued.code, staff_telegram_id=i) for i in range(20))
    )
    winners = [x for x in results if isinstance(x, Redeemed)]
    assert len(winners) == 1
    assert all(
        isinstance(x, AlreadyUsed) and x.by == winners[0].by for x in results if x not in winners
    )


async def test_concurrent_issues_respect_balance_and_stock(store: str) -> None:
    m = await funded(70)
    r = await reward(10, stock=100)
    results = await asyncio.gather(
        *(
            vouchers.issue_for_reward(m.id, r.id, idempotency_key=f"k{i}", rules=RULES)
            for i in range(50)
        )
    )
    assert sum(isinstance(x, VoucherIssued) for x in results) == 7
    assert (await Member.get(id=m.id)).balance == 0
    assert (await Reward.get(id=r.id)).stock == 93
    await assert_consistent()


async def test_expired_and_voided_vouchers(store: str) -> None:
    clock.freeze(START)
    m = await funded(100)
    r = await reward(30, stock=3)
    a = await vouchers.issue_for_reward(m.id, r.id, idempotency_key="a", rules=RULES)
    b = await vouchers.issue_for_reward(m.id, r.id, idempotency_key="b", rules=RULES)
    voided = await vouchers.void(b.voucher_id, "customer changed mind", 9)
    assert voided == VoucherVoided(b.voucher_id, 30, 70, True)
    assert (await Reward.get(id=r.id)).stock == 2
    assert isinstance(await vouchers.void(b.voucher_id, "again", 9), NotVoidable)
    assert isinstance(await vouchers.redeem(b.code, staff_telegram_id=1), Voided)
    clock.advance(timedelta(days=31))
    assert await vouchers.redeem(a.code, staff_telegram_id=1) == Expired(on=a.valid_until)
    assert await vouchers.expire_vouchers() == 1
    await assert_consistent()
