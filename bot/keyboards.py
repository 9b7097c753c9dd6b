"""Inline keyboards as Telegram should receive them: only rows that have buttons, and no
keyboard at all when none is left.

PTB serializes `InlineKeyboardMarkup([])` as `{}`. Telegram takes that as "no keyboard", but an
empty markup always means the bot built a keyboard it did not mean to (a one-page list's pager),
and the emulator counts it as a repair that fails the chat tests. Every handler and the outbox
renderer build their inline keyboards here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

__all__ = ["inline_keyboard"]


def inline_keyboard(
    rows: Iterable[Sequence[InlineKeyboardButton]],
) -> InlineKeyboardMarkup | None:
    """The keyboard of the non-empty `rows`, or None when there is no button to show."""
    kept = [list(row) for row in rows if row]
    return InlineKeyboardMarkup(kept) if kept else None
