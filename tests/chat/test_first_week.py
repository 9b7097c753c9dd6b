"""The merchant's first week (issue 22): what staff, marketers and admins meet after the
first hour, in both languages; the unhappy path first."""

from __future__ import annotations

import pytest

from locales import translator
from models.store.tables import Member
from tests.chat.conftest import Rig
from tests.chat.test_till import hire

LANGS = pytest.mark.parametrize("lang", ["en", "zh-Hans"])
OTHER = {"en": "简体中文", "zh-Hans": "English"}


# ------------------------------------------------------------- 7. staff are not members


@LANGS
async def test_staff_who_have_not_joined_see_no_member_parts(rig: Rig, lang: str) -> None:
    t = translator(lang)
    ann = rig.member(1001, "Ann", lang)
    await ann.send("/start")
    await ann.send("/invite")
    url = next(w for w in (ann.last_message.caption or "").split() if "?start=r-" in w)
    cashier = await hire(rig, 2001, "Cara", "staff", language=lang)
    await cashier.open_link(url)  # a customer's invite QR, scanned by mistake
    assert cashier.last_text == t("marketing-invite-staff")
    cara = await rig.member_row(cashier)
    assert cara.referred_by_id is None and not cara.referral_bonus_points  # type: ignore[attr-defined]
    await cashier.send("/help")
    assert t("core-help-section-member") not in cashier.last_text
    assert "/balance" not in cashier.last_text and "/checkout" in cashier.last_text
    assert "checkout" in cashier.commands and "balance" not in cashier.commands  # the menu too
    await cashier.send("/language")
    await cashier.press(OTHER[lang])
    assert cashier.reply_keyboard is None  # no member keyboard for staff
    await cashier.send("/language")
    await cashier.press(OTHER[{"en": "zh-Hans", "zh-Hans": "en"}[lang]])
    await cashier.send("/start")
    await cashier.press(t("member-staff-join"))
    await cashier.send("/help")
    assert t("core-help-section-member") in cashier.last_text and "/balance" in cashier.last_text
    assert {"checkout", "balance", "card"} <= set(cashier.commands)  # joined: the member's too
    await cashier.send("/language")
    await cashier.press(OTHER[lang])
    assert cashier.reply_keyboard  # a member now: the member keyboard
    assert (await Member.get(telegram_id=2001)).referred_by_id is None  # type: ignore[attr-defined]


# ------------------------------------------------------------- 8. /adjust by name


@LANGS
async def test_adjust_takes_a_name_like_member_does(rig: Rig, lang: str) -> None:
    t = translator(lang)
    admin = rig.admin(language_code=lang)
    for user_id, first in ((1101, "Wei Li"), (1102, "Na Li"), (1103, "Bo Chen")):
        person = rig.member(user_id, first, lang)
        await person.send("/start")
        await rig.earn(person, 10000)
    await admin.send("/adjust Nobody +5 goodwill")
    assert admin.last_text == t("till-member-not-found")
    await admin.send("/adjust Li goodwill")  # no points: the usage, which names names
    assert admin.last_text == t("till-adjust-usage")
    await admin.send("/adjust Li +5 first try")
    first_choice = admin.last_message
    await admin.send("/adjust Li +7 for the wait")
    assert admin.last_text == t("till-find-choose")
    assert sorted(b.text.split(" ")[0] for b in admin.buttons(stale=False)[-2:]) == ["Na", "Wei"]
    await admin.press("Wei", message=first_choice)  # the older choice: its reason is gone
    assert admin.told(t("common-button-expired")) or admin.last_toast
    await admin.press("Wei")
    assert "for the wait" in admin.last_text and "+7" in admin.last_text
    await admin.press(t("common-confirm"))
    assert (await Member.get(telegram_id=1101)).balance == 100 + 7
    await admin.send("/adjust Bo Chen -10 typo")  # one match (two words): straight to Confirm
    assert "100 → 90" in admin.last_text
    await admin.press(t("common-confirm"))
    assert (await Member.get(telegram_id=1103)).balance == 90


# ------------------------------------------------------------- 8. a campaign's audience


async def _campaign_for_everyone() -> int:
    from datetime import timedelta
    from decimal import Decimal

    from models.marketing import campaigns
    from models.store import clock
    from models.store.tables import CampaignKind

    now = clock.now()
    draft = campaigns.CampaignDraft(
        names={"en": "Gold Week", "zh-Hans": "金卡周"},
        kind=CampaignKind.MULTIPLIER,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=7),
        multiplier=Decimal(2),
    )
    created = await campaigns.create(draft, actor_telegram_id=None)
    assert isinstance(created, campaigns.CampaignCreated)
    return created.campaign_id


async def _marketer(rig: Rig, lang: str, user_id: int = 3001):
    from models.access import staff
    from models.store.tables import Role

    mia = rig.member(user_id, "Mia", lang)
    await mia.send("/start")
    await staff.grant_role(user_id, Role.MARKETER, granted_by=None)
    return mia


@LANGS
async def test_editing_a_campaign_shows_and_changes_its_audience(rig: Rig, lang: str) -> None:
    from models.store.tables import AuditLog, Campaign, CampaignMember

    t = translator(lang)
    gold = {"en": "Gold", "zh-Hans": "金卡"}[lang]
    campaign_id = await _campaign_for_everyone()
    mia = await _marketer(rig, lang)
    await mia.send("/campaign")
    await mia.press(t("marketing-campaign-list"))
    assert t("offers-audience-everyone") in mia.last_text  # the list shows each audience
    await mia.press(t("marketing-campaign-edit", id=campaign_id))
    assert t("offers-audience-everyone") in mia.last_text  # and so does the edit
    await mia.press(t("offers-audience-button"))
    await mia.press(t("offers-audience-kind", kind="tier"))
    await mia.press(gold)
    await mia.press(t("marketing-done"))
    assert gold in mia.last_text and "gold" not in mia.last_text  # nobody is gold: refused
    ann = rig.member(1001, "Ann", lang)
    await ann.send("/start")
    await Member.filter(telegram_id=1001).update(tier="gold")
    await mia.press(t("marketing-done"))
    await mia.press("0%")
    assert gold in mia.last_text and "gold" not in mia.last_text  # the tier by its name
    assert (await Campaign.get(id=campaign_id)).audience is None  # nothing before Confirm
    await mia.press(t("common-confirm"))
    row = await Campaign.get(id=campaign_id)
    assert row.audience is not None and row.audience["tiers"] == ["gold"]
    assert await AuditLog.filter(action="campaign.edit").count() == 1
    await mia.send("/campaign")
    await mia.press(t("marketing-campaign-list"))
    assert gold in mia.last_text and t("offers-audience-everyone") not in mia.last_text
    await mia.press(t("marketing-campaign-edit", id=campaign_id))
    await mia.press(t("offers-audience-button"))
    await mia.press(t("offers-audience-kind", kind="all"))
    await mia.press(t("common-confirm"))
    assert (await Campaign.get(id=campaign_id)).audience is None  # back to everyone
    assert not await CampaignMember.filter(campaign_id=campaign_id).exists()


# ------------------------------------------------------------- 9. the audience step


@LANGS
async def test_audience_choices_show_counts_and_refuse_nobody_at_once(rig: Rig, lang: str) -> None:
    from models.store.tables import Campaign

    t = translator(lang)
    ann, bo = rig.member(1001, "Ann", lang), rig.member(1002, "Bo", lang)
    await ann.send("/start")
    await ann.share_contact("+86 138 0013 8000")
    await bo.send("/start")
    bo_code = (await rig.member_row(bo)).code
    mia = await _marketer(rig, lang)
    await mia.send("/campaign")
    await mia.press(t("marketing-campaign-new"))
    await mia.send("Week")
    await mia.press(t("marketing-same-name-as", language=lang))
    await mia.press(t("marketing-campaign-kind-multiplier"))
    await mia.send("2")
    await mia.press(t("marketing-preset-week"))
    await mia.press(t("offers-audience-button"))
    await mia.press(t("offers-audience-kind", kind="at_risk"))
    days30 = t("offers-audience-choice-count", label=t("offers-audience-days", days=30), count=0)
    await mia.press(days30)  # nobody bought, so nobody is at risk: refused at once
    assert mia.last_text.startswith(t("offers-audience-empty-now", rule="")[:6])
    assert "30" in mia.last_text
    await mia.press(t("offers-audience-button"))
    await mia.press(t("offers-audience-kind", kind="members"))
    example = mia.last_text
    assert "M-" in example and "K7QM4PXD" not in example  # a code as the bot makes them
    await mia.send("138 0013 8000\n" + bo_code.lower() + ", ??, 139 0000 0000")
    said = [m.visible_text for m in mia.messages[-3:]]
    assert any("??" in s for s in said)  # what could not be read is listed back
    assert any("139 0000 0000" in s for s in said)  # a phone nobody has, too
    await mia.press(t("offers-audience-mode", mode="snapshot"))
    await mia.press("0%")
    await mia.press(t("common-confirm"))
    row = await Campaign.get()
    ann_code = (await rig.member_row(ann)).code
    assert row.audience is not None and sorted(row.audience["codes"]) == sorted([ann_code, bo_code])


# ------------------------------------------------------------- 11. the campaign wizard


@LANGS
async def test_wizard_asks_the_marketers_language_first_with_this_years_examples(
    rig: Rig, lang: str
) -> None:
    from datetime import UTC, datetime

    from models.store import clock
    from models.store.tables import Campaign

    t = translator(lang)
    first, second = ("en", "zh-Hans") if lang == "en" else ("zh-Hans", "en")
    clock.freeze(datetime(2031, 6, 2, 2, 0, tzinfo=UTC))  # the store's year, not the wall's
    ann = rig.member(1001, "Ann", lang)
    await ann.send("/start")
    mia = await _marketer(rig, lang)
    await mia.send("/campaign")
    await mia.press(t("marketing-campaign-new"))
    assert mia.last_text == t("marketing-campaign-ask-name-first", language=first)
    await mia.send("x" * 65)  # too long: asked again
    assert "64" in mia.last_text
    await mia.send("Summer")
    assert mia.last_text == t("marketing-campaign-ask-name-second", language=second)
    await mia.press(t("marketing-same-name-as", language=first))
    await mia.press(t("marketing-campaign-kind-multiplier"))
    await mia.send("2")
    await mia.press(t("marketing-preset-typed"))
    assert "2031-06-" in mia.last_text and "2025" not in mia.last_text
    await mia.send("someday")
    assert "2031-06-" in mia.last_text  # the refusal's example too
    await mia.send("2031-06-10..2031-06-12")
    await mia.press(t("offers-audience-button"))
    await mia.press(t("offers-audience-kind", kind="members"))
    await mia.send((await rig.member_row(ann)).code)
    await mia.press(t("offers-audience-mode", mode="snapshot"))
    await mia.press("0%")
    if lang == "en":
        assert "a list of 1 member " in mia.last_text and "1 member now" in mia.last_text
    else:
        assert "1 位会员的名单" in mia.last_text
    await mia.press(t("common-confirm"))
    row = await Campaign.get()
    assert row.names == {"en": "Summer", "zh-Hans": "Summer"}


@LANGS
async def test_broadcast_preview_shows_each_language_version(rig: Rig, lang: str) -> None:
    from tests.chat.test_broadcast import _marketer as broadcaster

    t = translator(lang)
    mia = await broadcaster(rig)
    await mia.send("/language")
    await mia.press(OTHER["zh-Hans" if lang == "en" else "en"])
    await mia.send("/broadcast Half price today")
    await mia.press(t("broadcast-no-button"))
    await mia.press(t("broadcast-audience-all"))
    await mia.press(t("broadcast-version-button", lang="zh-Hans"))
    await mia.send("今天半价")
    await mia.press(t("broadcast-preview-button"))
    texts = [m.visible_text for m in mia.messages]
    english = t("broadcast-preview-version", language=t("broadcast-language-en"))
    chinese = t("broadcast-preview-version", language=t("broadcast-language-zh-hans"))
    assert english in texts and chinese in texts
    after_en, after_zh = texts[texts.index(english) + 1], texts[texts.index(chinese) + 1]
    assert after_en.startswith("Half price today") and after_zh.startswith("今天半价")


@LANGS
async def test_a_campaign_minutes_old_is_too_early_to_compare(rig: Rig, lang: str) -> None:
    from models.ledger.targeting import Audience, AudienceKind
    from models.marketing import audiences, offers
    from models.store import clock

    t = translator(lang)
    ann = rig.member(1001, "Ann", lang)
    await ann.send("/start")
    campaign_id = await _campaign_for_everyone()
    code = (await rig.member_row(ann)).code
    from models.store.tables import Campaign

    row = await Campaign.get(id=campaign_id)
    rule = Audience(AudienceKind.MEMBERS, codes=(code,), control_percent=50)
    edited = await audiences.edit_campaign(
        campaign_id, _draft_of(row), rule, tier_keys=[], actor_telegram_id=None
    )
    assert edited is not None
    [lift] = await offers.targeted_reports(clock.now().replace(year=2000), clock.now())
    assert not lift.comparable  # an hour old, one member
    [(key, args)] = offers.lift_lines([lift], currency=rig.settings.currency, language=lang)
    assert args["early"] == "yes"
    text = t(key, **args)
    assert ("too early to compare" if lang == "en" else "时间太短") in text and "%" not in (
        text.split("\n")[2].split("·")[-1]
    )


def _draft_of(row):
    from models.marketing import campaigns

    return campaigns.CampaignDraft(
        names=row.names,
        kind=row.kind,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        multiplier=__import__("decimal").Decimal(row.multiplier),
    )


# ------------------------------------------------------------- 12. staff notices and names


@LANGS
async def test_the_inviter_is_told_and_a_revoked_person_too(rig: Rig, lang: str) -> None:
    from models.store.tables import OutboxMessage

    t = translator(lang)
    admin = rig.admin(language_code=lang)
    await admin.send("/start")
    await admin.send("/staff")
    assert "9001" not in admin.last_text  # names, not raw ids
    cashier = await hire(rig, 2001, "Cara", "staff", "north", language=lang)
    told = await admin.wait_for_text("Cara")
    assert told.visible_text == t(
        "till-invite-used-admin", name="Cara", role="staff", location=" · north"
    )
    # a second opener of the same QR is refused and the admin is not told again
    late = rig.person(2002, "Late", lang)
    await late.scan(admin.last_photo_bytes())
    assert await OutboxMessage.filter(template="till-invite-used-admin").count() == 1
    await admin.send("/staff")
    assert "Cara" in admin.last_text and "2001" not in admin.last_text
    await admin.press(t("till-staff-revoke", name="Cara"))
    await admin.press(t("common-confirm"))
    ended = await cashier.wait_for_text(t("till-role-ended", role="staff")[:8])
    assert ended.visible_text == t("till-role-ended", role="staff")
    await admin.send("/staff")  # revoking again: nobody to revoke, nobody told twice
    assert "Cara" not in admin.last_text
    assert await OutboxMessage.filter(template="till-role-ended").count() == 1


@LANGS
async def test_history_shows_the_time_and_where_an_opening_balance_came_from(
    rig: Rig, lang: str, tmp_path
) -> None:
    from datetime import UTC, datetime

    from models.store import clock
    from tests.chat.test_enrolment import _import

    clock.freeze(datetime(2026, 3, 2, 6, 5, tzinfo=UTC))  # 14:05 in the shop (Asia/Shanghai)
    await _import(rig, tmp_path, f"OLD-7,138 0013 8000,Wang,{lang},,,12345,,2019-05-01")
    wang = rig.member(3001, "Wang", lang)
    await wang.send("/start")
    await wang.share_contact("+86 138 0013 8000")
    await rig.earn(wang, 100000)
    await wang.send("/history")
    text = (await wang.wait_for_text("old.csv")).visible_text  # the receipt may come after
    assert "2026-03-02 14:05" in text and "2026-03-02 06:05" not in text  # the shop's time
    assert "old.csv" in text  # the import file the balance came from
    assert "+12,345" in text and "¥1,000.00" in text  # thousands separators


# ------------------------------------------------------------- 10. /rules


@LANGS
async def test_rules_name_the_unreadable_part_and_preview_the_category_changed(
    rig: Rig, lang: str
) -> None:
    import re

    from models.ledger import rule_versions
    from models.store.tables import RuleVersion

    t = translator(lang)
    ada = rig.admin(language_code=lang)
    await ada.send("/start")
    await ada.send("/rules")
    before = await RuleVersion.all().count()
    await ada.press(t("rules-field-catm"))
    await ada.send("coffee=1.5, tea=abc")
    assert "tea=abc" in ada.last_text and "coffee=1.5" not in ada.last_text
    await ada.send("coffee=1.5, tea=-2")
    assert "(tea)" in ada.last_text  # a value out of range names its category
    assert await RuleVersion.all().count() == before
    await ada.send("coffee=1.5, tea=2")
    preview = ada.last_text
    assert "tea" in preview and "¥128.50" in preview  # a purchase in the category changed
    found = re.findall(r"([\d,]+) ?(?:points|积分)", preview)[-2:]
    now, after = (int(n.replace(",", "")) for n in found)
    await ada.press(t("common-confirm"))
    gold = rig.member(1101, "Gus", lang)
    await gold.send("/start")
    await Member.filter(telegram_id=1101).update(tier="gold")
    earned = await rig.earn(gold, 12850, category="tea")  # the till's own computation
    assert earned.points == after and after == 2 * now

    await ada.send("/rules")
    silver = {"en": "Silver", "zh-Hans": "银卡"}[lang]
    await ada.press(t("rules-field-tm", tier=silver))
    await ada.send("1.5")
    assert silver in ada.last_text.split("\n")[2]  # by a member of the tier changed
    _version, rules = await rule_versions.current()
    assert rules.earning.category_multipliers["tea"] == 2
