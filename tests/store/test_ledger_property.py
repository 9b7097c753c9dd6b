"""Property: random sequences of ledger operations keep the books exact.

A small in-memory model of lots (earliest expiry first, debts repaid first) predicts every
balance; after each step the store must agree with the model and ``doctor.check()`` must
find nothing. Expired or spent points are gone in the model, so any attempt to use them
again would show up as a balance mismatch or a spend that should have been refused.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models import ledger
from models.ledger.config import ExpiryPolicy, Tiers
from models.ledger.results import Credited, InsufficientPoints, PurchaseRecorded, Refunded, Spent
from models.store import clock, group_commit
from models.store.tables import Member, Purchase
from tests.store.helpers import START, assert_consistent, member, rules

RULES = rules(expiry=ExpiryPolicy(months=1), tiers=Tiers())  # one tier: 1 point per ¥1 exactly
FAR = datetime.max.replace(tzinfo=START.tzinfo)


@dataclass
class Lot:
    seq: int
    expires: datetime
    remaining: int
    purchase: str | None = None


@dataclass
class Model:
    balance: int = 0
    lots: list[Lot] = field(default_factory=list)
    purchases: dict[str, list[int]] = field(
        default_factory=dict
    )  # key → [amount, pts, refunded, reversed]

    def credit(self, points: int, expires: datetime, purchase: str | None = None) -> None:
        repay = min(points, max(0, -self.balance))
        self.lots.append(Lot(len(self.lots), expires, points - repay, purchase))
        self.balance += points

    def draw(self, n: int, prefer: str | None = None) -> None:
        for lot in sorted(
            self.lots, key=lambda x: (x.purchase != prefer or prefer is None, x.expires, x.seq)
        ):
            take = min(lot.remaining, n)
            lot.remaining -= take
            n -= take
        assert n == 0

    def expire(self, now: datetime) -> None:
        for lot in self.lots:
            if lot.expires <= now:
                self.balance -= lot.remaining
                lot.remaining = 0


ops = st.lists(
    st.one_of(
        st.tuples(st.just("earn"), st.integers(1, 50_000)),
        st.tuples(st.just("spend"), st.integers(1, 400)),
        st.tuples(st.just("adjust"), st.integers(-200, 200).filter(bool)),
        st.tuples(st.just("bonus"), st.integers(1, 100)),
        st.tuples(st.just("refund"), st.integers(0, 20), st.integers(1, 50_000)),
        st.tuples(st.just("advance"), st.integers(1, 45)),
        st.tuples(st.just("expire")),
    ),
    min_size=5,
    max_size=25,
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=ops)
@pytest.mark.parametrize("together", [1, 3])
async def test_random_operations_keep_the_invariant(
    store: str, together: int, steps: list[tuple]
) -> None:
    """``together`` members run every step at once: with 3, group commit is forced on and
    each step's calls share one transaction (one savepoint each), on both databases."""
    group_commit.configure(True if together > 1 else None)
    try:
        await _run_steps(together, steps)
    finally:
        group_commit.configure(None)


async def _run_steps(together: int, steps: list[tuple]) -> None:
    clock.freeze(START)
    ids = [(await member()).id for _ in range(together)]
    model = Model()

    async def each(i: int, call: Callable[..., Awaitable[Any]], *args: Any, **kw: Any) -> Any:
        """``call(member_id, *args, idempotency_key=…, **kw)`` for every member at once;
        they must all answer alike."""
        results = await asyncio.gather(
            *(call(mid, *args, idempotency_key=f"{mid}-{i}", **kw) for mid in ids)
        )
        assert len({_shape(r) for r in results}) == 1, results
        return results[0]

    async def refund(mid: int, pkey: str, want: int, *, idempotency_key: str) -> Any:
        purchase = await Purchase.get(idempotency_key=f"{mid}-{pkey}")
        return await ledger.refund(purchase.id, want, idempotency_key=idempotency_key)

    for i, step in enumerate(steps):
        now = clock.now()
        kind = step[0]
        if kind == "earn":
            got = await each(i, ledger.earn_for_purchase, step[1], "CNY", rules=RULES)
            assert isinstance(got, PurchaseRecorded)
            assert got.points == step[1] // 100
            model.credit(got.points, ledger.expiry_for(now, RULES.expiry), str(i))
            model.purchases[str(i)] = [step[1], got.points, 0, 0]
        elif kind in ("spend", "adjust") and (kind == "spend" or step[1] < 0):
            n = abs(step[1])
            if kind == "spend":
                got = await each(i, ledger.spend, n, reason="p")
            else:
                got = await each(i, ledger.adjust, -n, reason="p", actor_telegram_id=1, rules=RULES)
            if model.balance >= n:
                assert isinstance(got, Spent), (got, model.balance)
                model.draw(n)
                model.balance -= n
            else:
                assert isinstance(got, InsufficientPoints)
        elif kind in ("adjust", "bonus"):
            if kind == "adjust":
                got = await each(
                    i, ledger.adjust, step[1], reason="p", actor_telegram_id=1, rules=RULES
                )
            else:
                got = await each(i, ledger.grant_bonus, step[1], reason="p", rules=RULES)
            assert isinstance(got, Credited)
            model.credit(step[1], ledger.expiry_for(now, RULES.expiry))
        elif kind == "refund" and model.purchases:
            pkey = sorted(model.purchases)[step[1] % len(model.purchases)]
            amount, pts, refunded, reversed_ = model.purchases[pkey]
            want = min(step[2], amount - refunded) or 1
            got = await each(i, refund, pkey, want)
            if refunded + want > amount:
                assert not isinstance(got, Refunded)
            else:
                assert isinstance(got, Refunded)
                target = pts * (refunded + want) // amount
                due = target - reversed_
                model.draw(min(due, max(model.balance, 0)), prefer=pkey)
                model.balance -= due
                model.purchases[pkey] = [amount, pts, refunded + want, target]
                assert got.points_reversed == due
        elif kind == "advance":
            clock.advance(timedelta(days=step[1]))
        elif kind == "expire":
            await ledger.expire_due()
            model.expire(now)
        for mid in ids:
            assert (await Member.get(id=mid)).balance == model.balance, (i, step)
        await assert_consistent()


def _shape(result: Any) -> tuple:
    """What must be equal across members: the kind of answer and its numbers."""
    numbers = ("points", "balance", "points_reversed", "short_by")
    return (type(result).__name__, *(getattr(result, k, None) for k in numbers))
