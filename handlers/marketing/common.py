"""Small pieces the marketer screens share: signed buttons, number parsing, local times."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.keyboards import inline_keyboard
from handlers.context import JifenContext
from models.store import clock

HTML = "HTML"
MAX_NUMBER = 10**12

Row = Sequence[tuple[str, str, Sequence[object]]]
"""A keyboard row: (label, action, args) per button."""


def keyboard(context: JifenContext, update: Update, *rows: Row) -> InlineKeyboardMarkup | None:
    """Inline buttons whose callback data is signed for the person who sees them (None when
    every row is empty)."""
    user = update.effective_user
    assert user is not None
    return inline_keyboard(
        [
            [
                InlineKeyboardButton(label, callback_data=context.codec.encode(user.id, a, *args))
                for label, a, args in row
            ]
            for row in rows
            if row
        ]
    )


def text_of(update: Update) -> str:
    message = update.effective_message
    return (message.text or "").strip() if message is not None else ""


def parse_count(text: str) -> int | None:
    """A whole number as people type it (``1,000``, ``1 000``); None if it is not one."""
    cleaned = text.replace(",", "").replace(" ", "").replace("_", "")
    if cleaned.startswith("-") and cleaned[1:].isdigit():
        return -int(cleaned[1:]) if len(cleaned) < 16 else None
    if not cleaned.isdigit() or len(cleaned) > 15:
        return None
    return int(cleaned)


def zone(context: JifenContext) -> ZoneInfo:
    return ZoneInfo(context.settings.scheduler.timezone)


def local(context: JifenContext, at: datetime) -> str:
    return at.astimezone(zone(context)).strftime("%Y-%m-%d %H:%M")


def date_examples(context: JifenContext) -> dict[str, str]:
    """Example dates for the prompts, from the store's clock (this year, days ahead):
    ``example`` a start, ``window`` a three-day window."""
    day = (clock.now().astimezone(zone(context)) + timedelta(days=5)).date()
    last = day + timedelta(days=2)
    return {"example": f"{day.isoformat()} 10:00", "window": f"{day}..{last}"}


async def answer(update: Update) -> None:
    """Acknowledge a button press (so the client stops its spinner)."""
    if update.callback_query is not None:
        await update.callback_query.answer()
