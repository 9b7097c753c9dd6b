"""In the chat: every way of joining asks the consent question once, the same way; the
last line of an offer stops offers only, and /profile turns them on again."""

from __future__ import annotations

from datetime import timedelta

import pytest

from locales import translator
from models.delivery import outbox
from models.marketing import reminders
from models.members import enrolment
from models.store import clock
from models.store.tables import OutboxMessage, OutboxStatus
from tests.chat.conftest import Rig
from tests.consent.helpers import double_days

LANGUAGES = {"en": "en", "zh-Hans": "zh-hans"}  # locale → Telegram's language_code


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_join_link_asks_the_consent_question_once(rig: Rig, language: str) -> None:
    t = translator(language)
    enrolled = await enrolment.enrol(
        external_id="shop-77",
        phone="+8613800138077",
        name="Zhao",
        language=language,
        created_by="api:test",
    )
    assert isinstance(enrolled, enrolment.Enrolled) and enrolled.join_token
    zhao = rig.member(3101, "Zhao", language_code=LANGUAGES[language])
    await zhao.send(f"/start j-{enrolled.join_token}")
    assert t("member-consent-ask") in zhao.last_text  # the phone is on file: consent next
    await zhao.press(t("member-consent-no"))
    assert t("member-consent-declined") in zhao.messages[-2].visible_text
    await zhao.send("/start")
    assert t("member-menu-shown") in zhao.last_text  # answered once: not asked again
    row = await rig.member_row(zhao)
    assert row.marketing_opt_in is False and row.marketing_consent_at is not None


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_phone_path_asks_it_the_same_way_once(rig: Rig, language: str) -> None:
    t = translator(language)
    wu = rig.member(3102, "Wu", language_code=LANGUAGES[language])
    await wu.send("/start")
    await wu.share_contact("+8613800138078")
    assert t("member-consent-ask") in wu.last_text
    await wu.press(t("member-consent-yes"))
    await wu.send("/start")
    assert t("member-menu-shown") in wu.last_text
    assert (await rig.member_row(wu)).marketing_opt_in is True


async def _joined_with_consent(rig: Rig, user_id: int, language: str):
    t = translator(language)
    player = rig.member(user_id, "Fan", language_code=LANGUAGES[language])
    await player.send("/start")
    await player.tap(t("member-skip-phone"))
    await player.press(t("member-consent-yes"))
    return player


@pytest.mark.parametrize("language", LANGUAGES)
async def test_stop_offers_stops_offers_only(rig: Rig, language: str) -> None:
    t = translator(language)
    fan = await _joined_with_consent(rig, 3103, language)
    now = clock.now()
    await double_days(now)
    assert (await reminders.queue_campaign_alerts()).queued == 1
    announced = await fan.wait_for_text("/stopoffers")
    assert announced.visible_text.endswith(t("notice-marketing-footer"))
    row = await rig.member_row(fan)
    later = await outbox.enqueue(  # an offer queued for tomorrow is withdrawn by the stop
        chat_id=fan.user_id,
        template="broadcast-text",
        args={"text": "Tomorrow only"},
        member=row,
        not_before=now + timedelta(days=1),
    )
    assert later is not None

    await fan.send("/stopoffers")
    assert t("member-offers-stopped") in fan.last_text
    row = await rig.member_row(fan)
    assert row.marketing_opt_in is False and row.notifications_enabled is True
    assert (await OutboxMessage.get(id=later.id)).status == OutboxStatus.CANCELLED
    await rig.earn(fan, 12850)  # receipts keep coming
    assert await fan.wait_for_text("128")

    await fan.send("/profile")  # and offers can be turned on again
    await fan.press(t("member-profile-toggle-marketing"))
    assert (await rig.member_row(fan)).marketing_opt_in is True
