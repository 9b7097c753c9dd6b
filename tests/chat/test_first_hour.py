"""The chat as a merchant meets it in the first hour: words, money and help, in both
languages."""

from __future__ import annotations

from tests.chat.conftest import Rig
from tests.chat.test_till import card_of, hire


async def test_an_english_cashier_reads_tier_names_and_money_in_english(rig: Rig) -> None:
    cashier = await hire(rig, 2001, "Cara", "staff")
    li = rig.member(1001, "Li", "zh-hans")
    await li.send("/start")
    await cashier.open_link(await card_of(rig, li))
    assert "Member · 0 points" in cashier.last_text and "会员" not in cashier.last_text
    await cashier.send("1280.50")
    await cashier.press("Skip")
    assert "¥1,280.50" in cashier.last_text  # one money format everywhere
    await cashier.press("Confirm")
    assert "¥1,280.50" in cashier.last_text
    assert "¥1,280.50" in li.last_text and "1280.50" not in li.last_text.replace("1,280", "")


async def test_a_chinese_cashier_reads_them_in_chinese(rig: Rig) -> None:
    cashier = await hire(rig, 2002, "陈", "staff")
    await cashier.send("/language")
    await cashier.press("中文")
    alice = rig.member(1002, "Alice")
    await alice.send("/start")
    await cashier.open_link(await card_of(rig, alice))
    assert "会员 · 0 积分" in cashier.last_text and "Member" not in cashier.last_text


async def test_help_for_staff_puts_the_till_first_with_the_routine(rig: Rig) -> None:
    cashier = await hire(rig, 2003, "Cara", "staff")
    await cashier.send("/start")
    await cashier.press("Join as a member")  # the member part is shown once they join
    await cashier.send("/help")
    text = cashier.last_text
    assert text.index("Scan the member's card") < text.index("Till") < text.index("As a member")
    assert text.index("/checkout") < text.index("/balance")
    assert "/campaign" not in text and "/staff" not in text

    admin = rig.admin()
    await admin.send("/help")
    text = admin.last_text
    sections = [text.index(s) for s in ("Till", "Marketing", "Administration")]
    assert sections == sorted(sections) and "As a member" not in text  # not joined


async def test_help_in_chinese_for_staff_and_members(rig: Rig) -> None:
    cashier = await hire(rig, 2004, "陈", "staff")
    await cashier.send("/language")
    await cashier.press("中文")
    await cashier.send("/help")
    assert cashier.last_text.startswith("🧾 收银流程") and "会员功能" not in cashier.last_text
    member = rig.member(1003, "李", "zh-hans")
    await member.send("/help")
    assert "您可以使用以下功能" in member.last_text and "收银" not in member.last_text


async def _catalogue_with(rig: Rig, cost: int) -> None:
    from models.store import clock
    from models.store.tables import Reward

    await Reward.create(
        names={"en": "Tote bag", "zh-Hans": "帆布袋"}, kind="gift", cost_points=cost,
        created_at=clock.now(),
    )  # fmt: skip


async def test_a_reward_out_of_reach_says_what_is_missing_and_offers_no_redeem(rig: Rig) -> None:
    await _catalogue_with(rig, 170)
    alice = rig.member(1001, "Alice")
    await alice.send("/start")
    await rig.earn(alice, 5000)  # 50 points
    catalogue = next(m for m in await alice.send("/rewards") if m.buttons)
    assert "🔒 120 to go" in (catalogue.text or "")
    await alice.press("Tote bag", message=catalogue)
    details = alice.last_message
    assert "You need 120 more points" in (details.text or details.caption or "")
    assert details.buttons == []  # no Redeem to press only to be told "not enough"


async def test_out_of_reach_in_chinese(rig: Rig) -> None:
    await _catalogue_with(rig, 170)
    li = rig.member(1002, "李", "zh-hans")
    await li.send("/start")
    await li.send("/rewards")
    assert "还差 170 积分" in li.last_text
    await li.press("帆布袋")
    assert "您还需要 170 积分" in li.last_text.replace("<b>", "").replace("</b>", "")
    assert li.last_message.buttons == []


async def test_report_lines_carry_no_stray_spaces(rig: Rig) -> None:
    """A figure without a previous period to compare with ends the line (no trailing space)."""
    alice = rig.member(1001, "Alice")
    await alice.send("/start")
    await rig.earn(alice, 5000)
    admin = rig.admin()
    for language in ("en", "zh-Hans"):
        if language == "zh-Hans":
            await admin.send("/language")
            await admin.press("中文")
        replies = await admin.send("/report 7d")
        summary = next(m.text for m in replies if m.text and "¥50.00" in m.text)
        assert all(line == line.rstrip() for line in summary.split("\n")), summary


async def test_staff_list_lines_end_cleanly(rig: Rig) -> None:
    await hire(rig, 2005, "Cara", "staff")
    await hire(rig, 2006, "Dan", "staff", "Downtown")
    admin = rig.admin()
    await admin.send("/staff")
    lines = admin.last_text.split("\n")
    assert "• Cara · cashier" in lines and "• Dan · cashier · Downtown" in lines
    assert all(line == line.rstrip() for line in lines)
