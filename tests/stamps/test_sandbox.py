"""The sandbox's coffee shop: the demo seeds "buy 9 coffees, the 10th is free", once; ten
purchases fill a card with a free-coffee voucher, and the books stay consistent."""

from __future__ import annotations

from bot.settings import load_settings
from models.sandbox import demo
from models.store.tables import StampCardType, Voucher
from tests.stamps.helpers import assert_cards_consistent, buy, stamps_of
from tests.store.helpers import member


async def test_demo_seeds_the_coffee_card_once_and_it_works(store: str) -> None:
    rules = load_settings().rules
    first = await demo.load(rules)
    assert first.stamp_cards == 1 and (await demo.load(rules)).stamp_cards == 0
    (card_type,) = await StampCardType.all()
    assert (card_type.names["en"], card_type.stamps_needed) == ("Coffee card", 10)
    alice = await member(4242)
    for n in range(10):
        (got,) = stamps_of(await buy(alice.id, f"coffee-{n}"))
    assert got.filled == 1
    (voucher,) = await Voucher.filter(member_id=alice.id)
    assert voucher.reward_id == card_type.reward_id  # type: ignore[attr-defined]
    await assert_cards_consistent()
