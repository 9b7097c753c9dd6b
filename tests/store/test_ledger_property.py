"""Property: random sequences of ledger operations keep the books exact.

A small in-memory model of lots (earliest expiry first, debts repaid first) predicts every
balance; after each step the store must agree with the model and ``doctor.check()`` must
find nothing. Expired or spent points are gone in the model, so any attempt to use them
again would show up as a balance mismatch or a spend that should have been refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models import clock, ledger
from models.config import ExpiryPolicy, Tiers
from models.results import Credited, InsufficientPoints, PurchaseRecorded, Refunded, Spent
from models.tables import Member, Purchase
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
async def test_random_operations_keep_the_invariant(store: str, steps: list[tuple]) -> None:
    clock.freeze(START)
    m = await member()
    model = Model()
    for i, step in enumerate(steps):
        key = f"{m.id}-{i}"
        now = clock.now()
        kind = step[0]
        if kind == "earn":
            got = await ledger.earn_for_purchase(
                m.id, step[1], "CNY", idempotency_key=key, rules=RULES
            )
            assert isinstance(got, PurchaseRecorded)
            assert got.points == step[1] // 100
            model.credit(got.points, ledger.expiry_for(now, RULES.expiry), key)
            model.purchases[key] = [step[1], got.points, 0, 0]
        elif kind in ("spend", "adjust") and (kind == "spend" or step[1] < 0):
            n = abs(step[1])
            if kind == "spend":
                got = await ledger.spend(m.id, n, idempotency_key=key, reason="p")
            else:
                got = await ledger.adjust(
                    m.id, -n, reason="p", actor_telegram_id=1, idempotency_key=key, rules=RULES
                )
            if model.balance >= n:
                assert isinstance(got, Spent), (got, model.balance)
                model.draw(n)
                model.balance -= n
            else:
                assert isinstance(got, InsufficientPoints)
        elif kind in ("adjust", "bonus"):
            if kind == "adjust":
                got = await ledger.adjust(
                    m.id, step[1], reason="p", actor_telegram_id=1, idempotency_key=key, rules=RULES
                )
            else:
                got = await ledger.grant_bonus(
                    m.id, step[1], idempotency_key=key, reason="p", rules=RULES
                )
            assert isinstance(got, Credited)
            model.credit(step[1], ledger.expiry_for(now, RULES.expiry))
        elif kind == "refund" and model.purchases:
            pkey = sorted(model.purchases)[step[1] % len(model.purchases)]
            amount, pts, refunded, reversed_ = model.purchases[pkey]
            purchase = await Purchase.get(idempotency_key=pkey)
            want = min(step[2], amount - refunded) or 1
            got = await ledger.refund(purchase.id, want, idempotency_key=key)
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
        assert (await Member.get(id=m.id)).balance == model.balance, (i, step)
        await assert_consistent()
