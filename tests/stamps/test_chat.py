"""The coffee shop in chat: the cashier's quote and receipt show the stamps, the member
reads a row of cups in /card and the stamp message, fills the card and gets the free
coffee, which the cashier redeems."""

from __future__ import annotations

import pytest

from models.ledger import rule_versions
from models.store.tables import Voucher, VoucherStatus
from tests.chat.conftest import Rig
from tests.chat.test_till import card_of, hire, record
from tests.stamps.helpers import coffee_card


async def test_cashier_stamps_member_fills_and_redeems(rig: Rig) -> None:
    await coffee_card(stamps_needed=3)
    cashier = await hire(rig, 2001, "Cara")
    alice = rig.member(1001, "Alice")
    await alice.send("/start")
    await alice.send("/card")
    assert "Coffee card: ○○○" in alice.last_message.caption

    bob = rig.member(1002, "Bob", language_code="zh-Hans")
    await bob.send("/start")

    await cashier.open_link(await card_of(rig, alice))
    await cashier.send("30")
    await cashier.press("Skip")
    assert "Coffee card: +1 · ☕○○ 1/3" in cashier.last_text  # the quote
    await cashier.press("Confirm")
    assert "Recorded" in cashier.last_text and "☕○○ 1/3" in cashier.last_text
    assert "☕○○" in (await alice.wait_for_text("Keep going")).visible_text

    await record(rig, cashier, alice, "30")
    await record(rig, cashier, alice, "30")
    assert "🎉 full" in cashier.last_text
    (voucher,) = await Voucher.filter(status=VoucherStatus.ISSUED)
    assert voucher.code in (await alice.wait_for_text("card is full")).visible_text
    await alice.send("/card")
    caption = alice.last_message.caption
    assert "Coffee card: ○○○" in caption and "reward is waiting" in caption

    await cashier.open_link(f"https://t.me/{rig.emu.bot_username}?start=v-{voucher.token}")
    assert "Free coffee" in cashier.last_text
    await cashier.press("Confirm")
    assert "Redeemed" in cashier.last_text

    await record(rig, cashier, bob, "30")
    assert "咖啡卡" in (await bob.wait_for_text("继续加油")).visible_text
    await bob.send("/card")
    assert "咖啡卡：☕○○" in bob.last_message.caption


@pytest.mark.settings(usage={"points_as_payment": True})
async def test_after_a_points_payment_the_new_confirm_says_what_it_will_stamp(rig: Rig) -> None:
    """The cashier's second Confirm (the bill less the points) says the stamp too, as
    the first did; what it says is what the receipt then records."""
    rule_versions.invalidate()  # the cache is keyed by version id, and every rig starts at 1
    await coffee_card(stamps_needed=3)
    cashier = await hire(rig, 2001, "Cara")
    alice = rig.member(1001, "Alice")
    await alice.send("/start")
    await rig.earn(alice, 10000)
    await cashier.open_link(await card_of(rig, alice))
    await cashier.send("100")
    await cashier.press("Skip")
    said = cashier.last_text
    assert "Coffee card: +1" in said
    await cashier.press("Pay with points")
    ask = await alice.wait_for_text("towards your bill")
    await alice.press("Confirm", message=ask)
    paid = await cashier.wait_for_text("Collect")
    stamp_line = next(line for line in said.splitlines() if "Coffee card" in line)
    assert stamp_line in paid.visible_text
    done = await cashier.press("Confirm")
    assert any(stamp_line.split(" · ")[1] in m.visible_text for m in done)
