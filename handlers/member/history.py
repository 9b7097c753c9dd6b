"""``/history``: the journal a page at a time, each line explained, paged in place."""

from __future__ import annotations

import html

from telegram import Update

from handlers.callbacks import CallbackData
from handlers.context import JifenContext
from handlers.member.common import HTML, edit, local_moment, markup, pager, price, send, signed
from locales import localized
from models.ledger import history
from models.store.tables import EntryKind

PAGE_SIZE = 8


def render_line(context: JifenContext, line: history.HistoryLine) -> str:
    """One journal line in the member's language (kind → its own sentence)."""
    t, lang = context.t, context.lang
    common = {"date": local_moment(context, line.created_at), "points": signed(line.points)}
    reward = html.escape(localized(line.reward_names, lang)) if line.reward_names else ""
    if line.kind == EntryKind.EARN:
        how = history.how(line, lang)
        return t(
            "member-history-earn",
            amount=price(context, line.amount_minor or 0),
            receipt=line.receipt_code or "",
            how=html.escape(how) if how else "-",
            **common,
        )
    if line.kind == EntryKind.REDEEM:
        return t("member-history-redeem", reward=reward or "-", **common)
    if line.kind == EntryKind.EXPIRE:
        return t("member-history-expire", **common)
    if line.kind == EntryKind.ADJUST:
        return t("member-history-adjust", reason=html.escape(line.reason or "-"), **common)
    if line.kind == EntryKind.BONUS:
        return t("member-history-bonus", reason=history.bonus_kind(line.reason), **common)
    if line.kind == EntryKind.OPENING:
        return t("member-history-opening", source=html.escape(opening_source(line)), **common)
    if line.receipt_code:
        return t("member-history-refund", receipt=line.receipt_code, **common)
    return t("member-history-voided", reward=reward or "-", **common)


def opening_source(line: history.HistoryLine) -> str:
    """Where an opening balance came from: the import's file (or source) name."""
    source = (line.breakdown or {}).get("source") or (line.reason or "").removeprefix("import:")
    return str(source or "-")


async def _render(update: Update, context: JifenContext, number: int):
    assert context.member is not None
    result = await history.page(context.member.id, number, PAGE_SIZE)
    if not result.lines:
        return context.t("member-history-empty"), None
    body = "\n\n".join(render_line(context, line) for line in result.lines)
    text = context.t("member-history-title") + "\n\n" + body
    if result.pages > 1:
        text += "\n\n" + context.t("common-page", page=result.page + 1, pages=result.pages)
    return text, markup(pager(update, context, "mh", result.page, result.pages))


async def show(update: Update, context: JifenContext) -> None:
    text, keyboard = await _render(update, context, 0)
    await send(update, text, parse_mode=HTML, reply_markup=keyboard)


async def on_page(update: Update, context: JifenContext, data: CallbackData) -> None:
    text, keyboard = await _render(update, context, data.int_arg(0) or 0)
    await edit(update, text, keyboard)
