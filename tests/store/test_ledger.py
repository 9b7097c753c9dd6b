"""The ledger: earning rules, spending, refunds, expiry, idempotency, concurrency."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from models import ledger
from models.ledger.config import EarningRules, ExpiryPolicy
from models.ledger.results import (
    AmountTooLarge,
    BelowMinimumPurchase,
    Credited,
    InsufficientPoints,
    InvalidAmount,
    PurchaseRecorded,
    Refunded,
    RefundExceedsPurchase,
    Spent,
    UnknownCurrency,
    UnknownMember,
)
from models.ledger.rules import CampaignRule
from models.store import clock
from models.store.tables import (
    EntryKind,
    LedgerEntry,
    LotDraw,
    Member,
    OutboxMessage,
    PointLot,
    Purchase,
    TierChange,
)
from tests.store.helpers import START, assert_consistent, member, rules

RULES = rules()


async def earn(m: Member, amount: int, key: str, **kw) -> PurchaseRecorded:
    result = await ledger.earn_for_purchase(
        m.id, amount, "CNY", idempotency_key=key, rules=kw.pop("rules", RULES), **kw
    )
    assert isinstance(result, PurchaseRecorded), result
    return result


async def counts() -> tuple[int, int, int, int]:
    return (
        await Purchase.all().count(),
        await LedgerEntry.all().count(),
        await PointLot.all().count(),
        await OutboxMessage.all().count(),
    )


async def test_earn_base_rate_rounds_down_and_queues_receipt(store: str) -> None:
    clock.freeze(START)
    alice = await member(telegram_id=101)
    result = await earn(alice, 12850, "k1")
    assert (result.points, result.balance) == (128, 128)
    assert result.receipt_code.startswith("R-")
    lot = await PointLot.get(member_id=alice.id)
    assert lot.expires_at == datetime(2026, 3, 3, 10, 0, tzinfo=UTC)
    msg = await OutboxMessage.get(member_id=alice.id)
    assert msg.template == "till-receipt-member" and msg.args["points"] == 128
    assert msg.args["amount"] == "¥128.50" and msg.args["balance"] == 128
    entry = await LedgerEntry.get(kind=EntryKind.EARN)
    assert entry.breakdown["points"] == 128 and entry.breakdown["tier"] == "member"
    await assert_consistent()


async def test_receipt_even_when_muted_but_never_without_telegram(store: str) -> None:
    quiet = await member(telegram_id=202, notifications_enabled=False)
    await earn(quiet, 1000, "q")  # a receipt is transactional: reminders off does not stop it
    await earn(await member(), 1000, "n")
    assert await OutboxMessage.filter(member_id=quiet.id, template="till-receipt-member").exists()
    assert await OutboxMessage.all().count() == 1


async def test_rejections_write_nothing(store: str) -> None:
    m = await member(telegram_id=1)
    strict = rules(earning=EarningRules(min_purchase_minor=100, max_purchase_minor=100_000))
    cases = [
        (0, "CNY", InvalidAmount()),
        (-5, "CNY", InvalidAmount()),
        (10**6, "CNY", AmountTooLarge(limit=100_000)),
        (99, "CNY", BelowMinimumPurchase(minimum=100)),
        (500, "USD", UnknownCurrency(expected="CNY", got="USD")),
    ]
    for i, (amount, cur, expected) in enumerate(cases):
        got = await ledger.earn_for_purchase(
            m.id, amount, cur, idempotency_key=f"r{i}", rules=strict
        )
        assert got == expected
    got = await ledger.earn_for_purchase(9999, 500, "CNY", idempotency_key="x", rules=strict)
    assert got == UnknownMember(9999)
    got = await ledger.earn_for_purchase(
        m.id, 500, "CNY", idempotency_key="i", rules=strict, items=[{"amount_minor": 900}]
    )
    assert got == InvalidAmount(reason="items")
    assert await counts() == (0, 0, 0, 0)
    assert await ledger.spend(m.id, 5, idempotency_key="s", reason="t") == InsufficientPoints(5, 0)
    assert await ledger.spend(m.id, 0, idempotency_key="s0", reason="t") == InvalidAmount("points")
    assert await counts() == (0, 0, 0, 0)


async def test_category_sku_tier_campaign_multipliers(store: str) -> None:
    clock.freeze(START)
    r = rules(
        earning=EarningRules(
            category_multipliers={"coffee": Decimal("1.5")},
            sku_multipliers={"BEANS": Decimal("3")},
            excluded_categories=("tobacco",),
        )
    )
    m = await member(tier="gold")
    double = CampaignRule(
        id=7, names={"en": "Double Day"}, kind="multiplier", multiplier=Decimal(2)
    )
    triple_tea = CampaignRule(
        id=8, names={"en": "Tea"}, kind="multiplier", multiplier=Decimal(3), categories=("tea",)
    )
    bonus = CampaignRule(id=9, names={"en": "Hello"}, kind="bonus", bonus_points=5)
    # ¥10 coffee ×1.5 ×gold 1.2 ×2 = 36; ¥10 BEANS ×3 ×1.2 ×2 = 72; ¥10 tea ×1.2 ×3 = 36;
    # ¥10 tobacco = 0; remainder ¥1.23 (no category) ×1.2 ×2 = 2.952 → total 146.952 → 146 + 5
    items = [
        {"amount_minor": 1000, "category": "coffee"},
        {"amount_minor": 1000, "sku": "BEANS", "category": "coffee"},
        {"amount_minor": 1000, "category": "tea"},
        {"amount_minor": 1000, "category": "tobacco"},
    ]
    res = await earn(m, 4123, "mix", rules=r, items=items, campaigns=[double, triple_tea, bonus])
    assert res.points == 151
    kinds = [[f.kind for f in line.factors] for line in res.quote.lines]
    assert kinds[0] == ["base", "category", "tier", "campaign"]
    assert kinds[1] == ["base", "sku", "tier", "campaign"]
    assert res.quote.lines[2].factors[-1].campaign_id == 8
    assert kinds[3][1] == "excluded" and res.quote.lines[3].exact == 0
    assert [b.points for b in res.quote.bonuses] == [5]
    # excluded purchase category: recorded, 0 points, no lot
    zero = await earn(m, 5000, "tob", rules=r, category="tobacco")
    assert zero.points == 0 and await PointLot.filter(entry_id=zero.entry_id).count() == 0
    await assert_consistent()


async def test_campaign_time_and_filters(store: str) -> None:
    monday_10 = START
    c = CampaignRule(
        id=1,
        names={"en": "Weekend"},
        kind="multiplier",
        multiplier=Decimal(2),
        weekdays=(5, 6),
        starts_at=START - timedelta(days=1),
        ends_at=START + timedelta(days=30),
    )
    m = await member()
    clock.freeze(monday_10)
    assert (await earn(m, 1000, "mon", campaigns=[c])).points == 10
    clock.freeze(monday_10 + timedelta(days=5))  # Saturday
    assert (await earn(m, 1000, "sat", campaigns=[c])).points == 20
    clock.freeze(monday_10 + timedelta(days=40))
    assert (await earn(m, 1000, "late", campaigns=[c])).points == 10
    tiered = CampaignRule(id=2, names={}, kind="bonus", bonus_points=9, tiers=("gold",))
    assert (await earn(m, 1000, "t", campaigns=[tiered])).points == 10


async def test_rounding_modes_and_daily_cap(store: str) -> None:
    clock.freeze(START)
    m = await member()
    up = rules(earning=EarningRules(rounding="up"))
    near = rules(earning=EarningRules(rounding="nearest"))
    assert (await earn(m, 1001, "u", rules=up)).points == 11
    assert (await earn(m, 1050, "n", rules=near)).points == 11
    assert (await earn(m, 1049, "n2", rules=near)).points == 10
    capped = rules(earning=EarningRules(daily_cap_points=50))
    c = await member()
    assert (await earn(c, 4000, "c1", rules=capped)).points == 40
    second = await earn(c, 4000, "c2", rules=capped)
    assert second.points == 10 and second.quote.cap is not None
    assert (await earn(c, 4000, "c3", rules=capped)).points == 0
    clock.advance(timedelta(days=1))
    assert (await earn(c, 4000, "c4", rules=capped)).points == 40
    await assert_consistent()


async def test_tier_upgrade_on_earn(store: str) -> None:
    clock.freeze(START)
    m = await member()
    first = await earn(m, 90000, "a")
    assert first.upgraded_to is None and first.tier == "member"
    second = await earn(m, 20000, "b")  # 900 + 200 ≥ 1000: gold now, this purchase at 1×
    assert second.points == 200 and second.upgraded_to == "gold"
    assert (await Member.get(id=m.id)).tier == "gold"
    assert await TierChange.filter(member_id=m.id, reason="earn").count() == 1
    third = await earn(m, 10000, "c")
    assert third.points == 120 and third.tier == "gold" and third.upgraded_to is None


async def test_idempotent_retry_returns_first_result(store: str) -> None:
    m = await member(telegram_id=5)
    first = await earn(m, 5000, "same")
    again = await ledger.earn_for_purchase(m.id, 9999, "CNY", idempotency_key="same", rules=RULES)
    assert isinstance(again, PurchaseRecorded) and again.replayed
    assert (again.purchase_id, again.points, again.balance) == (
        first.purchase_id,
        first.points,
        first.balance,
    )
    assert again.quote == first.quote
    assert await counts() == (1, 1, 1, 1)
    s1 = await ledger.spend(m.id, 10, idempotency_key="sp", reason="t")
    s2 = await ledger.spend(m.id, 10, idempotency_key="sp", reason="t")
    assert isinstance(s2, Spent) and s2.replayed and s2.entry_id == s1.entry_id
    assert (await Member.get(id=m.id)).balance == 40


async def test_concurrent_same_key_makes_one_entry(store: str) -> None:
    m = await member()
    results = await asyncio.gather(
        *(
            ledger.earn_for_purchase(m.id, 1000, "CNY", idempotency_key="dup", rules=RULES)
            for _ in range(50)
        )
    )
    assert {r.purchase_id for r in results} == {results[0].purchase_id}
    assert sum(not r.replayed for r in results) == 1
    assert await LedgerEntry.all().count() == 1
    spends = await asyncio.gather(
        *(ledger.spend(m.id, 3, idempotency_key="dup", reason="t") for _ in range(50))
    )
    assert len({s.entry_id for s in spends}) == 1
    assert (await Member.get(id=m.id)).balance == 7
    await assert_consistent()


async def test_concurrent_spends_never_overdraw(store: str) -> None:
    m = await member()
    await earn(m, 7000, "seed")  # 70 points: covers 7 spends of 10
    results = await asyncio.gather(
        *(ledger.spend(m.id, 10, idempotency_key=f"s{i}", reason="t") for i in range(50))
    )
    assert sum(isinstance(r, Spent) for r in results) == 7
    assert all(isinstance(r, Spent | InsufficientPoints) for r in results)
    assert (await Member.get(id=m.id)).balance == 0
    await assert_consistent()


async def test_spend_takes_earliest_expiry_first_never_last(store: str) -> None:
    clock.freeze(START)
    m = await member()
    forever = rules(expiry=ExpiryPolicy(policy="never"))
    await earn(m, 1000, "never", rules=forever)
    await earn(m, 1000, "late", rules=rules(expiry=ExpiryPolicy(months=6)))
    await earn(m, 1000, "early", rules=rules(expiry=ExpiryPolicy(months=2)))
    spent = await ledger.spend(m.id, 15, idempotency_key="s", reason="t")
    draws = await LotDraw.filter(entry_id=spent.entry_id).prefetch_related("lot")
    taken = {d.lot.expires_at: -d.points for d in draws}
    assert taken == {START.replace(month=5): 10, START.replace(month=9): 5}
    await assert_consistent()


async def test_expiry_policies() -> None:
    at = datetime(2025, 1, 31, 15, 0, tzinfo=UTC)
    assert ledger.expiry_for(at, ExpiryPolicy(months=1)) == datetime(2025, 2, 28, 15, tzinfo=UTC)
    eop = ExpiryPolicy(policy="end_of_period", months=12, period="year")
    assert ledger.expiry_for(at, eop) == datetime(2027, 1, 1, tzinfo=UTC)
    q = ExpiryPolicy(policy="end_of_period", months=1, period="quarter")
    assert ledger.expiry_for(at, q, "Asia/Shanghai") == datetime(2025, 3, 31, 16, tzinfo=UTC)
    assert ledger.expiry_for(at, ExpiryPolicy(policy="never")) is None


async def test_expire_sweep_is_idempotent(store: str) -> None:
    clock.freeze(START)
    a, b = await member(), await member()
    short = rules(expiry=ExpiryPolicy(months=1))
    await earn(a, 1000, "a1", rules=short)
    await earn(a, 2000, "a2")
    await earn(b, 3000, "b1", rules=short)
    await ledger.spend(a.id, 4, idempotency_key="a-s", reason="t")  # from the short lot
    clock.advance(timedelta(days=40))
    run = await ledger.expire_due()
    assert (run.members, run.points) == (2, 6 + 30)
    assert (await Member.get(id=a.id)).balance == 20
    assert (await Member.get(id=b.id)).balance == 0
    again = await ledger.expire_due()
    assert (again.members, again.points) == (0, 0)
    assert await LedgerEntry.filter(kind=EntryKind.EXPIRE).count() == 2
    await assert_consistent()
    # expired points cannot be spent
    assert isinstance(
        await ledger.spend(b.id, 1, idempotency_key="b", reason="t"), InsufficientPoints
    )


async def test_refund_partial_then_full_reverses_exactly(store: str) -> None:
    clock.freeze(START)
    m = await member()
    p = await earn(m, 10000, "p")  # 100 pts
    r1 = await ledger.refund(p.receipt_code.lower(), 3333, idempotency_key="r1")
    assert isinstance(r1, Refunded) and r1.points_reversed == 33
    r2 = await ledger.refund(p.purchase_id, 3333, idempotency_key="r2")
    assert r2.points_reversed == 33  # floor(100 × 6666 / 10000) = 66 in total
    over = await ledger.refund(p.purchase_id, 3335, idempotency_key="r3")
    assert over == RefundExceedsPurchase(refundable_minor=3334)
    r3 = await ledger.refund(p.purchase_id, 3334, idempotency_key="r4")
    assert r3.points_reversed == 34 and r3.balance == 0
    assert (await ledger.refund(p.purchase_id, 1, idempotency_key="r5")) == RefundExceedsPurchase(0)
    replay = await ledger.refund(p.purchase_id, 3334, idempotency_key="r4")
    assert replay.replayed and replay.refund_id == r3.refund_id
    entry = await LedgerEntry.get(id=r1.entry_id)
    assert entry.reverses_id == p.entry_id  # type: ignore[attr-defined]
    await assert_consistent()


async def test_refund_of_spent_points_by_policy(store: str) -> None:
    m = await member()
    p = await earn(m, 10000, "p")
    await ledger.spend(m.id, 80, idempotency_key="s", reason="t")
    clamp = await ledger.refund(p.purchase_id, 5000, idempotency_key="c", policy="clamp_to_zero")
    assert (clamp.points_due, clamp.points_reversed, clamp.balance) == (50, 20, 0)
    neg = await ledger.refund(p.purchase_id, 5000, idempotency_key="n")
    assert (neg.points_reversed, neg.balance) == (50, -50)
    await assert_consistent()
    # the debt is repaid by the next credit before any lot holds points
    await earn(m, 8000, "later")
    assert (await Member.get(id=m.id)).balance == 30
    await assert_consistent()


async def test_adjust_and_bonus(store: str) -> None:
    m = await member()
    plus = await ledger.adjust(
        m.id, 40, reason="goodwill", actor_telegram_id=9, idempotency_key="a1"
    )
    assert isinstance(plus, Credited) and plus.balance == 40
    minus = await ledger.adjust(m.id, -15, reason="typo", actor_telegram_id=9, idempotency_key="a2")
    assert isinstance(minus, Spent) and minus.balance == 25
    too_much = await ledger.adjust(
        m.id, -100, reason="x", actor_telegram_id=9, idempotency_key="a3"
    )
    assert isinstance(too_much, InsufficientPoints)
    bonus = await ledger.grant_bonus(m.id, 100, idempotency_key="birthday:2025", reason="birthday")
    again = await ledger.grant_bonus(m.id, 100, idempotency_key="birthday:2025", reason="birthday")
    assert again.replayed and again.entry_id == bonus.entry_id and bonus.balance == 125
    from models.store.tables import AuditLog

    assert await AuditLog.filter(action="points.adjust").count() == 2
    await assert_consistent()
