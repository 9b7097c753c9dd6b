"""Sign-up never gets stuck: typed text at the phone step gets a hint and keeps the step and
its keys alive; a typed number is taken when valid (never to claim someone else's
membership); keys of an old welcome keyboard still work; text nobody waits for gets a
hint of what the person can do (issue 20, item 16; issue 22, item 12)."""

from __future__ import annotations

import pytest

from models.members import enrolment
from models.store.tables import Member
from tests.chat.conftest import Rig


@pytest.mark.parametrize(
    ("language", "hint", "skip", "asked"),
    [
        ("en", "type your number", "Skip for now", "offers"),
        ("zh-hans", "直接输入手机号", "暂时跳过", "优惠活动"),
    ],
)
async def test_typed_text_at_the_phone_step_gets_a_hint_and_the_keys_still_work(
    rig: Rig, language: str, hint: str, skip: str, asked: str
) -> None:
    ann = rig.member(2001, "Ann", language_code=language)
    await ann.send("/start")
    welcome_keys = ann.reply_keyboard
    for typed in ("/notacommand", "hello?", "what is this", "🙂", "12"):
        await ann.send(typed)
    assert hint in ann.last_text
    assert ann.reply_keyboard == welcome_keys  # the keys came back with the hint
    await ann.tap(skip)
    assert asked in ann.last_text  # joining went on: the consent question
    assert (await rig.member_row(ann)).phone is None


async def test_the_share_key_works_after_typed_text(rig: Rig) -> None:
    ben = rig.member(2002, "Ben")
    await ben.send("/start")
    await ben.send("why do you need my phone?")
    await ben.share_contact("+86 138 0000 2002")
    assert "Thanks" in ben.messages[-2].visible_text
    assert (await rig.member_row(ben)).phone == "+8613800002002"


@pytest.mark.parametrize("typed", ["138 0013 8002", "+86 138-0013-8002", "008613800138002"])
async def test_a_typed_valid_number_is_taken(rig: Rig, typed: str) -> None:
    cat = rig.member(2003, "Cat")
    await cat.send("/start")
    await cat.send(typed)
    assert "+8613800138002" in cat.messages[-2].visible_text
    assert "offers" in cat.last_text
    assert (await rig.member_row(cat)).phone == "+8613800138002"


async def test_a_typed_number_never_claims_an_enrolled_membership(rig: Rig) -> None:
    enrolled = await enrolment.enrol(
        external_id="shop-1", phone="+8613800138003", name="Dee", created_by="api:test"
    )
    assert isinstance(enrolled, enrolment.Enrolled)
    eve = rig.member(2004, "Eve")
    await eve.send("/start")
    await eve.send("13800138003")
    assert "Share my phone number" in eve.last_text  # only a shared contact may link it
    assert (await rig.member_row(eve)).phone is None
    dee = await Member.get(external_id="shop-1")
    assert dee.telegram_id is None and dee.phone == "+8613800138003"


async def test_keys_of_an_old_welcome_keyboard_still_work(rig: Rig) -> None:
    fay = rig.member(2005, "Fay")
    await fay.send("/start")
    await fay.send("/language")  # another step: the phone step is no longer awaited
    await fay.tap("Skip for now")
    assert "offers" in fay.last_text
    gus = rig.member(2006, "Gus")
    await gus.send("/start")
    await gus.send("/help")
    await gus.share_contact("+86 138 0000 2006")
    assert (await rig.member_row(gus)).phone == "+8613800002006"


async def test_text_nobody_waits_for_gets_a_hint_of_what_to_do(rig: Rig) -> None:
    hal = rig.member(2007, "Hal")
    await hal.send("/start")
    await hal.share_contact("+86 138 0000 2007")
    await hal.press("No, thanks")
    await hal.send("hello")
    assert "menu keys below" in hal.last_text and "don't know" not in hal.last_text
