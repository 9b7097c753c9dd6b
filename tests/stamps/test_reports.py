"""Report figures: cards started, filled, redeemed, and the time to fill."""

from __future__ import annotations

from datetime import timedelta

from models.catalogue import vouchers
from models.reports.stamps import stamp_figures
from models.store import clock
from models.store.tables import Voucher
from tests.stamps.helpers import buy, coffee_card
from tests.store.helpers import START, member


async def test_started_filled_redeemed_and_time_to_fill(store: str) -> None:
    clock.freeze(START)
    await coffee_card(stamps_needed=2)
    alice, bob = await member(1), await member(2)
    await buy(alice.id, "a1")
    await buy(bob.id, "b1")
    clock.advance(timedelta(days=3))
    await buy(alice.id, "a2")  # filled in 3 days
    (voucher,) = await Voucher.all()
    await vouchers.redeem(voucher.code, staff_telegram_id=9)
    (figures,) = await stamp_figures(START, clock.now() + timedelta(seconds=1))
    assert (figures.started, figures.filled, figures.redeemed) == (2, 1, 1)
    assert figures.median_days_to_fill == 3.0
    (later,) = await stamp_figures(clock.now() + timedelta(days=1), clock.now() + timedelta(days=2))
    assert (later.started, later.filled, later.redeemed) == (0, 0, 0)
