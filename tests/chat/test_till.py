"""The till, played end to end: admin invites a cashier, the cashier records a purchase
from the member's card, redeems a voucher, refunds; members cannot do any of it."""

from __future__ import annotations

import asyncio
import io
from datetime import timedelta

import pytest
from PIL import Image

from bot.emulator import Player
from models.access import staff
from models.catalogue import vouchers
from models.ledger import rule_versions
from models.store import clock
from models.store.tables import (
    AuditLog,
    Campaign,
    CampaignKind,
    LedgerEntry,
    Purchase,
    Reward,
    Role,
    StaffRole,
    Voucher,
    VoucherStatus,
)
from tests.chat.conftest import Rig


def blank_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "white").save(buffer, format="PNG")
    return buffer.getvalue()


async def hire(rig: Rig, user_id: int, name: str, *args: str, language: str = "en") -> Player:
    """The admin sends ``/staff invite …``; the new person scans the QR."""
    admin = rig.admin()
    await admin.send(" ".join(("/staff invite", *args)))
    invite_png = admin.last_photo_bytes()
    person = rig.person(user_id, name, language)
    await person.scan(invite_png)
    return person


async def card_of(rig: Rig, member: Player) -> str:
    row = await rig.member_row(member)
    return f"https://t.me/{rig.emu.bot_username}?start=m-{row.card_token}"


async def record(rig: Rig, cashier: Player, member: Player, amount: str) -> None:
    await cashier.open_link(await card_of(rig, member))
    await cashier.send(amount)
    await cashier.press("Skip")
    await cashier.press("Confirm")


async def voucher_for(rig: Rig, member: Player, n: int = 0, cost: int = 100) -> Voucher:
    row = await rig.member_row(member)
    reward = await Reward.create(
        names={"en": "Free coffee", "zh-Hans": "免费咖啡"},
        kind="gift",
        cost_points=cost,
        created_at=clock.now(),
    )
    issued = await vouchers.issue_for_reward(row.id, reward.id, idempotency_key=f"t:{row.id}:{n}")
    return await Voucher.get(id=issued.voucher_id)  # type: ignore[union-attr]


async def test_invite_scan_card_purchase_receipt_redeem(rig: Rig) -> None:
    cashier = await hire(rig, 2001, "Cara", "staff", "Downtown")
    assert "cashier" in cashier.last_text
    assert "checkout" in cashier.commands and "staff" not in cashier.commands
    grant = await StaffRole.get(telegram_id=2001)
    assert (grant.role, grant.location, grant.active) == ("staff", "Downtown", True)
    assert await AuditLog.filter(action="invite.accept").count() == 1

    alice = rig.member(1001, "Alice")
    await alice.send("/start")
    await alice.send("/card")
    await cashier.scan(alice.last_photo_bytes())
    assert "Alice" in cashier.last_text and "How much" in cashier.last_text

    await cashier.send("128.50")
    assert "Which category" in cashier.last_text
    await cashier.press("Skip")
    assert "+128" in cashier.last_text
    confirm = cashier.last_message
    data = next(b["callback_data"] for b in confirm.buttons if "Confirm" in b["text"])
    await cashier.press("Confirm")
    assert "Recorded" in cashier.last_text and "+128" in cashier.last_text
    assert "R-" in (await alice.wait_for_text("+128")).visible_text

    # a second tap on the same Confirm records nothing more and shows the same receipt
    receipt = cashier.last_text
    await cashier.press_data(data, message=confirm)
    assert cashier.last_text == receipt
    assert await Purchase.all().count() == 1
    purchase = await Purchase.get()
    assert (purchase.amount_minor, purchase.location, purchase.staff_telegram_id) == (
        12850,
        "Downtown",
        2001,
    )
    assert (await rig.member_row(alice)).balance == 128

    # the member redeems a reward; the cashier scans its QR and confirms
    voucher = await voucher_for(rig, alice)
    link = f"https://t.me/{rig.emu.bot_username}?start=v-{voucher.token}"
    await cashier.open_link(link)
    assert "Free coffee" in cashier.last_text and "Alice" in cashier.last_text
    await cashier.press("Confirm")
    assert "Redeemed" in cashier.last_text
    assert voucher.code in (await alice.wait_for_text("has been used")).visible_text
    await cashier.open_link(link)
    assert "Already used" in cashier.last_text and "Cara" in cashier.last_text
    assert (await Voucher.get(id=voucher.id)).status == VoucherStatus.REDEEMED


async def test_category_multiplier_and_member_lookup(rig: Rig) -> None:
    cashier = await hire(rig, 2001, "Cara")
    bob = rig.member(1002, "Bob")
    await bob.send("/start")
    await cashier.open_link(await card_of(rig, bob))
    await cashier.send("¥100")
    await cashier.press("coffee")
    assert "+150" in cashier.last_text
    await cashier.press("Confirm")
    assert (await rig.member_row(bob)).balance == 150
    code = (await rig.member_row(bob)).code
    await cashier.send(f"/member {code}")
    assert "Bob" in cashier.last_text and "+150" in cashier.last_text
    await cashier.press("Record a purchase")
    await cashier.send("20")
    await cashier.press("Skip")
    await cashier.press("Confirm")
    assert (await rig.member_row(bob)).balance == 170


async def test_checkout_by_code_and_every_bad_amount(rig: Rig) -> None:
    cashier = await hire(rig, 2001, "Cara")
    carol = rig.member(1003, "Carol")
    await carol.send("/start")
    await cashier.send("/checkout")
    await cashier.send("nobody")
    assert "No member" in cashier.last_text
    await cashier.send((await rig.member_row(carol)).code)
    assert "Carol" in cashier.last_text
    refusals = {
        "abc": "is not a number",
        "-5": "negative",
        "0": "more than zero",
        "1.234": "Too many decimals",
        "999999999": "typo",
        "0.50": "do not earn",
        "NaN": "is not a number",
        "1e5": "is not a number",
    }
    for text, expected in refusals.items():
        await cashier.send(text)
        assert expected in cashier.last_text, text
    assert await Purchase.all().count() == 0
    for text, minor in {"128,50": 12850, "¥128.5": 12850, "128": 12800}.items():
        await cashier.send(text)
        assert "Which category" in cashier.last_text
        await cashier.press("Skip")
        await cashier.press("Confirm")
        assert (await Purchase.all().order_by("-id").first()).amount_minor == minor  # type: ignore[union-attr]
        await cashier.send("/checkout " + (await rig.member_row(carol)).code)


async def test_members_cannot_use_the_till(rig: Rig) -> None:
    alice = rig.member(1001, "Alice")
    mallory = rig.member(1666, "Mallory")
    await alice.send("/start")
    await mallory.send("/start")
    await rig.earn(alice, 10000)
    voucher = await voucher_for(rig, alice)
    before = await LedgerEntry.all().count()
    for command in (
        "/checkout 1",
        "/redeem " + voucher.code,
        "/refund R-AAAA-AAAA",
        "/member x",
        "/adjust x 5 y",
        "/staff",
        "/staff invite admin",
    ):
        await mallory.send(command)
        assert "only for" in mallory.last_text, command
    await mallory.open_link(await card_of(rig, alice))
    assert "Show it at the counter" in mallory.last_text
    await mallory.open_link(f"https://t.me/{rig.emu.bot_username}?start=v-{voucher.token}")
    assert "Show it at the counter" in mallory.last_text
    for garbage in ("tp|1|100|-|AAAAAAAA", "tv|1", "tsc|9001|xxxxxxxx", "x" * 70):
        await mallory.press_data(garbage)
        assert "expired" in (mallory.last_toast or "")
    # a well-signed button of a staff action is still refused for a member
    data = rig.app.bot_data["codec"].encode(1666, "tr", 1, 100)
    await mallory.press_data(data)
    assert "only for" in (mallory.last_toast or "")
    await mallory.send_photo(blank_png())
    assert "didn't catch that" in mallory.last_text
    assert await LedgerEntry.all().count() == before
    assert (await Voucher.get(id=voucher.id)).status == VoucherStatus.ISSUED
    assert await StaffRole.all().count() == 0
    assert await Purchase.all().count() == 1


async def test_redeem_by_photo_by_code_and_refusals(rig: Rig) -> None:
    cashier = await hire(rig, 2001, "Cara")
    alice = rig.member(1001, "Alice")
    await alice.send("/start")
    await rig.earn(alice, 50000)
    first, second, third = [await voucher_for(rig, alice, n) for n in range(3)]
    from handlers.qr import _render

    link = f"https://t.me/{rig.emu.bot_username}?start=v-{first.token}"
    await cashier.send_photo(_render(link))
    assert "Free coffee" in cashier.last_text
    await cashier.press("Confirm")
    assert "Redeemed" in cashier.last_text
    await cashier.send_photo(_render("https://example.com/?start=v-" + second.token))
    assert "not one of ours" in cashier.last_text
    await cashier.send_photo(blank_png())
    assert "could not find a QR" in cashier.last_text

    await cashier.send(f"/redeem {second.code.lower().replace('-', ' ')}")
    assert "Free coffee" in cashier.last_text
    await cashier.press("Confirm")
    assert "Redeemed" in cashier.last_text
    await cashier.send(f"/redeem {second.code}")
    assert "Already used" in cashier.last_text
    await cashier.send("/redeem K7QM-4PXD")
    assert "does not exist" in cashier.last_text
    await cashier.send(f"/start v-{'A' * 22}")
    assert "does not exist" in cashier.last_text
    await cashier.send("/redeem")
    await cashier.send(third.code)
    assert "Free coffee" in cashier.last_text
    clock.freeze(clock.now() + timedelta(days=31))
    try:
        await cashier.press("Confirm")  # the confirmation itself has expired by now
        assert "expired" in (cashier.last_toast or "")
        assert "Free coffee" in cashier.last_text
    finally:
        clock.unfreeze()
    await vouchers.void(third.id, "test", None)
    await cashier.send(f"/redeem {third.code}")
    assert "cancelled" in cashier.last_text


async def test_many_cashiers_confirm_one_voucher_at_once(rig: Rig) -> None:
    alice = rig.member(1001, "Alice")
    await alice.send("/start")
    await rig.earn(alice, 10000)
    voucher = await voucher_for(rig, alice)
    cashiers = []
    for i in range(20):  # roles granted directly: the invite flow is tested elsewhere
        await staff.grant_role(3000 + i, Role.STAFF, granted_by=None, actor_kind="cli")
        cashiers.append(rig.person(3000 + i, f"Cashier{i}"))
    for cashier in cashiers:
        await cashier.send(f"/redeem {voucher.code}")
    await asyncio.gather(*(c.press("Confirm") for c in cashiers))
    texts = [c.last_text for c in cashiers]
    assert sum("Redeemed" in t for t in texts) == 1, texts
    assert sum("Already used" in t for t in texts) == 19, texts
    await alice.wait_for_text("has been used")
    notices = [m for m in alice.messages if "has been used" in m.visible_text]
    assert len(notices) == 1


async def test_refund_full_partial_and_over(rig: Rig) -> None:
    cashier = await hire(rig, 2001, "Cara")
    alice = rig.member(1001, "Alice")
    await alice.send("/start")
    await record(rig, cashier, alice, "100")
    receipt = (await Purchase.get()).receipt_code
    await cashier.send("/refund")
    assert "receipt code" in cashier.last_text
    await cashier.send("/refund R-2222-2222")
    assert "No purchase" in cashier.last_text
    await cashier.send(f"/refund {receipt.lower()}")
    assert "refundable: ¥100.00" in cashier.last_text
    await cashier.send("150")
    assert "at most" in cashier.last_text and "¥100.00" in cashier.last_text
    await cashier.send("abc")
    assert "is not a number" in cashier.last_text
    await cashier.send("40")
    assert "takes back 40" in cashier.last_text
    await cashier.press("Confirm")
    assert "Refunded ¥40.00" in cashier.last_text
    assert (await rig.member_row(alice)).balance == 60
    assert "40 points were" in (await alice.wait_for_text("refunded")).visible_text

    await cashier.send(f"/refund {receipt}")
    await cashier.press("Refund all")
    confirm = cashier.last_message
    data = next(b["callback_data"] for b in confirm.buttons if "Confirm" in b["text"])
    await cashier.press("Confirm")
    assert "Refunded ¥60.00" in cashier.last_text
    await cashier.press_data(data, message=confirm)  # a double tap refunds once
    assert (await rig.member_row(alice)).balance == 0
    assert (await Purchase.get()).refunded_minor == 10000
    refunds = [m for m in alice.messages if "refunded" in m.visible_text]
    assert len(refunds) == 2
    await cashier.send(f"/refund {receipt}")
    assert "Nothing is left" in cashier.last_text


async def test_admin_adjusts_and_manages_staff(rig: Rig) -> None:
    admin = rig.admin()
    alice = rig.member(1001, "Alice")
    await alice.send("/start")
    await rig.earn(alice, 10000)
    code = (await rig.member_row(alice)).code
    await admin.send(f"/adjust {code} -30 duplicate purchase")
    assert "−30" in admin.last_text and "duplicate purchase" in admin.last_text
    await admin.press("Confirm")
    assert "100 → 70" in admin.last_text
    assert "corrected by" in (await alice.wait_for_text("corrected")).visible_text
    await admin.send(f"/adjust {code} -500 too much")
    assert "has only 70 points" in admin.last_text
    await admin.send(f"/adjust {code} lots oops")
    assert "Send /adjust with" in admin.last_text
    assert await AuditLog.filter(action="points.adjust").count() == 1

    cashier = await hire(rig, 2001, "Cara", "staff", "Mall")
    boss = await hire(rig, 2002, "Bo", "admin")
    assert "staff" in boss.commands
    await admin.send("/staff")
    assert "Cara" in admin.last_text and "Bo" in admin.last_text
    await admin.press("Revoke Cara")
    await admin.press("Confirm")
    assert "no longer has a role" in admin.last_text
    assert "checkout" not in cashier.commands
    await cashier.send("/checkout")
    assert "only for" in cashier.last_text
    assert await AuditLog.filter(action="role.revoke").count() == 1

    # the invite is used once; an expired one is refused
    await admin.send("/staff invite marketer")
    png = admin.last_photo_bytes()
    await rig.person(2003, "Mo").scan(png)
    late = rig.person(2004, "Late")
    await late.scan(png)
    assert "already used" in late.last_text
    await admin.send("/staff invite")
    png = admin.last_photo_bytes()
    clock.freeze(clock.now() + timedelta(hours=49))
    try:
        await late.scan(png)
        assert "expired" in late.last_text
    finally:
        clock.unfreeze()
    assert await StaffRole.filter(telegram_id=2004).count() == 0


@pytest.mark.settings(access={"admins": []})
async def test_the_last_admin_cannot_revoke_themselves(rig: Rig) -> None:
    await staff.grant_role(9001, Role.ADMIN, granted_by=None, actor_kind="cli")
    admin = rig.admin()
    await admin.send("/staff")
    await admin.press("Revoke Ada")
    await admin.press("Confirm")
    assert "without an admin" in admin.last_text
    assert await StaffRole.filter(telegram_id=9001, active=True).exists()


@pytest.mark.settings(usage={"points_as_payment": True})
async def test_points_as_payment_confirmed_by_the_member(rig: Rig) -> None:
    rule_versions.invalidate()  # the cache is keyed by version id, and every rig starts at 1
    cashier = await hire(rig, 2001, "Cara")
    alice = rig.member(1001, "Alice")
    await alice.send("/start")
    await rig.earn(alice, 10000)
    await cashier.open_link(await card_of(rig, alice))
    await cashier.send("100")
    await cashier.press("Skip")
    await cashier.press("Pay with points")
    assert "Asked Alice" in cashier.last_text
    ask = await alice.wait_for_text("towards your bill")
    assert "100 points" in ask.visible_text and "¥1.00" in ask.visible_text
    data = next(b["callback_data"] for b in ask.buttons if "Confirm" in b["text"])
    await alice.press("Confirm", message=ask)
    assert "Paid with 100 points" in alice.last_text
    await alice.press_data(data, message=ask)  # a double tap pays once
    assert (await rig.member_row(alice)).balance == 0
    paid = await cashier.wait_for_text("Collect")
    assert "¥99.00" in paid.visible_text
    assert len([m for m in cashier.messages if "Collect" in m.visible_text]) == 1
    changed = await cashier.press("Confirm")
    assert any("Recorded" in m.visible_text for m in changed)
    # the cashier cannot press the member's button (it is signed for the member)
    await cashier.press_data(data, message=cashier.last_message)
    assert "expired" in (cashier.last_toast or "")


async def test_one_invite_many_openers_and_chinese_till(rig: Rig) -> None:
    admin = rig.admin()
    await admin.send("/staff invite staff")
    png = admin.last_photo_bytes()
    people = [rig.person(4000 + i, f"P{i}", language_code="zh-hans") for i in range(5)]
    await asyncio.gather(*(p.scan(png) for p in people))
    assert await StaffRole.filter(active=True).count() == 1
    texts = [p.last_text for p in people]
    assert sum("欢迎加入" in t for t in texts) == 1, texts
    assert sum("已被使用" in t for t in texts) == 4, texts
    winner = people[[("欢迎加入" in t) for t in texts].index(True)]
    await winner.send("/refund")
    assert "小票号" in winner.last_text


async def test_running_campaign_is_quoted_and_awarded(rig: Rig) -> None:
    now = clock.now()
    await Campaign.create(
        names={"en": "Double Day"},
        kind=CampaignKind.MULTIPLIER,
        multiplier="2",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=1),
        created_at=now,
    )
    cashier = await hire(rig, 2001, "Cara")
    alice = rig.member(1001, "Alice")
    await alice.send("/start")
    await cashier.open_link(await card_of(rig, alice))
    await cashier.send("128.50")
    await cashier.press("Skip")
    assert "+257" in cashier.last_text and "Double Day" in cashier.last_text
    await cashier.press("Confirm")
    assert (await rig.member_row(alice)).balance == 257
