"""The member's screens: history paging, catalogue, redeeming, vouchers, card, profile, privacy."""

from __future__ import annotations

import asyncio
import json
from io import BytesIO

import zxingcpp
from PIL import Image

from bot.emulator import Player
from models import ledger
from models.store import clock
from models.store.tables import AuditLog, LedgerEntry, Member, Purchase, Reward, Voucher
from tests.chat.conftest import Rig


def qr_text(png: bytes) -> str:
    with Image.open(BytesIO(png)) as picture:
        return zxingcpp.read_barcodes(picture)[0].text


async def joined(rig: Rig, user_id: int, name: str, language_code: str = "en") -> Player:
    player = rig.member(user_id, name, language_code=language_code)
    await player.send("/start")
    await player.share_contact(f"+1555{user_id:07d}")
    await player.press("No, thanks" if language_code == "en" else "不用了")
    return player


async def reward(cost: int, name: str = "Coffee", **fields: object) -> Reward:
    return await Reward.create(
        names={"en": name, "zh-Hans": f"{name}（中）"},
        kind="gift",
        cost_points=cost,
        created_at=clock.now(),
        **fields,
    )


async def test_history_pages_in_place_and_explains_lines(rig: Rig) -> None:
    alice = await joined(rig, 2001, "Alice")
    for n in range(10):
        await rig.earn(alice, 1000 + n * 100, idempotency_key=f"h{n}")
    member = await rig.member_row(alice)
    await ledger.grant_bonus(member.id, 50, idempotency_key="bday", reason="birthday")
    await ledger.grant_bonus(member.id, 7, idempotency_key="ev", reason="event:review.written:1")
    await ledger.adjust(
        member.id, -5, reason="typo fix", actor_telegram_id=9001, idempotency_key="adj"
    )
    await alice.send("/history")
    first = await alice.wait_for_text("Page 1 of 2")
    assert "Page 1 of 2" in first, first
    assert "adjusted −5 (typo fix)" in first
    assert "birthday bonus +50" in first
    assert "bonus for what you did with us +7" in first
    assert "purchase ¥19.00 → +19 (receipt R-" in first
    await alice.press("Next ▶️", message=first)
    second = alice.emu.get_message(alice.user_id, first.message_id)  # edited in place
    assert "Page 2 of 2" in second and "purchase ¥10.00 → +10" in second
    await alice.press("◀️ Back", message=second)
    assert "Page 1 of 2" in alice.emu.get_message(alice.user_id, first.message_id)


async def test_catalogue_pages_and_hides_what_the_tier_may_not_take(rig: Rig) -> None:
    li = await joined(rig, 2002, "Li", "zh-hans")
    for n in range(7):
        await reward(100 + n, f"R{n}")
    await reward(50, "GoldOnly", min_tier="gold")
    await reward(60, "Archived", archived=True)
    await li.send("/rewards")
    assert "R0（中）" in li.last_text and "第 1 / 2 页" in li.last_text
    assert "GoldOnly" not in li.last_text and "Archived" not in li.last_text
    await li.press("▶")
    assert "R6（中）" in li.last_text and "R0（中）" not in li.last_text


async def test_redeem_with_too_few_points_changes_nothing(rig: Rig) -> None:
    bob = await joined(rig, 2003, "Bob")
    await rig.earn(bob, 40000)
    item = await reward(300, stock=5)
    await bob.send("/rewards")
    await bob.press("Coffee")
    assert "Cost: 300 points" in bob.last_text
    await bob.press("Redeem")
    row = await rig.member_row(bob)  # meanwhile the points are spent elsewhere (the till)
    await ledger.spend(row.id, 300, idempotency_key="elsewhere", reason="test")
    await bob.press("Confirm")
    assert "you need 200 more" in bob.last_text
    assert await Voucher.all().count() == 0
    assert (await rig.member_row(bob)).balance == 100
    assert (await Reward.get(id=item.id)).stock == 5


async def test_confirm_pressed_twice_gives_one_voucher_and_one_deduction(rig: Rig) -> None:
    carol = await joined(rig, 2004, "Carol")
    await rig.earn(carol, 100000)
    item = await reward(300, stock=3)
    await carol.send("/rewards")
    await carol.press("Coffee")
    await carol.press("Redeem")
    confirm = carol.last_message
    data = confirm.reply_markup["inline_keyboard"][0][0]["callback_data"]
    ids = [rig.emu.user_callback(carol.user_id, confirm, data)[1] for _ in range(3)]
    await asyncio.gather(*(rig.emu.settle(i) for i in ids))
    member = await rig.member_row(carol)
    assert await Voucher.filter(member_id=member.id).count() == 1
    assert member.balance == 1000 - 300
    assert await LedgerEntry.filter(member_id=member.id, kind="redeem").count() == 1
    assert (await Reward.get(id=item.id)).stock == 2
    voucher = await Voucher.get(member_id=member.id)
    link = qr_text(carol.last_photo_bytes())
    assert link == f"https://t.me/{rig.emu.bot_username}?start=v-{voucher.token}"
    assert voucher.code in carol.last_message
    await carol.send("/vouchers")
    assert qr_text(carol.last_photo_bytes()).endswith(f"v-{voucher.token}")
    assert "Active vouchers: 1" in carol.last_text


async def test_card_regeneration_invalidates_the_old_token(rig: Rig) -> None:
    dan = await joined(rig, 2005, "Dan")
    await dan.send("/card")
    old = (await rig.member_row(dan)).card_token
    assert qr_text(dan.last_photo_bytes()).endswith(f"?start=m-{old}")
    assert (await rig.member_row(dan)).code in dan.last_message
    await dan.press("New QR code")
    await dan.press("Confirm")
    new = (await rig.member_row(dan)).card_token
    assert new != old
    assert qr_text(dan.last_photo_bytes()).endswith(f"?start=m-{new}")
    assert await Member.get_or_none(card_token=old) is None
    assert await AuditLog.filter(action="member.card.regenerate").count() == 1


async def test_profile_birthday_and_toggles(rig: Rig) -> None:
    eve = await joined(rig, 2006, "Eve")
    await eve.send("/profile")
    await eve.press("Set birthday")
    await eve.send("2999-01-01")
    assert "future" in eve.last_text
    await eve.send("05-17")
    assert "Birthday saved: 05-17" in eve.last_text
    await eve.send("/profile")
    assert "Birthday: 05-17" in eve.last_text
    await eve.press("Offers on/off")
    assert "Offers: on" in eve.last_text
    await eve.press("Reminders on/off")
    assert "Reminders: off" in eve.last_text
    row = await rig.member_row(eve)
    assert row.marketing_opt_in and not row.notifications_enabled


async def test_privacy_export_and_delete(rig: Rig) -> None:
    fay = await joined(rig, 2007, "Fay")
    await rig.earn(fay, 5000)
    await fay.send("/privacy")
    await fay.press("Export my data")
    name, body = fay.last_document()
    data = json.loads(body)
    assert name.endswith(".json")
    assert data["profile"]["first_name"] == "Fay"
    assert data["profile"]["phone"] == "+15550002007"
    assert [e["points"] for e in data["entries"]] == [50]
    assert data["purchases"][0]["amount_minor"] == 5000
    assert data["vouchers"] == []
    old = await rig.member_row(fay)
    await fay.send("/privacy")
    await fay.press("Delete my account")
    await fay.press("Yes, delete")
    gone = await Member.get(id=old.id)
    assert gone.deleted_at is not None and gone.telegram_id is None
    assert (gone.first_name, gone.phone, gone.username, gone.birthday) == ("", None, None, None)
    assert gone.card_token != old.card_token
    assert await LedgerEntry.filter(member_id=old.id).count() == 1
    assert await Purchase.filter(member_id=old.id).count() == 1
    assert await AuditLog.filter(action="member.delete").count() == 1
    await fay.send("/start")
    fresh = await rig.member_row(fay)
    assert fresh.id != old.id and fresh.balance == 0


async def test_tampered_callback_data_changes_nothing(rig: Rig) -> None:
    gus = await joined(rig, 2008, "Gus")
    await rig.earn(gus, 100000)
    item = await reward(300)
    await gus.send("/rewards")
    await gus.press("Coffee")
    await gus.press("Redeem")
    data = gus.last_message.reply_markup["inline_keyboard"][0][0]["callback_data"]
    action, arg, sig = data.split("|")
    await gus.press_data(f"{action}|{item.id + 1}|{sig}")
    assert "expired" in (gus.last_toast or "")
    other = rig.app.bot_data["codec"].encode(9999, action, arg)  # signed for someone else
    await gus.press_data(other)
    assert "expired" in (gus.last_toast or "")
    assert await Voucher.all().count() == 0
    assert (await rig.member_row(gus)).balance == 1000
