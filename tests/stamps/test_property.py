"""Property: random purchases, retries, races, redeliveries and refunds keep stamps exact.

Each example plays one new member against one coffee card (per item, 4 to fill, cards
live 20 days): a purchase may be sent several times at once under one key (a race, or a
redelivered update), several purchases may race under different keys, an old key may
come back (a retry), part of a purchase may be refunded, and time moves on. After every
step ``doctor`` (ledger and stamps) finds nothing, no purchase ever stamped more than it
earned, no refund took back more than its share, every filled card holds an unused
voucher, and the member has at most one card in progress.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from models import ledger
from models.ledger.results import PurchaseRecorded, Refunded
from models.stamps import stamping
from models.store import clock
from models.store.tables import (
    CardState,
    Purchase,
    Stamp,
    StampCard,
    StampCardType,
    Voucher,
    VoucherStatus,
)
from tests.stamps.helpers import RULES, assert_cards_consistent, coffee_card
from tests.store.helpers import START, member

steps_strategy = st.lists(
    st.one_of(
        st.tuples(st.just("buy"), st.integers(1, 3), st.integers(1, 3)),  # qty, copies at once
        st.tuples(st.just("burst"), st.integers(2, 4)),  # purchases racing, one each
        st.tuples(st.just("retry"), st.integers(0, 30)),
        st.tuples(st.just("refund"), st.integers(0, 2), st.sampled_from([500, 1000, 1500, 3000])),
        st.tuples(st.just("advance"), st.integers(1, 25)),
    ),
    min_size=3,
    max_size=14,
)


async def _card_type() -> StampCardType:
    found = await StampCardType.filter(stamps_needed=4).first()
    return found or await coffee_card(stamps_needed=4, per_item=True, lifetime_days=20)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=steps_strategy)
@example(steps=[("buy", 3, 2), ("refund", 0, 1000), ("refund", 0, 1000), ("buy", 2, 1)])
async def test_random_stamping_keeps_the_cards_exact(store: str, steps: list[tuple]) -> None:
    clock.freeze(START)
    stamping.forget()
    await _card_type()
    alice = await member()
    bought: dict[str, tuple[int, int]] = {}  # key → (qty, amount)

    async def buy(key: str, qty: int) -> PurchaseRecorded:
        got = await ledger.earn_for_purchase(
            alice.id,
            3000,
            "CNY",
            idempotency_key=key,
            rules=RULES,
            items=[{"amount_minor": 3000, "quantity": qty}],
        )
        assert isinstance(got, PurchaseRecorded), got
        return got

    for i, step in enumerate(steps):
        kind = step[0]
        if kind == "buy":
            key = f"{alice.id}-{i}"
            answers = await asyncio.gather(*(buy(key, step[1]) for _ in range(step[2])))
            assert len({a.purchase_id for a in answers}) == 1
            bought[key] = (step[1], 3000)
        elif kind == "burst":
            keys = [f"{alice.id}-{i}-{j}" for j in range(step[1])]
            await asyncio.gather(*(buy(k, 1) for k in keys))
            bought.update({k: (1, 3000) for k in keys})
        elif kind == "retry" and bought:
            key = sorted(bought)[step[1] % len(bought)]
            assert (await buy(key, bought[key][0])).replayed
        elif kind == "refund" and bought:
            key = sorted(bought)[step[1] % len(bought)]
            purchase = await Purchase.get(idempotency_key=key)
            want = min(step[2], purchase.amount_minor - purchase.refunded_minor)
            if want > 0:
                got = await ledger.refund(purchase.id, want, idempotency_key=f"r-{i}")
                assert isinstance(got, Refunded), got
        elif kind == "advance":
            clock.advance(timedelta(days=step[1]))
        await _check(alice.id, bought)


async def _check(member_id: int, bought: dict[str, tuple[int, int]]) -> None:
    await assert_cards_consistent()
    for key, (qty, amount) in bought.items():
        purchase = await Purchase.get(idempotency_key=key)
        rows = await Stamp.filter(purchase_id=purchase.id)
        assert sum(r.stamps for r in rows if r.refund_id is None) == qty  # type: ignore[attr-defined]
        taken = -sum(r.stamps for r in rows if r.refund_id is not None)  # type: ignore[attr-defined]
        assert 0 <= taken <= qty * purchase.refunded_minor // amount
    cards = await StampCard.filter(member_id=member_id).prefetch_related("voucher")
    now = clock.now()
    in_progress = [
        c
        for c in cards
        if c.state == CardState.COLLECTING and (c.expires_at is None or c.expires_at > now)
    ]
    assert len(in_progress) <= 1
    for card in cards:
        if card.state == CardState.FILLED:
            assert card.voucher is not None and card.voucher.status == VoucherStatus.ISSUED
    issued = await Voucher.filter(member_id=member_id, status=VoucherStatus.ISSUED).count()
    assert issued == sum(1 for c in cards if c.state == CardState.FILLED)
