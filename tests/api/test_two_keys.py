"""Two web shops, two unbound keys, the same order numbers and Idempotency-Keys: a
hypothesis state machine records purchases, refunds (by order id and by receipt code)
and voucher redemptions from both, against a model of what each key owns. No key can
refund, replay or otherwise touch the other's orders; the books balance after.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule, run_state_machine_as_test

from models import ledger
from models.catalogue import vouchers
from models.ledger import doctor
from models.members import membership
from models.store import clock
from models.store.tables import Member, Reward
from tests.api.live import LiveApi, live_api

ORDERS = ("1001", "1002")
IDEMS = ("k-1", "k-2")
AMOUNTS = (5000, 10000)
REFUNDS = (1000, 5000, 10000)
VOUCHERS = 3
EXAMPLES = int(os.environ.get("JIFEN_STATEFUL_EXAMPLES", "25"))
_runs = itertools.count()


@dataclass
class Order:
    receipt: str
    amount: int
    refunded: int = 0


@dataclass
class Model:
    orders: dict[tuple[int, str], Order] = field(default_factory=dict)
    bodies: dict[tuple[int, str], Any] = field(default_factory=dict)  # (key, idem) → request
    answers: dict[tuple[int, str], Any] = field(default_factory=dict)  # first answer
    redeemed: set[int] = field(default_factory=set)


async def _seed(run: int) -> tuple[list[str], list[str]]:
    """Two members with points, and vouchers of one of them (codes), fresh for this run."""
    codes = []
    for telegram_id in (10 * run + 1, 10 * run + 2):
        member, _ = await membership.ensure_member(8_000_000 + telegram_id, first_name="Shopper")
        await ledger.grant_bonus(member.id, 1000, idempotency_key=f"seed:{member.id}", reason="t")
        codes.append(member.code)
    reward = await Reward.create(
        names={"en": "Tea"}, kind="gift", cost_points=10, created_at=clock.now()
    )
    owner = await Member.get(code=codes[0])
    found = []
    for i in range(VOUCHERS):
        issued = await vouchers.issue_for_reward(
            owner.id, reward.id, idempotency_key=f"v:{run}:{i}"
        )
        assert isinstance(issued, vouchers.VoucherIssued)
        found.append(issued.code)
    return codes, found


class TwoShops(RuleBasedStateMachine):
    live: LiveApi
    session: requests.Session

    def __init__(self) -> None:
        super().__init__()
        self.run = next(_runs)
        self.members, self.vouchers = self.live.run(_seed(self.run))
        self.model = Model()

    def call(self, key: int, method: str, path: str, body: Any = None, idem: str | None = None):  # type: ignore[no-untyped-def]
        headers = {"Authorization": f"Bearer {self.live.keys[key]}"}
        if idem is not None:
            headers["Idempotency-Key"] = f"{self.run}:{idem}"
        response = self.session.request(
            method, self.live.base_url + path, json=body, headers=headers
        )
        assert response.status_code < 500, response.text
        return response.status_code, response.json()

    def order_id(self, order: str) -> str:
        return f"{self.run}-{order}"

    def _keyed(self, key: int, idem: str, request: Any, status: int, body: Any) -> bool:
        """Check the Idempotency-Key contract; True when the answer was a first one."""
        slot = (key, idem)
        if slot in self.model.bodies:
            if self.model.bodies[slot] != request:  # refused: by the key, or before it
                assert status in (404, 409, 422), body
                assert body["error"]["code"] != "already_used", body
            else:
                first_status, first_body = self.model.answers[slot]
                assert body == first_body, (body, first_body)
                assert status == (200 if first_status < 300 else first_status)
            return False
        if status < 300 or body["error"]["code"] in ("already_used",):
            self.model.bodies[slot] = request
            self.model.answers[slot] = (status, body)
        return True

    @rule(
        key=st.sampled_from((0, 1)),
        order=st.sampled_from(ORDERS),
        who=st.sampled_from((0, 1)),
        amount=st.sampled_from(AMOUNTS),
        idem=st.none() | st.sampled_from(IDEMS),
    )
    def record(self, key: int, order: str, who: int, amount: int, idem: str | None) -> None:
        body = {
            "member": {"code": self.members[who]},
            "amount_minor": amount,
            "currency": "CNY",
            "order_id": self.order_id(order),
        }
        status, answer = self.call(key, "POST", "/purchases", body, idem)
        slot = f"p:{idem}" if idem is not None else f"order:{order}"
        if not self._keyed(key, slot, ("purchase", body), status, answer):
            return
        assert status == 201, answer
        assert answer["order_id"] == self.order_id(order)
        known = self.model.orders.get((key, order))
        if known is None:
            self.model.orders[(key, order)] = Order(answer["receipt_code"], amount)
        elif known.receipt != answer["receipt_code"]:
            # the same number under another Idempotency-Key of the SAME key: refunding it by
            # number is ambiguous for this key (and only for this key)
            self.model.orders[(key, order)] = Order("", 0)

    @rule(
        key=st.sampled_from((0, 1)),
        order=st.sampled_from(ORDERS),
        amount=st.sampled_from(REFUNDS),
        idem=st.sampled_from(IDEMS),
    )
    def refund_by_order(self, key: int, order: str, amount: int, idem: str) -> None:
        request = {"order_id": self.order_id(order), "amount_minor": amount}
        status, answer = self.call(key, "POST", "/refunds", request, f"r:{idem}")
        if not self._keyed(key, f"r:{idem}", ("refund", request), status, answer):
            return
        mine = self.model.orders.get((key, order))
        if mine is None:
            assert status == 404 and answer["error"]["code"] == "purchase_not_found", answer
        elif not mine.receipt:
            assert status == 409 and answer["error"]["code"] == "ambiguous_order", answer
        else:
            self._expect_refund(mine, amount, status, answer)

    @rule(
        key=st.sampled_from((0, 1)),
        owner=st.sampled_from((0, 1)),
        order=st.sampled_from(ORDERS),
        amount=st.sampled_from(REFUNDS),
        idem=st.sampled_from(IDEMS),
    )
    def refund_by_receipt(self, key: int, owner: int, order: str, amount: int, idem: str) -> None:
        target = self.model.orders.get((owner, order))
        if target is None or not target.receipt:
            return
        request = {"receipt_code": target.receipt, "amount_minor": amount}
        status, answer = self.call(key, "POST", "/refunds", request, f"r:{idem}")
        if not self._keyed(key, f"r:{idem}", ("refund", request), status, answer):
            return
        if owner != key:  # another shop's receipt: as if it did not exist
            assert status == 404 and answer["error"]["code"] == "purchase_not_found", answer
        else:
            self._expect_refund(target, amount, status, answer)

    def _expect_refund(self, order: Order, amount: int, status: int, answer: Any) -> None:
        left = order.amount - order.refunded
        if amount > left:
            assert status == 422 and answer["error"]["refundable_minor"] == left, answer
            return
        assert status == 201 and answer["receipt_code"] == order.receipt, answer
        order.refunded += amount
        assert answer["refundable_minor"] == order.amount - order.refunded

    @rule(key=st.sampled_from((0, 1)), n=st.integers(0, VOUCHERS - 1), idem=st.sampled_from(IDEMS))
    def redeem(self, key: int, n: int, idem: str) -> None:
        code = self.vouchers[n]
        status, answer = self.call(key, "POST", f"/vouchers/{code}/redeem", None, f"v:{idem}")
        if not self._keyed(key, f"v:{idem}", ("redeem", code), status, answer):
            return
        if n in self.model.redeemed:
            assert status == 409 and answer["error"]["code"] == "already_used", answer
        else:
            assert status == 200 and answer["code"] == code and answer["status"] == "redeemed"
            self.model.redeemed.add(n)

    def teardown(self) -> None:
        assert self.live.run(doctor.check()) == []


@pytest.fixture
def shops(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LiveApi]:
    with live_api(request.param, tmp_path, keys=2) as live:
        yield live


@pytest.mark.parametrize("shops", ["sqlite", "postgres"], indirect=True)
def test_two_keys_never_touch_each_others_orders(shops: LiveApi) -> None:
    TwoShops.live = shops
    with requests.Session() as session:
        TwoShops.session = session
        budget = settings(
            max_examples=EXAMPLES,
            stateful_step_count=25,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        run_state_machine_as_test(TwoShops, settings=budget)
