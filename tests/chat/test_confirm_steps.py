"""Every confirm step is a pending action: played against each feature's real dialogue.

For the till purchase, voucher redeem, refund, adjust, /rules, /campaign, /reward,
/coupons, /broadcast, staff revoke, and the member's redeem, new card and account
deletion: Confirm after Cancel writes nothing and answers "cancelled"; Cancel after
Confirm changes nothing; a double Confirm writes once; Confirm data replayed on a newer
message is refused; someone else's button is refused; an expired confirmation says so.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from itertools import count

import pytest

from bot.emulator import Player
from bot.emulator.state import ChatMessage
from models.access import staff
from models.store import clock
from models.store.tables import (
    AuditLog,
    Broadcast,
    BroadcastStatus,
    Campaign,
    CouponBatch,
    EntryKind,
    LedgerEntry,
    PendingAction,
    Purchase,
    Refund,
    Reward,
    Role,
    RuleVersion,
    Voucher,
    VoucherStatus,
)
from tests.chat.conftest import Rig
from tests.chat.test_marketing import marketer
from tests.chat.test_member_screens import joined, reward
from tests.chat.test_till import card_of, hire, record, voucher_for


def button_data(message: ChatMessage, label: str) -> str:
    return next(b["callback_data"] for b in message.buttons if label in b["text"])


@dataclass
class ConfirmStep:
    """How ``actor`` reaches the feature's confirm step, and how many writes it has made."""

    actor: Player
    reach: Callable[[], Awaitable[None]]
    writes: Callable[[], Awaitable[int]]
    confirm: str = "Confirm"

    async def shown(self) -> ChatMessage:
        await self.reach()
        message = next(m for m in reversed(self.actor.messages) if m.buttons)
        assert any(self.confirm in b["text"] for b in message.buttons), message.visible_text
        return message


async def play_every_stale_press(rig: Rig, step: ConfirmStep) -> None:
    actor = step.actor
    outsider = rig.member(6666, "Mallory")
    await outsider.send("/start")

    # Confirm after Cancel (a second device, or two quick taps): nothing, "cancelled"
    shown = await step.shown()
    before = await step.writes()
    confirm = button_data(shown, step.confirm)
    await actor.press("Cancel", message=shown)
    assert "Cancelled" in shown.visible_text
    await actor.press_data(confirm, message=shown)
    assert "cancelled" in (actor.last_toast or "")
    assert await step.writes() == before

    # Confirm, then Confirm again and Cancel: one write, the same outcome shown
    shown = await step.shown()
    confirm, cancel = button_data(shown, step.confirm), button_data(shown, "Cancel")
    await actor.press(step.confirm, message=shown)
    outcome = shown.visible_text
    assert await step.writes() == before + 1, shown.visible_text
    await actor.press_data(confirm, message=shown)
    await actor.press_data(cancel, message=shown)
    assert shown.visible_text == outcome and "Cancelled" not in outcome
    assert await step.writes() == before + 1

    # the same signed Confirm pressed against a newer message: refused
    older = await step.shown()
    newer = await step.shown()
    await actor.press_data(button_data(older, step.confirm), message=newer)
    assert "older message" in (actor.last_toast or "")
    assert await step.writes() == before + 1

    # someone else: the actor's data fails its signature; their own signature on the
    # actor's action id is refused by the store (or the role check)
    action = await PendingAction.filter(actor_telegram_id=actor.user_id).order_by("-id").first()
    assert action is not None
    await outsider.press_data(button_data(newer, step.confirm), message=outsider.last_message)
    assert "expired" in (outsider.last_toast or "")
    forged = rig.app.bot_data["codec"].encode(outsider.user_id, "pa", action.id)
    await outsider.press_data(forged, message=outsider.last_message)
    assert outsider.last_toast and (
        "expired" in outsider.last_toast or "only for" in outsider.last_toast
    )
    assert await step.writes() == before + 1

    # an hour and more later the confirmation has expired
    clock.freeze(clock.now() + timedelta(minutes=61))
    try:
        await actor.press(step.confirm, message=newer)
        assert "expired" in (actor.last_toast or "")
    finally:
        clock.unfreeze()
    assert await step.writes() == before + 1


# ---- the till ------------------------------------------------------------------------


async def test_till_purchase(rig: Rig) -> None:
    cashier = await hire(rig, 2001, "Cara")
    alice = rig.member(1001, "Alice")
    await alice.send("/start")

    async def reach() -> None:
        await cashier.open_link(await card_of(rig, alice))
        await cashier.send("12")
        await cashier.press("Skip")

    await play_every_stale_press(rig, ConfirmStep(cashier, reach, Purchase.all().count))
    assert (await rig.member_row(alice)).balance == 12
    assert len([m for m in alice.messages if "+12" in m.visible_text]) == 1  # one receipt


async def test_voucher_redeem(rig: Rig) -> None:
    cashier = await hire(rig, 2001, "Cara")
    alice = rig.member(1001, "Alice")
    await alice.send("/start")
    await rig.earn(alice, 1_000_00)
    numbers = count()

    async def reach() -> None:
        voucher = await voucher_for(rig, alice, next(numbers))
        await cashier.send(f"/redeem {voucher.code}")

    async def redeemed() -> int:
        return await Voucher.filter(status=VoucherStatus.REDEEMED).count()

    await play_every_stale_press(rig, ConfirmStep(cashier, reach, redeemed))


async def test_refund(rig: Rig) -> None:
    cashier = await hire(rig, 2001, "Cara")
    alice = rig.member(1001, "Alice")
    await alice.send("/start")
    await record(rig, cashier, alice, "100")
    receipt = (await Purchase.get()).receipt_code

    async def reach() -> None:
        await cashier.send(f"/refund {receipt}")
        await cashier.send("1")

    await play_every_stale_press(rig, ConfirmStep(cashier, reach, Refund.all().count))
    assert (await Purchase.get()).refunded_minor == 100


async def test_adjust(rig: Rig) -> None:
    ada = rig.admin()
    alice = rig.member(1001, "Alice")
    await alice.send("/start")
    code = (await rig.member_row(alice)).code

    async def reach() -> None:
        await ada.send(f"/adjust {code} +5 goodwill for the wait")

    async def adjustments() -> int:
        return await LedgerEntry.filter(kind=EntryKind.ADJUST).count()

    await play_every_stale_press(rig, ConfirmStep(ada, reach, adjustments))
    assert (await rig.member_row(alice)).balance == 5


async def test_staff_revoke(rig: Rig) -> None:
    ada = rig.admin()
    await hire(rig, 2001, "Cara")

    async def reach() -> None:
        if await staff.role_of(2001) is None:
            await staff.grant_role(2001, Role.STAFF, granted_by=None)
        await ada.send("/staff")
        await ada.press("Revoke Cara")

    async def revoked() -> int:
        return await AuditLog.filter(action="role.revoke").count()

    await play_every_stale_press(rig, ConfirmStep(ada, reach, revoked))


async def test_revoking_someone_who_never_opened_the_bot_names_no_raw_id(rig: Rig) -> None:
    ada = rig.admin()
    await staff.grant_role(3003, Role.STAFF, granted_by=None)  # granted from the shell
    await ada.send("/staff")
    shown = await ada.press("Revoke (has not opened the bot yet)")
    assert "has not opened the bot yet" in shown[-1].text and "3003" not in shown[-1].text
    done = await ada.press("Confirm")
    assert "3003" not in done[-1].text


# ---- rules and marketing -------------------------------------------------------------


async def test_rules_change(rig: Rig) -> None:
    ada = rig.admin()
    values = count(2)

    async def reach() -> None:
        await ada.send("/rules")
        await ada.press("Points per unit")
        await ada.send(str(next(values)))

    await play_every_stale_press(rig, ConfirmStep(ada, reach, RuleVersion.all().count))


async def test_campaign(rig: Rig) -> None:
    mia = await marketer(rig)

    async def reach() -> None:
        await mia.send("/campaign")
        await mia.press("New campaign")
        await mia.send("Double Day")
        await mia.press("Same as English")
        await mia.press("Multiplier")
        await mia.send("2")
        await mia.press("Today")

    await play_every_stale_press(rig, ConfirmStep(mia, reach, Campaign.all().count))


async def test_reward(rig: Rig) -> None:
    mia = await marketer(rig)

    async def reach() -> None:
        await mia.send("/reward")
        await mia.press("Add reward")
        await mia.send("Cookie")
        await mia.press("Same as English")
        await mia.press("Skip")
        await mia.press("Skip")
        await mia.press("Skip")  # no photo
        await mia.send("80")
        await mia.press("Gift")
        await mia.press("Unlimited")
        await mia.press("No limit")
        await mia.press("Any tier")
        await mia.press("Default")

    await play_every_stale_press(rig, ConfirmStep(mia, reach, Reward.all().count))


async def test_coupons(rig: Rig) -> None:
    mia = await marketer(rig)
    await Reward.create(
        names={"en": "Cookie", "zh-Hans": "曲奇"},
        kind="gift",
        cost_points=5,
        created_at=clock.now(),
    )

    async def reach() -> None:
        await mia.send("/coupons")
        await mia.press("Cookie")
        await mia.send("3")

    await play_every_stale_press(rig, ConfirmStep(mia, reach, CouponBatch.all().count))


async def test_broadcast(rig: Rig) -> None:
    mia = await marketer(rig)

    async def reach() -> None:
        await mia.send("/broadcast Fresh bread today")
        await mia.press("No button")
        await mia.press("Everyone opted in")
        await mia.press("Send now")

    async def sent() -> int:
        return await Broadcast.exclude(status=BroadcastStatus.DRAFT).count()

    await play_every_stale_press(rig, ConfirmStep(mia, reach, sent))


@pytest.mark.settings(usage={"points_as_payment": True, "point_value_minor": 1})
async def test_points_as_payment_decline_then_confirm_pays_nothing(rig: Rig) -> None:
    cashier = await hire(rig, 2001, "Cara")
    alice = rig.member(1001, "Alice")
    await alice.send("/start")
    await rig.earn(alice, 500_00)
    await cashier.open_link(await card_of(rig, alice))
    await cashier.send("100")
    await cashier.press("Skip")
    await cashier.press("Pay with points")
    ask = await alice.wait_for(lambda m: any("Confirm" in b["text"] for b in m.buttons))
    confirm = button_data(ask, "Confirm")
    await alice.press("Decline", message=ask)
    await cashier.wait_for_text("did not pay with points")
    await alice.press_data(confirm, message=ask)
    assert "cancelled" in (alice.last_toast or "")
    assert (await rig.member_row(alice)).balance == 500


# ---- the member's own confirm steps ----------------------------------------------------


async def test_member_redeems_a_reward(rig: Rig) -> None:
    gus = await joined(rig, 2008, "Gus")
    await rig.earn(gus, 100000)
    await reward(300)

    async def reach() -> None:
        await gus.send("/rewards")
        await gus.press("Coffee")
        await gus.press("Redeem")

    await play_every_stale_press(rig, ConfirmStep(gus, reach, Voucher.all().count))
    assert (await rig.member_row(gus)).balance == 1000 - 300


async def test_member_regenerates_the_card(rig: Rig) -> None:
    gus = await joined(rig, 2008, "Gus")

    async def reach() -> None:
        await gus.send("/card")
        await gus.press("New QR code")

    async def regenerated() -> int:
        return await AuditLog.filter(action="member.card.regenerate").count()

    await play_every_stale_press(rig, ConfirmStep(gus, reach, regenerated))


async def test_member_deletes_the_account(rig: Rig) -> None:
    fay = await joined(rig, 2007, "Fay")

    async def reach() -> None:
        await fay.send("/start")
        await fay.send("/privacy")
        await fay.press("Delete my account")

    async def deleted() -> int:
        return await AuditLog.filter(action="member.delete").count()

    await play_every_stale_press(rig, ConfirmStep(fay, reach, deleted, "Yes, delete"))
