"""One helper builds every inline keyboard, so no code path sends an empty one (`{}`)."""

from __future__ import annotations

from telegram import InlineKeyboardButton

from bot.keyboards import inline_keyboard
from scheduler.render import Renderer

OK = InlineKeyboardButton("OK", callback_data="ok")


def test_no_rows_and_only_empty_rows_mean_no_keyboard() -> None:
    assert inline_keyboard([]) is None
    assert inline_keyboard([[], []]) is None


def test_empty_rows_are_left_out() -> None:
    keyboard = inline_keyboard([[], [OK], []])
    assert keyboard is not None
    assert keyboard.to_dict() == {"inline_keyboard": [[OK.to_dict()]]}


def test_outbox_rows_with_empty_button_rows_send_no_keyboard() -> None:
    t = Renderer().t("en")
    assert Renderer.keyboard(None, t) is None
    assert Renderer.keyboard([[]], t) is None
    link = Renderer.keyboard([[], [{"text": "Site", "url": "https://example.org"}]], t)
    assert link is not None and len(link.inline_keyboard) == 1
