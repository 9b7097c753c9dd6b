"""Demo data through the real store operations, on both databases: idempotent, doctor-clean."""

from __future__ import annotations

from bot.settings import load_settings
from models.ledger import doctor
from models.sandbox import demo
from models.store.tables import Campaign, Member, OutboxMessage, OutboxStatus, Purchase, Voucher


async def test_demo_loads_once_and_keeps_the_ledger_consistent(store: str) -> None:
    rules = load_settings().rules
    first = await demo.load(rules)
    assert first.rewards == len(demo.REWARDS) and first.campaigns == 1
    assert first.purchases == sum(len(s[3]) for s in demo.SHOPPERS)
    assert first.vouchers == sum(s[4] is not None for s in demo.SHOPPERS)
    assert await demo.load(rules) == demo.DemoLoaded(0, 0, 0, 0, 0)
    assert await Purchase.all().count() == first.purchases
    assert await Voucher.all().count() == first.vouchers
    assert await Campaign.all().count() == 1
    assert await doctor.check() == []
    # shoppers are not on Telegram: nothing is ever sent to them
    assert not await Member.filter(reachable=True).exists()
    assert not await OutboxMessage.filter(status=OutboxStatus.PENDING).exists()
