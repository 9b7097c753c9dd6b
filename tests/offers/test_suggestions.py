"""Suggestions: affordable first, then the nearest, weighted by what alike buyers redeem."""

from __future__ import annotations

from datetime import timedelta

from models import ledger
from models.catalogue import browsing, suggestions, vouchers
from models.ledger.results import VoucherIssued
from models.store import clock
from models.store.tables import Reward
from tests.store.helpers import START, member, rules

RULES = rules()


async def reward(name: str, cost: int, **fields) -> Reward:
    return await Reward.create(
        names={"en": name}, kind="gift", cost_points=cost, created_at=clock.now(), **fields
    )


async def buy(m, amount: int, category: str) -> None:
    clock.advance(timedelta(minutes=1))
    await ledger.earn_for_purchase(
        m.id,
        amount,
        "CNY",
        idempotency_key=f"s:{m.id}:{clock.now()}",
        rules=RULES,
        category=category,
    )


async def test_catalogue_order_for_a_seeded_member(store: str) -> None:
    clock.freeze(START)
    mug = await reward("Mug", 80)
    pen = await reward("Pen", 50)
    tote = await reward("Tote", 300)
    beans = await reward("Beans", 320)
    gone = await reward("Sold out", 10, stock=0)
    far = await reward("Far", 900)
    peer, other = await member(), await member()
    await buy(peer, 40000, "coffee")  # 400 points, coffee buyer, takes the beans
    await buy(other, 40000, "books")  # a book buyer takes the tote
    assert isinstance(
        await vouchers.issue_for_reward(peer.id, beans.id, idempotency_key="p1", rules=RULES),
        VoucherIssued,
    )
    assert isinstance(
        await vouchers.issue_for_reward(other.id, tote.id, idempotency_key="o1", rules=RULES),
        VoucherIssued,
    )
    alice = await member()
    await buy(alice, 6000, "coffee")
    await buy(alice, 4000, "coffee")  # 100 points, buys coffee
    await alice.refresh_from_db()
    scores = await suggestions.affinity(alice.id, clock.now())
    assert scores == {beans.id: 2}  # two coffee purchases of hers × one alike redeemer
    page = await browsing.page(alice, RULES, 0, size=10)
    names = [i.reward.names["en"] for i in page.items]
    # affordable (pen, mug: no affinity, cheapest first); then nearest, the beans' 220 to
    # go halved by affinity (110) before the tote's 200; far; out of stock last
    assert names == ["Pen", "Mug", "Beans", "Tote", "Far", "Sold out"]
    assert [i.affordable for i in page.items][:3] == [True, True, False]
    assert gone.id == page.items[-1].reward.id and far.id == page.items[-2].reward.id
    second = await browsing.page(alice, RULES, 1, size=4)
    assert [i.reward.id for i in second.items] == [far.id, gone.id] and second.pages == 2
    top = await browsing.suggestion(alice, RULES)
    assert top is not None and top.reward.id == pen.id
    assert mug.id in {i.reward.id for i in page.items}
