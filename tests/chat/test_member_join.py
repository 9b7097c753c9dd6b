"""A member joins, shares their phone, consents, and checks their balance."""

from models.store.tables import Member
from tests.chat.conftest import Rig


async def test_join_in_english_with_own_contact(rig: Rig) -> None:
    alice = rig.member(1001, "Alice")
    await alice.send("/start")
    assert "Welcome to" in alice.last_text
    assert alice.reply_keyboard == [["📱 Share my phone number"], ["Skip for now"]]
    await alice.share_contact("+86 138 0000 0000")
    assert "Thanks" in alice.messages[-2].visible_text
    await alice.press("Yes, please")
    assert "Balance" in alice.reply_keyboard[0][0]
    row = await rig.member_row(alice)
    assert row.phone == "+8613800000000"
    assert row.marketing_opt_in is True


async def test_join_in_chinese(rig: Rig) -> None:
    li = rig.member(1002, "Li", language_code="zh-hans")
    await li.send("/start")
    assert "欢迎来到" in li.last_text
    await li.tap("暂时跳过")
    assert "优惠活动" in li.last_text
    await li.press("不用了")
    assert li.reply_keyboard[0] == ["💰 积分", "🪪 会员卡"]
    await li.tap("💰 积分")
    assert "您有 <b>0</b>" not in li.last_text and "您有 0 积分" in li.last_text
    assert (await rig.member_row(li)).marketing_opt_in is False


async def test_someone_elses_contact_is_refused(rig: Rig) -> None:
    bob = rig.member(1003, "Bob")
    await bob.send("/start")
    _, update_id = rig.emu.user_message(
        bob.user_id,
        contact={"phone_number": "+15550001111", "first_name": "Eve", "user_id": 4242},
    )
    await rig.emu.settle(update_id)
    assert "someone else" in bob.last_text
    assert (await rig.member_row(bob)).phone is None
    await bob.share_contact("+15550002222")
    assert (await rig.member_row(bob)).phone == "+15550002222"


async def test_start_twice_is_one_member_and_shows_the_menu(rig: Rig) -> None:
    carol = rig.member(1004, "Carol")
    await carol.send("/start")
    await carol.share_contact("+15550003333")
    await carol.press("No, thanks")
    await carol.send("/start")
    assert "menu" in carol.last_text
    assert await Member.filter(telegram_id=carol.user_id).count() == 1


async def test_balance_after_earning(rig: Rig) -> None:
    dan = rig.member(1005, "Dan")
    await dan.send("/start")
    await rig.earn(dan, 12850)
    await dan.send("/balance")
    text = (await dan.wait_for_text("You have")).visible_text
    assert "You have 128 points" in text
    assert "Tier: Member" in text
    assert "872 more qualifying points to reach Silver" in text
    assert "128 points expire on" in text


async def test_language_switch(rig: Rig) -> None:
    eve = rig.member(1006, "Eve")
    await eve.send("/language")
    await eve.press("简体中文")
    assert "简体中文" in eve.messages[-2].visible_text
    assert eve.reply_keyboard[0] == ["💰 积分", "🪪 会员卡"]
    await eve.send("/balance")
    assert "积分" in eve.last_text
    assert (await rig.member_row(eve)).language == "zh-Hans"
