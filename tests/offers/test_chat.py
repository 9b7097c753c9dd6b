"""Through the chat: a marketer builds a targeted campaign in /campaign; a targeted
member's receipt names it, another's does not; stale and wrong input at the audience step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from models.marketing import campaigns
from models.store import clock
from models.store.tables import Campaign, CampaignMember
from tests.chat.conftest import Rig
from tests.chat.test_marketing import marketer
from tests.chat.test_till import hire, record

NOW = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai


async def _to_summary(mia) -> None:
    await mia.send("/campaign")
    await mia.press("New campaign")
    await mia.send("VIP Double")
    await mia.press("Same as English")
    await mia.press("Multiplier")
    await mia.send("2")
    await mia.press("Next 7 days")


async def test_marketer_targets_a_member_list_and_only_they_earn_double(rig: Rig) -> None:
    clock.freeze(NOW)
    cashier = await hire(rig, 2001, "Cara", "staff", "Downtown")
    alice, bob = rig.member(1001, "Alice"), rig.member(1002, "Bob")
    for person in (alice, bob):
        await person.send("/start")
    alice_code = (await rig.member_row(alice)).code
    mia = await marketer(rig)
    await _to_summary(mia)
    assert "Audience: everyone" in mia.last_text
    await mia.press("🎯 Audience")
    await mia.press("📋 Member list")
    await mia.send("?? !!")  # wrong input: asked again, nothing kept
    assert "do not look like member codes" in mia.last_text
    await mia.send(f"{alice_code.lower()}, M-NOBODY")
    assert "1 member code or phone nobody has will be ignored: M-NOBODY" in (
        mia.messages[-2].visible_text
    )
    await mia.press("📌 Snapshot")
    await mia.press("0%")
    summary = mia.last_text
    assert "a list of 1 member " in summary and "1 member now" in summary  # plurals
    assert "fixed when it starts" in summary
    assert await Campaign.all().count() == 0
    await mia.press("Confirm")
    assert "is saved" in mia.last_text and "Audience: 1 member " in mia.last_text
    row = await Campaign.get()
    assert row.audience["kind"] == "members" and row.audience["codes"] == [alice_code]
    assert await CampaignMember.filter(campaign_id=row.id).count() == 1

    await record(rig, cashier, alice, "100")
    assert "VIP Double" in (await alice.wait_for_text("+200")).visible_text
    await record(rig, cashier, bob, "100")
    got = (await bob.wait_for_text("+100")).visible_text
    assert "VIP Double" not in got


async def test_empty_audience_refused_and_stale_buttons(rig: Rig) -> None:
    clock.freeze(NOW)
    mia = await marketer(rig, 3002)
    await _to_summary(mia)
    await mia.press("🎯 Audience")
    kinds = mia.last_message
    await mia.press("🏷 Bought a category")
    await mia.send("tea 9999")
    assert "number of days from 1 to 730" in mia.last_text
    await mia.send("tea 30")  # refused at once, with the reason
    assert "Nobody is in “bought “tea” in the last 30 days” now" in mia.last_text
    assert await Campaign.all().count() == 0
    # a button of a step the marketer left is stale: it answers so and changes nothing
    await mia.press("📊 RFM segment", message=kinds)
    segments = mia.last_message
    await mia.press("🎖 Tiers", message=kinds)
    await mia.press("Champions", message=segments)
    assert "expired" in mia.last_text
    await mia.press("Done")  # no tier chosen yet
    assert "at least one tier" in mia.last_text
    await mia.press("Gold (0)")  # each choice shows its members now
    await mia.press("Done")
    assert "Nobody is in “tiers Gold” now" in mia.last_text  # nobody is gold yet
    await mia.press("👥 Everyone", message=kinds)
    assert "Audience: everyone" in mia.last_text
    summary = mia.last_message
    audience, confirm = (
        next(b["callback_data"] for b in summary.buttons if label in b["text"])
        for label in ("Audience", "Confirm")
    )
    await mia.press("Cancel")
    # after Cancel: the summary's old buttons (another device) and the kinds menu are stale
    await mia.press_data(audience, message=summary)
    assert "expired" in mia.last_text
    # the kinds menu lost its buttons with the summary's Cancel; another screen still has them
    stale = next(b for b in mia.buttons(stale=True) if b.message is kinds and "category" in b.text)
    await mia.press_button(stale)
    assert "expired" in mia.last_text
    await mia.press_data(confirm, message=summary)
    assert await Campaign.all().count() == 0


async def test_balance_suggests_a_reward_and_report_shows_the_targeted_campaign(rig: Rig) -> None:
    from models.store.tables import Reward

    clock.freeze(NOW)
    alice = rig.member(1001, "Alice")
    await alice.send("/start")
    await Reward.create(names={"en": "Mug"}, kind="gift", cost_points=300, created_at=NOW)
    await rig.earn(alice, 10000)  # 100 points: the mug is 200 points away
    await alice.wait_for_text("+100 points")
    await alice.send("/balance")
    assert "Next up: Mug, 200 points to go" in (await alice.wait_for_text("You have 100")).text
    clock.advance(timedelta(minutes=1))
    await rig.earn(alice, 20000)
    await alice.wait_for_text("+200 points")
    await alice.send("/balance")
    assert "You can take Mug now" in (await alice.wait_for_text("You have 300")).text

    clock.advance(timedelta(hours=1))
    mia = await marketer(rig, 3003)
    await _to_summary(mia)
    await mia.press("🎯 Audience")
    await mia.press("📋 Member list")
    await mia.send((await rig.member_row(alice)).code)
    await mia.press("🔄 Live")
    await mia.press("0%")
    await mia.press("Confirm")
    clock.advance(timedelta(hours=1))
    await rig.earn(alice, 5000, campaigns=await campaigns.rules_at(clock.now()))
    clock.advance(timedelta(hours=1))
    ada = rig.admin()
    await ada.send("/start")
    await ada.send("/report today")
    section = await ada.wait_for_text("Targeted campaigns")
    text = section.visible_text
    assert "VIP Double · member list" in text
    assert "Targeted: 1 members, 1 bought (100.0%), ¥50.00, 100 points" in text
    assert "Control: 0 members" in text and "too early to compare" in text  # minutes old
    assert "Before: 1 bought, ¥300.00" in text  # the two purchases of the hour before
