"""Small helpers every member screen shares: buttons, dates, tiers, editing in place."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.keyboards import inline_keyboard
from handlers.context import JifenContext
from locales import money
from models.ledger import tiers
from models.ledger.config import RuleSet

HTML = ParseMode.HTML
LANGUAGE_NAMES = {"en": "English", "zh-Hans": "简体中文"}
"""Each language named in itself, for the language buttons."""


def user_id(update: Update) -> int:
    assert update.effective_user is not None
    return update.effective_user.id


def button(update: Update, context: JifenContext, label: str, action: str, *args: object):
    """An inline button whose signed callback data is bound to the person who sees it."""
    return InlineKeyboardButton(
        label, callback_data=context.codec.encode(user_id(update), action, *args)
    )


def markup(*rows: list[InlineKeyboardButton]) -> InlineKeyboardMarkup | None:
    """The non-empty rows as a keyboard; None when none is left (a one-page list's pager)."""
    return inline_keyboard(rows)


def pager(
    update: Update, context: JifenContext, action: str, page: int, pages: int
) -> list[InlineKeyboardButton]:
    """◀️ ▶️ for a paged list (empty when everything fits on one page)."""
    row = []
    if page > 0:
        row.append(button(update, context, context.t("common-back"), action, page - 1))
    if page + 1 < pages:
        row.append(button(update, context, context.t("common-next"), action, page + 1))
    return row


def local_date(context: JifenContext, at: datetime) -> str:
    """A date in the shop's time zone, ``2025-03-31`` (the same in both languages)."""
    return at.astimezone(ZoneInfo(context.settings.scheduler.timezone)).strftime("%Y-%m-%d")


def local_moment(context: JifenContext, at: datetime) -> str:
    """A date and time in the shop's time zone, ``2025-03-31 14:05`` (both languages)."""
    return at.astimezone(ZoneInfo(context.settings.scheduler.timezone)).strftime("%Y-%m-%d %H:%M")


def tier_label(rules: RuleSet, key: str, language: str) -> str:
    return tiers.tier_name(tiers.level(rules.tiers, key), language)


def price(context: JifenContext, amount_minor: int) -> str:
    currency = context.settings.rules.currency
    return money(amount_minor, currency.symbol, currency.exponent)


def signed(points: int) -> str:
    """Points with their sign always shown ("+300", "−5,000"), grouped as Fluent groups."""
    return f"+{points:,}" if points > 0 else f"−{abs(points):,}"


async def edit(update: Update, text: str, reply_markup: InlineKeyboardMarkup | None = None) -> None:
    """Replace the pressed message's text (or caption) in place and answer the press."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    message = query.message
    try:
        if message is not None and getattr(message, "photo", None):
            await query.edit_message_caption(text, reply_markup=reply_markup, parse_mode=HTML)
        else:
            await query.edit_message_text(text, reply_markup=reply_markup, parse_mode=HTML)
    except BadRequest as exc:  # "message is not modified": a repeated press
        if "not modified" not in str(exc):
            raise


async def toast(update: Update, text: str, alert: bool = False) -> None:
    assert update.callback_query is not None
    await update.callback_query.answer(text, show_alert=alert)


async def send(update: Update, text: str, **kwargs: Any) -> None:
    """A new message in this chat (a button press must be answered separately, once)."""
    assert update.effective_chat is not None
    await update.effective_chat.send_message(text, **kwargs)
