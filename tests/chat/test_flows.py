"""What a flow remembers lives in the store: a restart mid-flow continues it, a revoked
role stops it, typed text at a button step gets a hint and the buttons again."""

from __future__ import annotations

from datetime import timedelta

from bot.emulator import Player
from models.access import staff
from models.conversation import flows
from models.store import clock
from models.store.tables import (
    Broadcast,
    BroadcastStatus,
    Campaign,
    ChatFlow,
    Purchase,
    RuleVersion,
)
from tests.chat.conftest import Rig
from tests.chat.test_confirm_steps import button_data
from tests.chat.test_marketing import marketer
from tests.chat.test_till import card_of, hire


async def card_scanned(rig: Rig) -> tuple[Player, Player]:
    """A cashier has just scanned Alice's card (the amount is awaited)."""
    cashier = await hire(rig, 2001, "Cara")
    alice = rig.member(1001, "Alice")
    await alice.send("/start")
    await cashier.open_link(await card_of(rig, alice))
    return cashier, alice


async def test_half_done_flows_continue_after_a_restart(rig_on_both: Rig) -> None:
    rig = rig_on_both
    cashier = await hire(rig, 2001, "Cara")
    alice = rig.member(1001, "Alice")
    await alice.send("/start")
    ada = rig.admin()
    mia = await marketer(rig)

    await cashier.open_link(await card_of(rig, alice))  # till: the card is scanned
    await mia.send("/campaign")  # /campaign: halfway through the wizard
    await mia.press("New campaign")
    await mia.send("Double Day")
    await ada.send("/rules")  # /rules: a change waits for Confirm
    await ada.press("Points per unit")
    await ada.send("3")
    rules_confirm = ada.last_message
    await rig.restart()

    await cashier.send("12")
    assert "Which category" in cashier.last_text
    await cashier.press("Skip")
    await mia.press("Same as English")
    await mia.press("Multiplier")
    await mia.send("2")
    await mia.press("Today")
    await ada.press("Confirm", message=rules_confirm)
    assert "Saved" in ada.last_text
    await mia.send("/broadcast")  # /broadcast: the text is awaited
    await mia.press("New broadcast")
    await rig.restart()

    await cashier.press("Confirm")
    # the rules changed since the quote (3 points per ¥1): the new quote is shown instead
    assert "quote changed" in cashier.messages[-2].visible_text
    assert "+36" in cashier.last_text and await Purchase.all().count() == 0
    await cashier.press("Confirm")
    assert "Recorded" in cashier.last_text
    await mia.press("Confirm")
    assert "Double Day" in (await Campaign.get()).names["en"]
    await mia.send("Fresh bread today")
    await mia.press("No button")
    await mia.press("Everyone opted in")
    await mia.press("Send now")
    await rig.restart()
    await mia.press("Confirm")
    assert (await Broadcast.get()).status != BroadcastStatus.DRAFT
    assert await Purchase.all().count() == 1 and await RuleVersion.all().count() == 2

    # every flow is finished: no state is left behind (but Alice's: her phone is asked
    # since /start); idle rows are purged later
    assert await ChatFlow.exclude(telegram_id=alice.user_id).count() == 0
    await cashier.open_link(await card_of(rig, alice))
    assert await flows.count() == 2
    clock.freeze(clock.now() + timedelta(hours=25))
    try:
        await cashier.send("12")  # forgotten: not an amount any more
        assert "Which category" not in cashier.last_text
        await mia.send("/campaign")
        await mia.press("New campaign")  # a first write purges the idle row
        assert await flows.count() == 1
    finally:
        clock.unfreeze()


async def test_a_revoked_cashier_s_amount_is_refused_and_the_flow_cleared(rig: Rig) -> None:
    cashier, _alice = await card_scanned(rig)
    assert "How much" in cashier.last_text
    await staff.revoke_role(2001, revoked_by=None)
    await cashier.wait_for_text("has ended")  # the notice that their role ended
    await cashier.send("12")
    assert "only for staff" in cashier.last_text
    assert not await ChatFlow.filter(telegram_id=cashier.user_id).exists()
    await cashier.send("12")
    assert "I didn't catch that" in cashier.last_text
    assert await Purchase.all().count() == 0


async def test_typed_text_at_a_button_step_gets_the_buttons_again(rig: Rig) -> None:
    cashier, _alice = await card_scanned(rig)
    await cashier.send("12")
    categories = cashier.last_message
    await cashier.send("coffee please")
    assert "use the buttons" in cashier.messages[-2].visible_text
    assert "Which category" in cashier.last_text and cashier.last_message is not categories
    await cashier.press("Skip")
    shown = cashier.last_message
    await cashier.send("yes")
    assert "use the buttons" in cashier.messages[-2].visible_text
    again = cashier.last_message
    assert "+12" in again.visible_text
    # the confirmation moved to the new copy: the old one's Confirm is stale now
    await cashier.press_data(button_data(shown, "Confirm"), message=shown)
    assert "older message" in (cashier.last_toast or "")
    assert await Purchase.all().count() == 0
    await cashier.press("Confirm", message=again)
    assert "Recorded" in again.visible_text and await Purchase.all().count() == 1
    await cashier.send("hello")  # the flow is over: an ordinary unknown text
    assert "use the buttons" not in cashier.last_text


async def test_typed_text_at_the_campaign_summary(rig: Rig) -> None:
    mia = await marketer(rig)
    await mia.send("/campaign")
    await mia.press("New campaign")
    await mia.send("Double Day")
    await mia.press("Same as English")
    await mia.send("multiplier please")  # the kind is a button step
    assert "use the buttons" in mia.messages[-2].visible_text
    await mia.press("Multiplier")
    await mia.send("2")
    await mia.press("Today")
    await mia.send("ok go")
    assert "use the buttons" in mia.messages[-2].visible_text
    await mia.press("Confirm")
    assert await Campaign.all().count() == 1


async def test_cancel_on_an_older_confirmation_leaves_the_current_flow_alone(rig: Rig) -> None:
    cashier, alice = await card_scanned(rig)
    await cashier.send("12")
    await cashier.press("Skip")
    older = cashier.last_message
    await cashier.open_link(await card_of(rig, alice))  # the next customer, same member
    await cashier.press("Cancel", message=older)
    assert "Cancelled" in older.visible_text
    await cashier.send("30")  # still the awaited amount of the new purchase
    assert "Which category" in cashier.last_text
    await cashier.press("Skip")
    await cashier.press("Confirm")
    assert [p.amount_minor for p in await Purchase.all()] == [3000]


async def test_a_revoked_cashier_s_confirm_is_refused(rig: Rig) -> None:
    cashier, _alice = await card_scanned(rig)
    await cashier.send("12")
    await cashier.press("Skip")
    await staff.revoke_role(2001, revoked_by=None)
    await cashier.press("Confirm")
    assert "only for staff" in (cashier.last_toast or "")
    assert await Purchase.all().count() == 0
