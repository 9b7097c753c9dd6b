"""The chat as a merchant meets it in the first hour (the rest): staff are not members,
balances say why, role words, campaigns, coupons, returning people, broadcasts, finding
people and charts, in both languages."""

from __future__ import annotations

import pytest

from models.store.tables import AuditLog, LedgerEntry, StaffInvite
from tests.chat.conftest import Rig
from tests.chat.test_till import hire, record

# ---- 2. staff are not members -----------------------------------------------------------


async def _members_counted() -> tuple[int, int]:
    """(segment total, broadcast audience of everyone) as reports and broadcasts see them."""
    from models.marketing import broadcasts, segments

    counts = await segments.segment_counts()
    audience = await broadcasts.recipients(broadcasts.Audience("all")).count()
    return sum(counts.values()), audience


async def test_a_cashier_gets_a_staff_home_not_member_onboarding(rig: Rig) -> None:
    alice = rig.member(1001, "Alice")
    await alice.send("/start")
    await alice.tap("Skip for now")
    await alice.press("Yes, please")
    cashier = await hire(rig, 2001, "Cara", "cashier")
    await cashier.send("/start")
    home = cashier.last_text
    assert "Your role here: cashier" in home and "scan their membership card" in home
    assert "Share my phone number" not in str(cashier.reply_keyboard)
    assert "Join as a member" in [b["text"] for b in cashier.last_message.buttons]
    assert not (await rig.member_row(cashier)).enrolled
    assert await _members_counted() == (1, 1)  # reports, segments and audiences: Alice only

    await cashier.send("/balance")  # a member command: not a member (yet)
    assert "you are not a member" in cashier.last_text and "Join as a member" in str(
        cashier.last_message.buttons
    )
    await cashier.press("Join as a member")
    assert "You joined as a member" in cashier.told("joined")[0].visible_text
    assert "Welcome to" in cashier.last_text  # the member onboarding, chosen
    assert (await rig.member_row(cashier)).enrolled
    await cashier.send("/start")
    assert "You are also a member" in cashier.last_text


async def test_the_configured_admin_and_a_marketer_get_their_first_steps(rig: Rig) -> None:
    admin = rig.admin()
    await admin.send("/start")
    assert "Your role here: admin" in admin.last_text and "/staff invite cashier" in admin.last_text
    assert not (await rig.member_row(admin)).enrolled
    marketer = await hire(rig, 2002, "Mo", "marketer")
    await marketer.send("/start")
    assert "/campaign starts a double-points day" in marketer.last_text
    assert await _members_counted() == (0, 0)


async def test_staff_home_in_chinese(rig: Rig) -> None:
    cashier = await hire(rig, 2003, "陈", "收银员")
    await cashier.send("/language")
    await cashier.press("中文")
    await cashier.send("/start")
    assert "您是" in cashier.last_text and "收银员" in cashier.last_text
    assert "第一步" in cashier.last_text and "扫描其会员卡" in cashier.last_text
    await cashier.send("/card")
    assert "您（还）不是会员" in cashier.last_text
    await cashier.press("加入会员")
    assert "欢迎来到" in cashier.last_text


async def test_a_customer_who_becomes_a_cashier_stays_a_member(rig: Rig) -> None:
    bo = rig.member(2004, "Bo")
    await bo.send("/start")
    await rig.earn(bo, 5000)
    admin = rig.admin()
    await admin.send("/staff invite staff")
    await bo.scan(admin.last_photo_bytes())
    assert (await rig.member_row(bo)).enrolled
    await bo.send("/balance")
    assert "50" in bo.last_text


# ---- 10. a returning person ------------------------------------------------------------


async def test_after_deleting_the_account_balance_starts_onboarding(rig: Rig) -> None:
    alice = rig.member(1001, "Alice")
    await alice.send("/start")
    await alice.send("/privacy")
    await alice.press("Delete my account")
    await alice.press("Yes, delete")
    assert alice.told("Your account was deleted")
    await alice.send("/balance")
    assert "Welcome to" in alice.last_text and "You have" not in alice.last_text
    assert "Share my phone number" in str(alice.reply_keyboard)
    await alice.send("/balance")  # now onboarded: the balance
    assert "You have 0 points" in alice.last_text


async def test_a_returning_person_in_chinese(rig: Rig) -> None:
    li = rig.member(1002, "李", "zh-hans")
    await li.send("/start")
    await li.send("/privacy")
    await li.press("删除我的账户")
    await li.press("确定删除")
    await li.send("/vouchers")
    assert "欢迎来到" in li.last_text and "分享我的手机号" in str(li.reply_keyboard)


# ---- 5. role words -------------------------------------------------------------------


async def test_staff_invite_with_an_unknown_role_lists_the_roles_and_makes_nothing(
    rig: Rig,
) -> None:
    admin = rig.admin()
    await admin.send("/staff invite boss")
    assert "“boss” is not a role" in admin.last_text
    assert "cashier" in admin.last_text and "marketer" in admin.last_text
    assert await StaffInvite.all().count() == 0
    await admin.send("/staff invite cashier Main Street")
    invite = await StaffInvite.get()
    assert (invite.role, invite.location) == ("staff", "Main Street")


async def test_role_words_in_chinese(rig: Rig) -> None:
    admin = rig.admin(language_code="zh-hans")
    await admin.send("/language")
    await admin.press("中文")
    await admin.send("/staff invite 老板")
    assert "“老板”不是角色" in admin.last_text and "收银员" in admin.last_text
    assert await StaffInvite.all().count() == 0
    await admin.send("/staff invite 营销 南京路店")
    invite = await StaffInvite.get()
    assert (invite.role, invite.location) == ("marketer", "南京路店")
    await admin.send("/staff invite 管理员")
    assert await StaffInvite.filter(role="admin").count() == 1


# ---- 4. balances and adjustments ------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "why", "next_"),
    [
        ("en", "refunded purchase took back points you had already used", "next 200 points"),
        ("zh-hans", "一笔已退款的消费扣回了您已使用的积分", "接下来获得的 200 积分"),
    ],
)
@pytest.mark.settings(usage={"refund_policy": "allow_negative"})
async def test_a_negative_balance_says_why(rig: Rig, language: str, why: str, next_: str) -> None:
    cashier = await hire(rig, 2001, "Cara")
    alice = rig.member(1001, "Alice", language)
    await alice.send("/start")
    await record(rig, cashier, alice, "300")
    admin = rig.admin()
    code = (await rig.member_row(alice)).code
    await admin.send(f"/adjust {code} -200 spent at the fair")
    await admin.press("Confirm")
    await cashier.send("/refund " + (await _receipt()))
    await cashier.press("Refund all")
    await cashier.press("Confirm")
    assert (await rig.member_row(alice)).balance == -200
    await alice.send("/balance")
    assert why in alice.last_text and next_ in alice.last_text


async def _receipt() -> str:
    from models.store.tables import Purchase

    return (await Purchase.get()).receipt_code


async def test_adjust_shows_before_and_after_and_keeps_the_sign(rig: Rig) -> None:
    admin = rig.admin()
    li = rig.member(1001, "Li Wei")
    await li.send("/start")
    await rig.earn(li, 120000)
    code = (await rig.member_row(li)).code
    await admin.send(f"/adjust {code} -5000 typo")
    assert "has only 1,200 points" in admin.last_text  # refused before Confirm
    assert await LedgerEntry.filter(kind="adjust").count() == 0
    await admin.send(f"/adjust {code} +300 goodwill")
    assert "by +300?" in admin.last_text
    assert "1,200 → 1,500" in admin.last_text
    await admin.press("Confirm")
    assert "Done: +300" in admin.last_text and "1,200 → 1,500" in admin.last_text
    assert await AuditLog.filter(action="points.adjust").count() == 1


async def test_adjust_in_chinese(rig: Rig) -> None:
    admin = rig.admin()
    await admin.send("/language")
    await admin.press("中文")
    li = rig.member(1001, "李伟", "zh-hans")
    await li.send("/start")
    await rig.earn(li, 120000)
    code = (await rig.member_row(li)).code
    await admin.send(f"/adjust {code} -200 重复")
    assert "−200" in admin.last_text and "1,200 → 1,000" in admin.last_text
    await admin.press("确认")
    assert "已调整：−200" in admin.last_text
    await li.send("/balance")
    assert "1,000" in li.last_text


# ---- 7. coupons --------------------------------------------------------------------------


async def _cookie() -> None:
    from models.store import clock
    from models.store.tables import Reward

    await Reward.create(
        names={"en": "Cookie", "zh-Hans": "曲奇"}, kind="gift", cost_points=5,
        created_at=clock.now(),
    )  # fmt: skip


async def test_coupon_batch_has_an_expiry_and_reads_in_shop_time(rig: Rig) -> None:
    from datetime import UTC, datetime

    from models.store import clock
    from models.store.tables import CouponBatch
    from tests.chat.test_marketing import marketer

    clock.freeze(datetime(2026, 11, 26, 11, 49, tzinfo=UTC))  # 19:49 in Shanghai
    try:
        await _cookie()
        mia = await marketer(rig)
        await mia.send("/coupons")
        await mia.press("Cookie")
        await mia.send("20")
        assert "Valid until 2026-12-26 23:59" in mia.last_text  # 30 days, shop's day end
        await mia.press("No expiry")
        stated = "Generate 20 coupons for Cookie? Coupons never expire; a claimed voucher is valid"
        assert f"{stated} 30 days from its claim" in mia.last_text  # as a claim then gives
        await mia.press("90 days")
        assert "Valid until 2027-02-24 23:59" in mia.last_text
        await mia.press("Confirm")
        line = (await mia.wait_for_text("0 claimed")).visible_text
        assert line.startswith("#1 Cookie: 20 coupons") and "#1 #1" not in line
        assert "made 2026-11-26 19:49" in line and "11:49" not in line
        batch = await CouponBatch.get()
        assert batch.valid_until == datetime(2027, 2, 24, 15, 59, tzinfo=UTC)
        assert await CouponBatch.all().count() == 1
    finally:
        clock.unfreeze()


async def test_coupon_expiry_in_chinese(rig: Rig) -> None:
    from datetime import UTC, datetime

    from models.store import clock
    from tests.chat.test_marketing import marketer

    clock.freeze(datetime(2026, 11, 26, 11, 49, tzinfo=UTC))
    try:
        await _cookie()
        mia = await marketer(rig)
        await mia.send("/language")
        await mia.press("中文")
        await mia.send("/coupons")
        await mia.press("曲奇")
        await mia.send("5")
        assert "有效期至 2026-12-26 23:59" in mia.last_text
        await mia.press("7 天")
        await mia.press("✅ 确认")
        line = (await mia.wait_for_text("已领取 0")).visible_text
        assert line.startswith("#1 曲奇：5 张") and "有效期至 2026-12-03 23:59" in line
        assert "生成于 2026-11-26 19:49" in line
    finally:
        clock.unfreeze()


# ---- 14. charts ----------------------------------------------------------------------------


async def _report_album(rig: Rig, language: str) -> list:
    admin = rig.admin()
    if language == "zh":
        await admin.send("/language")
        await admin.press("中文")
    alice = rig.member(1001, "Alice")
    await alice.send("/start")
    await rig.earn(alice, 12850)
    await admin.send("/report today")
    return admin.last_album


async def test_charts_arrive_as_one_captioned_album(rig: Rig) -> None:
    from PIL import Image

    album = await _report_album(rig, "en")
    assert len(album) == 3 and all(m.photo for m in album)
    caption = album[0].caption or ""
    assert "sales ¥128.50" in caption and "1 purchase ·" in caption
    assert "128 points issued" in caption
    assert [m.caption for m in album[1:]] == [None, None]
    size = Image.open(__import__("io").BytesIO(album[0].photo.data)).size
    assert size == (1080, 1350)


async def test_chart_album_caption_in_chinese(rig: Rig) -> None:
    album = await _report_album(rig, "zh")
    assert len(album) == 3
    assert "销售额 ¥128.50" in (album[0].caption or "") and "发放 128 积分" in album[0].caption


# ---- 6. the campaign wizard --------------------------------------------------------------


async def _campaign_to_dates(rig: Rig, zh: bool = False):
    from models.store import clock
    from tests.chat.test_marketing import NOW, marketer

    clock.freeze(NOW)  # Monday 2025-03-03 10:00 in Shanghai
    mia = await marketer(rig)
    if zh:
        await mia.send("/language")
        await mia.press("中文")
    await mia.send("/campaign")
    await mia.press("新建活动" if zh else "New campaign")
    await mia.send("Coffee Week")
    await mia.press("与中文相同" if zh else "Same as English")
    await mia.press("倍数" if zh else "Multiplier")
    await mia.send("2")
    await mia.press("输入日期" if zh else "Type dates")
    return mia


def _live_summaries(player) -> list:
    return [m for m in player.messages if m.buttons and "Confirm" in str(m.buttons)]


@pytest.mark.settings(earning={"category_multipliers": {"coffee": "1.5"}})
async def test_campaign_dates_filters_edit_and_list(rig: Rig) -> None:
    from datetime import UTC, datetime

    from models.store.tables import Campaign

    mia = await _campaign_to_dates(rig)
    await mia.send("2025-03-01 10:00")
    assert "has already passed" in mia.last_text and "2025-03-03 10:00" in mia.last_text
    await mia.send("2025-03-05..2025-03-07")  # a range: start and end in one go
    assert "From 2025-03-05 00:00 until 2025-03-07 23:59" in mia.last_text
    await mia.press("Categories")
    await mia.send("cofee")
    assert "No rule or purchase knows the category “cofee”" in mia.last_text
    assert "Known: coffee" in mia.last_text
    await mia.send("Coffee")
    assert "Categories: coffee" in mia.last_text
    assert len(_live_summaries(mia)) == 1  # the older summary lost its buttons
    await mia.press("Confirm")
    assert "is saved" in mia.last_text and not _live_summaries(mia)
    row = await Campaign.get()
    assert row.categories == ["coffee"]
    assert row.ends_at == datetime(2025, 3, 7, 15, 59, 59, tzinfo=UTC)

    await mia.send("/campaign")
    await mia.press("Campaigns")
    assert "×2 points" in mia.last_text and "Categories: coffee" in mia.last_text
    await mia.press(f"Edit #{row.id}")
    assert f"Editing campaign #{row.id}" in mia.last_text
    await mia.press("Amount")
    await mia.send("3")
    await mia.press("When")
    await mia.press("Type dates")
    await mia.send("2025-03-06 10:00")
    await mia.send("2025-03-08")  # a date alone: the end of that day
    assert "until 2025-03-08 23:59" in mia.last_text and "×3" in mia.last_text
    assert (await Campaign.get()).multiplier == "2"  # nothing saved before Confirm
    await mia.press("Confirm")
    assert f"Campaign #{row.id} is changed" in mia.last_text
    row = await Campaign.get()
    assert row.multiplier == "3" and row.starts_at == datetime(2025, 3, 6, 2, 0, tzinfo=UTC)
    assert await Campaign.all().count() == 1
    assert await AuditLog.filter(action="campaign.edit").count() == 1


async def test_campaign_wizard_in_chinese(rig: Rig) -> None:
    from models.store.tables import Campaign

    mia = await _campaign_to_dates(rig, zh=True)
    await mia.send("2025-03-01")
    assert "已经过去" in mia.last_text
    await mia.send("2025-03-05..2025-03-07")
    await mia.press("SKU")
    await mia.send("LATTE-L")
    assert "没有规则或消费记录包含商品编码“LATTE-L”" in mia.last_text
    await mia.press("按输入保留")
    await mia.press("✅ 确认")
    row = await Campaign.get()
    assert row.skus == ["LATTE-L"]
    await mia.send("/campaign")
    await mia.press("活动列表")
    assert "LATTE-L" in mia.last_text
    await mia.press(f"修改 #{row.id}")
    assert f"正在修改活动 #{row.id}" in mia.last_text


# ---- 12. broadcasts in every language, with how to stop them -------------------------------


async def _opted_in(rig: Rig, user_id: int, name: str, language: str):
    from models.store.tables import Member

    player = rig.member(user_id, name, language)
    await player.send("/start")
    await Member.filter(telegram_id=user_id).update(marketing_opt_in=True)
    return player


async def test_a_broadcast_with_a_version_per_language(rig: Rig) -> None:
    from models.store.tables import Broadcast
    from tests.chat.test_broadcast import _marketer, _report

    ann = await _opted_in(rig, 2001, "Ann", "en")
    li = await _opted_in(rig, 2002, "李", "zh-hans")
    mia = await _marketer(rig)
    await mia.send("/broadcast Fresh bread today")
    await mia.press("No button")
    await mia.press("Everyone opted in")
    assert "Versions: English ✓ · 简体中文 —" in mia.last_text
    await mia.press("中文 version")
    await mia.send("今日新鲜面包")
    assert "Versions: English ✓ · 简体中文 ✓" in mia.last_text
    await mia.press("Send now")
    await mia.press("Confirm")
    await _report(rig, (await Broadcast.get()).id)
    got = ann.told("Fresh bread today")
    assert len(got) == 1 and "Stop offers only: /stopoffers" in got[0].visible_text
    got = li.told("今日新鲜面包")
    assert len(got) == 1 and "只停止优惠信息：/stopoffers" in got[0].visible_text
    assert not ann.told("今日新鲜面包") and not li.told("Fresh bread today")


async def test_a_broadcast_written_in_chinese_reaches_others_in_it_with_their_footer(
    rig: Rig,
) -> None:
    from models.store.tables import Broadcast
    from tests.chat.test_broadcast import _marketer, _report

    ann = await _opted_in(rig, 2001, "Ann", "en")
    mia = await _marketer(rig)
    await mia.send("/language")
    await mia.press("中文")
    await mia.send("/broadcast 周末双倍积分")
    await mia.press("不添加")
    await mia.press("所有已订阅会员")
    assert "语言版本：English — · 简体中文 ✓" in mia.last_text
    await mia.press("立即发送")
    await mia.press("✅ 确认")
    await _report(rig, (await Broadcast.get()).id)
    got = ann.told("周末双倍积分")
    assert len(got) == 1 and "Stop offers only: /stopoffers" in got[0].visible_text


# ---- 13. finding people ---------------------------------------------------------------------


async def _people(rig: Rig):
    li = rig.member(1001, "Li", "zh-hans")
    await li.send("/start")
    from models.store.tables import Member

    await Member.filter(telegram_id=1001).update(last_name="Wei", phone="+8613800138000")
    wang = rig.member(1002, "王小明", "zh-hans")
    await wang.send("/start")
    lina = rig.member(1003, "Lina")
    await lina.send("/start")
    return li, wang, lina


async def test_staff_find_a_member_by_part_of_a_name_and_open_the_profile(rig: Rig) -> None:
    from tests.chat.test_till import voucher_for

    li, *_ = await _people(rig)
    await rig.earn(li, 50000)
    await voucher_for(rig, li)
    cashier = await hire(rig, 2001, "Cara")
    await cashier.send("/member nobody")
    assert "No member found with that name" in cashier.last_text
    await cashier.send("/member li")  # Li Wei and Lina
    assert "Several members match" in cashier.last_text
    labels = [b["text"] for b in cashier.last_message.buttons]
    assert any(label.startswith("Li Wei") and "•••8000" in label for label in labels)
    assert any(label.startswith("Lina") for label in labels) and len(labels) == 2
    await cashier.press("Li Wei")
    profile = cashier.last_text
    assert "Li Wei" in profile and "400 points" in profile and "¥500.00" in profile
    assert "Free coffee" in profile  # the voucher they hold
    assert [b["text"] for b in cashier.last_message.buttons] == ["🧾 Record a purchase"]
    await cashier.send("/member wei li")  # every word, either name
    assert "Li Wei" in cashier.last_text and "Several" not in cashier.last_text
    await cashier.send("/checkout 小明")
    assert "王小明" in cashier.last_text and "How much" in cashier.last_text


async def test_admins_adjust_from_the_profile_in_chinese(rig: Rig) -> None:
    li, *_ = await _people(rig)
    await rig.earn(li, 10000)
    admin = rig.admin()
    await admin.send("/language")
    await admin.press("中文")
    await admin.send("/member 王")
    assert "王小明" in admin.last_text and "兑换券" in admin.last_text
    await admin.send("/member 38000")  # the end of a phone number
    assert "Li Wei" in admin.last_text
    await admin.press("✏️ 调整积分")
    assert "请发送 Li Wei 的积分变动和原因" in admin.last_text
    await admin.send("很多")
    assert "请发送" in admin.last_text  # still waiting
    await admin.send("+20 补偿")
    assert "100 → 120" in admin.last_text
    await admin.press("✅ 确认")
    assert "已调整：+20" in admin.last_text


async def test_campaign_announcements_say_how_to_stop_them_and_skip_staff(rig: Rig) -> None:
    from datetime import timedelta

    from models.marketing import reminders
    from models.store import clock
    from models.store.tables import Campaign, Member

    ann = await _opted_in(rig, 1001, "Ann", "en")
    li = await _opted_in(rig, 1002, "李", "zh-hans")
    cashier = await hire(rig, 2001, "Cara")
    await Member.filter(telegram_id=2001).update(marketing_opt_in=True)  # staff, not a member
    now = clock.now()
    await Campaign.create(
        names={"en": "Double Day", "zh-Hans": "双倍日"}, kind="multiplier", multiplier="2",
        starts_at=now - timedelta(minutes=1), ends_at=now + timedelta(days=1), created_at=now,
    )  # fmt: skip
    assert (await reminders.queue_campaign_alerts()).queued == 2  # not the cashier
    await rig.emu.settle()
    said = (await ann.wait_for_text("has started")).visible_text
    assert said.endswith("Stop offers only: /stopoffers (receipts and reminders keep coming).")
    said = (await li.wait_for_text("双倍日")).visible_text
    assert said.endswith("只停止优惠信息：/stopoffers（小票和提醒照常发送）。")
    assert not cashier.told("Double Day")


async def test_a_former_cashier_who_starts_again_is_a_member(rig: Rig) -> None:
    cashier = await hire(rig, 2005, "Cara")
    assert not (await rig.member_row(cashier)).enrolled
    admin = rig.admin()
    await admin.send("/staff")
    await admin.press("Revoke Cara")
    await admin.press("Confirm")
    await cashier.send("/balance")  # no role any more: the member welcome, and joined
    assert "Welcome to" in cashier.last_text
    assert (await rig.member_row(cashier)).enrolled
