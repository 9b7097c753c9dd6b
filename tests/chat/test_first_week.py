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
