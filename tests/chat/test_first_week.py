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
    await cashier.send("/language")
    await cashier.press(OTHER[lang])
    assert cashier.reply_keyboard is None  # no member keyboard for staff
    await cashier.send("/language")
    await cashier.press(OTHER[{"en": "zh-Hans", "zh-Hans": "en"}[lang]])
    await cashier.send("/start")
    await cashier.press(t("member-staff-join"))
    await cashier.send("/help")
    assert t("core-help-section-member") in cashier.last_text and "/balance" in cashier.last_text
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
