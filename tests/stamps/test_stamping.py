"""Stamping with the purchase: cards fill, a full card gives its voucher, retries stamp once."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

from models.stamps import stamping
from models.store import clock
from models.store.tables import (
    CardState,
    Stamp,
    StampCard,
    Voucher,
    VoucherStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from tests.stamps.helpers import assert_cards_consistent, buy, coffee_card, stamps_of
from tests.store.helpers import member


async def test_no_card_type_no_stamps(store: str) -> None:
    alice = await member(1)
    result = await buy(alice.id, "k1")
    assert stamps_of(result) == []
    assert await Stamp.all().count() == 0


async def test_ten_coffees_fill_a_card_and_give_a_voucher(store: str) -> None:
    card_type = await coffee_card()
    alice = await member(1)
    for n in range(1, 10):
        (got,) = stamps_of(await buy(alice.id, f"k{n}"))
        assert (got.added, got.stamps, got.filled) == (1, n, 0)
        assert got.cups() == "☕" * n + "○" * (10 - n)
    (got,) = stamps_of(await buy(alice.id, "k10"))
    assert (got.added, got.stamps, got.filled) == (1, 10, 1)
    (voucher,) = await Voucher.filter(member_id=alice.id)
    assert got.voucher_codes == (voucher.code,) and voucher.status == VoucherStatus.ISSUED
    card = await StampCard.get(member_id=alice.id, card_type_id=card_type.id, seq=1)
    assert card.state == CardState.FILLED and card.voucher_id == voucher.id  # type: ignore[attr-defined]
    (got,) = stamps_of(await buy(alice.id, "k11"))
    assert (got.stamps, got.filled) == (1, 0)
    await assert_cards_consistent()


async def test_a_full_cards_voucher_is_announced_to_webhooks(store: str) -> None:
    """``voucher.issued`` for the card's voucher, written in the purchase's own trip (its id
    read by the database), exactly as a reward's redemption announces one."""
    await coffee_card(stamps_needed=2)
    await WebhookEndpoint.create(
        url="https://crm.example/hook", secret="whsec_test", events=",voucher.issued,",
        created_at=clock.now(),
    )  # fmt: skip
    alice = await member(1)
    await buy(alice.id, "k1")
    assert await WebhookEvent.filter(type="voucher.issued").count() == 0
    await buy(alice.id, "k2")
    (voucher,) = await Voucher.filter(member_id=alice.id)
    (event,) = await WebhookEvent.filter(type="voucher.issued")
    sent = json.loads(event.body)
    assert sent["data"] == {
        "member_id": alice.id, "voucher_id": voucher.id, "reward_id": voucher.reward_id,  # type: ignore[attr-defined]
        "cost_points": 0, "valid_until": sent["data"]["valid_until"],
    }  # fmt: skip
    assert await WebhookDelivery.filter(event_id=event.id).count() == 1
    await buy(alice.id, "k2")  # a retry announces nothing twice
    assert await WebhookEvent.filter(type="voucher.issued").count() == 1


async def test_a_retry_stamps_once_and_answers_the_same(store: str) -> None:
    await coffee_card()
    alice = await member(1)
    first = await buy(alice.id, "same")
    again = await buy(alice.id, "same")
    assert again.replayed
    assert [r.to_json() for r in stamps_of(again)] == [r.to_json() for r in stamps_of(first)]
    assert await Stamp.all().count() == 1
    await assert_cards_consistent()


async def test_per_item_overflows_onto_the_next_card(store: str) -> None:
    await coffee_card(per_item=True, sku="latte", stamps_needed=3)
    alice = await member(1)
    items = [{"amount_minor": 3000, "sku": "latte", "quantity": 4}, {"amount_minor": 500}]
    (got,) = stamps_of(await buy(alice.id, "k", amount=3500, items=items))
    assert (got.added, got.stamps, got.filled) == (4, 1, 1)
    cards = await StampCard.filter(member_id=alice.id).order_by("seq")
    assert [(c.seq, c.stamps, c.state) for c in cards] == [
        (1, 3, CardState.FILLED),
        (2, 1, CardState.COLLECTING),
    ]
    await assert_cards_consistent()


async def test_what_does_not_earn(store: str) -> None:
    await coffee_card(min_amount_minor=2000, category="coffee")
    alice = await member(1)
    assert stamps_of(await buy(alice.id, "small", amount=1000, category="coffee")) == []
    assert stamps_of(await buy(alice.id, "tea", amount=3000, category="tea")) == []
    assert len(stamps_of(await buy(alice.id, "ok", amount=3000, category="coffee"))) == 1


async def test_daily_limit_and_points_reward(store: str) -> None:
    await coffee_card(daily_limit=2, stamps_needed=2, reward_points=50)
    alice = await member(1)
    for key in ("a", "b", "c"):
        await buy(alice.id, key)
    assert await Stamp.all().count() == 2
    card = await StampCard.get(member_id=alice.id, seq=1)
    assert card.state == CardState.FILLED and card.reward_entry_key
    await alice.refresh_from_db()
    assert alice.balance == 3 * 30 + 50
    stamping.forget()
    await assert_cards_consistent()


async def test_daily_limit_holds_under_concurrency(store: str) -> None:
    await coffee_card(daily_limit=2)
    alice = await member(1)
    await asyncio.gather(*(buy(alice.id, f"k{n}") for n in range(6)))
    assert await Stamp.filter(member_id=alice.id).count() == 2
    clock.advance(timedelta(days=1))  # a new shop day
    await buy(alice.id, "tomorrow")
    assert await Stamp.filter(member_id=alice.id).count() == 3
    await assert_cards_consistent()


async def test_concurrent_purchases_near_fill_give_one_voucher(store: str) -> None:
    await coffee_card(stamps_needed=3)
    alice = await member(1)
    await buy(alice.id, "a")
    await asyncio.gather(*(buy(alice.id, f"k{n}") for n in range(4)))  # 5 stamps: 1 card
    assert await Voucher.filter(member_id=alice.id).count() == 1
    await assert_cards_consistent()


async def test_a_card_in_progress_expires(store: str) -> None:
    await coffee_card(lifetime_days=30)
    alice = await member(1)
    await buy(alice.id, "a")
    clock.advance(timedelta(days=31))
    (got,) = stamps_of(await buy(alice.id, "b"))
    assert got.stamps == 1
    cards = await StampCard.filter(member_id=alice.id).order_by("seq")
    assert [(c.stamps, c.state) for c in cards] == [
        (1, CardState.EXPIRED),
        (1, CardState.COLLECTING),
    ]
    await assert_cards_consistent()


async def test_the_quote_is_what_the_purchase_writes(store: str) -> None:
    await coffee_card(stamps_needed=3, per_item=True)
    alice = await member(1)
    items = [{"amount_minor": 3000, "quantity": 2}]
    for key in ("a", "b", "c"):
        promised = await stamping.quote(alice.id, 3000, None, items, "UTC")
        written = stamps_of(await buy(alice.id, key, items=items))
        shown = [p.to_json() | {"voucher_codes": []} for p in promised]
        assert shown == [w.to_json() | {"voucher_codes": []} for w in written]
