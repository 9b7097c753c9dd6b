"""Refunds take stamps back by the stated rule (models/stamps/refunds.py), and doctor
finds a card that disagrees with its stamps."""

from __future__ import annotations

from models import ledger
from models.catalogue import vouchers
from models.ledger.results import Redeemed, Refunded
from models.stamps import doctor
from models.store.tables import CardState, StampCard, Voucher, VoucherStatus
from tests.stamps.helpers import assert_cards_consistent, buy, coffee_card, stamps_of
from tests.store.helpers import member


async def refund(purchase_id: int, amount: int, key: str) -> Refunded:
    result = await ledger.refund(purchase_id, amount, idempotency_key=key)
    assert isinstance(result, Refunded), result
    return result


async def cards(member_id: int) -> list[tuple[int, int, CardState]]:
    rows = await StampCard.filter(member_id=member_id).order_by("seq")
    return [(c.seq, c.stamps, c.state) for c in rows]


async def test_refund_of_a_collecting_card_takes_its_stamp_once(store: str) -> None:
    await coffee_card()
    alice = await member(1)
    await buy(alice.id, "a")
    second = await buy(alice.id, "b")
    done = await refund(second.purchase_id, 3000, "r1")
    assert [r.added for r in stamps_of(done)] == [-1]
    again = await refund(second.purchase_id, 3000, "r1")  # a retry takes nothing more
    assert again.replayed
    assert await cards(alice.id) == [(1, 1, CardState.COLLECTING)]
    await assert_cards_consistent()


async def test_partial_refunds_are_proportional(store: str) -> None:
    await coffee_card(per_item=True)
    alice = await member(1)
    bought = await buy(alice.id, "a", items=[{"amount_minor": 3000, "quantity": 4}])
    await refund(bought.purchase_id, 1000, "r1")  # a third: floor(4/3) = 1
    assert await cards(alice.id) == [(1, 3, CardState.COLLECTING)]
    await refund(bought.purchase_id, 2000, "r2")  # all of it: 4 in total
    assert await cards(alice.id) == [(1, 0, CardState.COLLECTING)]
    await assert_cards_consistent()


async def test_unused_voucher_is_voided_and_the_card_reopens(store: str) -> None:
    await coffee_card(stamps_needed=3)
    alice = await member(1)
    for key in ("a", "b"):
        await buy(alice.id, key)
    filling = await buy(alice.id, "c")
    (voucher,) = await Voucher.filter(member_id=alice.id)
    await refund(filling.purchase_id, 3000, "r")
    await voucher.refresh_from_db()
    assert voucher.status == VoucherStatus.VOIDED
    assert await cards(alice.id) == [(1, 2, CardState.COLLECTING)]
    (got,) = stamps_of(await buy(alice.id, "d"))  # refills with a new voucher
    assert got.filled == 1
    await assert_cards_consistent()


async def test_reopened_card_folds_onto_the_newer_card(store: str) -> None:
    await coffee_card(stamps_needed=3)
    alice = await member(1)
    await buy(alice.id, "a")
    await buy(alice.id, "b")
    filled_by = await buy(alice.id, "c")
    await buy(alice.id, "d")
    await refund(filled_by.purchase_id, 3000, "r")
    # card 1 reopened with 2 stamps, moved onto card 2 (1 + 2 = 3: filled again)
    assert await cards(alice.id) == [(1, 0, CardState.CLOSED), (2, 3, CardState.FILLED)]
    statuses = sorted(v.status for v in await Voucher.filter(member_id=alice.id))
    assert statuses == [VoucherStatus.ISSUED, VoucherStatus.VOIDED]
    await assert_cards_consistent()


async def test_used_voucher_is_kept_and_the_next_card_pays(store: str) -> None:
    await coffee_card(stamps_needed=2)
    alice = await member(1)
    await buy(alice.id, "a")
    filling = await buy(alice.id, "b")
    (voucher,) = await Voucher.filter(member_id=alice.id)
    assert isinstance(await vouchers.redeem(voucher.token, staff_telegram_id=9), Redeemed)
    await buy(alice.id, "c")
    await refund(filling.purchase_id, 3000, "r")
    assert await cards(alice.id) == [(1, 2, CardState.FILLED), (2, 0, CardState.COLLECTING)]
    await voucher.refresh_from_db()
    assert voucher.status == VoucherStatus.REDEEMED
    await refund((await buy(alice.id, "d")).purchase_id, 3000, "r2")
    await assert_cards_consistent()


async def test_doctor_finds_a_tampered_card(store: str) -> None:
    await coffee_card()
    alice = await member(1)
    await buy(alice.id, "a")
    await StampCard.filter(member_id=alice.id).update(stamps=5)
    kinds = sorted(p.kind for p in await doctor.check())
    assert kinds == ["stamp-sum"]
    await StampCard.filter(member_id=alice.id).update(stamps=1, state=CardState.FILLED)
    kinds = sorted(p.kind for p in await doctor.check())
    assert kinds == ["stamp-range", "stamp-reward"]
