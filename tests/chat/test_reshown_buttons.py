"""Typed text at a till Confirm: the buttons come again, and so does the formatting (the
amount in bold, never its markup as text), after a restart too, on both databases."""

from __future__ import annotations

import pytest

from bot.emulator import Player
from bot.emulator.markup import entities_to_html
from models.store.tables import Member, Purchase
from tests.chat.conftest import Rig
from tests.chat.test_till import card_of, hire


def _bold(message: object) -> list[str]:
    """The texts the emulator parsed as bold in a message."""
    text = message.text or ""  # type: ignore[attr-defined]
    units = text.encode("utf-16-le")
    return [
        units[2 * e["offset"] : 2 * (e["offset"] + e["length"])].decode("utf-16-le")
        for e in message.entities  # type: ignore[attr-defined]
        if e["type"] == "bold"
    ]


async def _at_confirm(rig: Rig, language: str) -> Player:
    cashier = await hire(rig, 2001, "Cara")
    await Member.filter(telegram_id=cashier.user_id).update(language=language)
    alice = rig.member(1001, "Alice")
    await alice.send("/start")
    await cashier.open_link(await card_of(rig, alice))
    await cashier.send("1280.50")
    await cashier.press("Skip" if language == "en" else "跳过")
    assert ("Record this purchase" if language == "en" else "确认记录") in cashier.last_text
    assert "¥1,280.50" in _bold(cashier.last_message)
    return cashier


@pytest.mark.parametrize("language", ["en", "zh-Hans"])
async def test_the_re_shown_confirm_keeps_its_bold_amount(rig_on_both: Rig, language: str) -> None:
    cashier = await _at_confirm(rig_on_both, language)
    for typed in ("yes", "ok then", "<b>hi</b>"):
        await cashier.send(typed)
        again = cashier.last_message
        assert "&lt;" not in again.visible_text and "<b>" not in again.visible_text, again
        assert "¥1,280.50" in _bold(again) and "+1,280" in _bold(again)
        assert "<b>¥1,280.50</b>" in entities_to_html(again.text, again.entities)
        await rig_on_both.restart()  # the step is read back from the store
    await cashier.press("Confirm" if language == "en" else "确认")
    assert await Purchase.all().count() == 1
