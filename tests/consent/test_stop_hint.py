"""Every marketing message ends with how to stop marketing only, in both languages, and
that way does not stop receipts and reminders."""

from __future__ import annotations

import pytest

from locales import LANGUAGES, translator
from models.delivery import classes
from models.delivery.classes import MessageClass
from models.marketing.broadcasts import FOOTER_ROOM
from models.store.tables import OutboxMessage
from scheduler.render import Renderer

ARGS = {
    "name": "Double Days",
    "kind": "multiplier",
    "multiplier": "2",
    "bonus": 50,
    "until": "2025-06-01",
    "points": 100,
    "text": "Spring menu is here",
}
"""Every argument a marketing template takes (Fluent ignores the rest)."""


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("template", classes.templates_of(MessageClass.MARKETING))
def test_marketing_ends_with_how_to_stop_marketing_only(template: str, language: str) -> None:
    t = translator(language)
    footer = t("notice-marketing-footer")
    text = Renderer().render(OutboxMessage(template=template, args=ARGS, language=language)).text
    assert text.endswith("\n\n" + footer)
    assert "/stopoffers" in footer
    # the one stop it offers is marketing's: not the switch that also silences reminders
    assert t("member-profile-toggle-notifications").split(" ", 1)[1] not in text
    assert text.count("/stopoffers") == 1


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_footer_fits_the_room_broadcasts_keep_for_it(language: str) -> None:
    assert len("\n\n" + translator(language)("notice-marketing-footer")) <= FOOTER_ROOM


@pytest.mark.parametrize(
    "template", sorted(set(classes.TEMPLATES) - set(classes.templates_of(MessageClass.MARKETING)))
)
def test_other_messages_carry_no_marketing_footer(template: str) -> None:
    text = Renderer().render(OutboxMessage(template=template, args=ARGS, language="en")).text
    assert "/stopoffers" not in text
