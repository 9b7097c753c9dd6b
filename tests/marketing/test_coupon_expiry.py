"""Differential: the expiry a coupon batch states is the expiry of the voucher a claim
gives, for any validity the marketer picks, any reward validity and any claim time."""

from __future__ import annotations

import os
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.catalogue import coupons
from models.catalogue.coupons import BatchCreated, CouponClaimed, CouponExpired
from models.ledger import rule_versions
from models.store import clock
from models.store.tables import Reward
from tests.store.helpers import START, member

EXAMPLES = int(os.environ.get("JIFEN_PROPERTY_EXAMPLES", "30"))
TZ = "Asia/Shanghai"


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    days=st.integers(0, 400),
    reward_days=st.one_of(st.none(), st.integers(1, 3650)),
    after=st.floats(0, 1.2),
    created_minute=st.integers(0, 24 * 60 - 1),
)
async def test_the_stated_expiry_is_the_claimed_voucher_s(
    store: str, days: int, reward_days: int | None, after: float, created_minute: int
) -> None:
    created = START + timedelta(minutes=created_minute)
    clock.freeze(created)
    try:
        reward = await Reward.create(
            names={"en": "Cookie"},
            kind="gift",
            cost_points=50,
            voucher_validity_days=reward_days,
            created_at=created,
        )
        stated = coupons.expiry_after(days, TZ)
        batch = await coupons.generate_batch(reward.id, 1, actor_telegram_id=7, valid_until=stated)
        assert isinstance(batch, BatchCreated)
        stats = await coupons.batch_stats(batch.batch_id)
        assert stats is not None and stats.valid_until == stated
        rules = (await rule_versions.current())[1]
        if stated is None:  # the summary states how long a claimed voucher lasts instead
            assert stats.voucher_days == (reward_days or rules.usage.voucher_validity_days)
        # claim somewhere between now and a little past the stated end (or 400 days on)
        span = (stated - created) if stated else timedelta(days=400)
        claimed_at = created + span * after
        clock.freeze(claimed_at)
        [coupon] = await coupons.coupons_of(batch.batch_id)
        got = await coupons.claim((await member()).id, coupon.code)
        if stated is not None and claimed_at >= stated:
            assert got == CouponExpired(stated)
            return
        assert isinstance(got, CouponClaimed)
        if stated is not None:
            assert got.valid_until == stated
        else:
            assert got.valid_until == claimed_at + timedelta(days=stats.voucher_days)
    finally:
        clock.unfreeze()
