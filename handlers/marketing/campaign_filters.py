"""The campaign wizard's category and SKU filters: typed values are checked against the
categories and SKUs the shop knows (the rules' multipliers and exclusions, categories seen
in purchases); an unknown one ("cofee") is said, with the known ones, and the step keeps
waiting unless the marketer keeps it as typed (a category not sold yet).
"""

from __future__ import annotations

import html

from telegram import Update

from handlers import flows
from handlers.callbacks import CallbackData
from handlers.context import JifenContext
from handlers.marketing import campaign_summary as summary
from handlers.marketing.common import HTML, keyboard, text_of
from handlers.registry import reply
from models.ledger import rule_versions
from models.marketing import campaigns


async def filter_menu(update: Update, context: JifenContext, data: CallbackData) -> None:
    draft = summary.current_draft(context)
    field = data.args[0] if data.args else ""
    if draft is None or field not in ("categories", "skus"):
        await summary.expired(update, context)
        return
    flows.await_input(context, "mkc-filter", field=field)
    await reply(update, context.t("marketing-campaign-ask-filter", field=field))


async def filter_typed(update: Update, context: JifenContext) -> None:
    draft, field = summary.current_draft(context), flows.awaited(context).get("field")
    if draft is None or field not in ("categories", "skus"):
        await summary.expired(update, context)
        return
    text = text_of(update)
    values = [] if text == "-" else [v.strip() for v in text.replace("，", ",").split(",")]
    values = [v for v in values if v]
    if len(values) > campaigns.MAX_FILTERS or any(len(v) > 64 for v in values):
        await reply(
            update, context.t("marketing-campaign-invalid", field="filters", reason="range")
        )
        return
    _, rules = await rule_versions.current()
    known_categories, known_skus = await campaigns.known_filters(rules.earning)
    known = known_skus if field == "skus" else known_categories
    unknown = campaigns.unknown_filters(values, known)
    if unknown:  # "cofee": said, with the known ones; still waiting (or keep it as typed)
        flows.await_input(context, "mkc-filter", field=field, typed=values)
        markup = keyboard(context, update, [(context.t("marketing-filter-keep"), "mkc-keep", ())])
        text = context.t(
            "marketing-filter-unknown",
            field=field,
            unknown=html.escape(", ".join(unknown)),
            known=html.escape(", ".join(known)) or "—",
        )
        await reply(update, text, reply_markup=markup, parse_mode=HTML)
        return
    draft[field] = _canonical(values, known)
    await summary.show(update, context)


def _canonical(values: list[str], known: list[str]) -> list[str]:
    """Typed values spelled as the rules spell them ("Coffee" for "coffee")."""
    spelled = {k.lower(): k for k in known}
    return [spelled.get(v.lower(), v) for v in values]


async def keep_filter(update: Update, context: JifenContext, _: CallbackData) -> None:
    """ "Keep as typed" after the unknown-value warning (a category not sold yet)."""
    draft, awaited = summary.current_draft(context), flows.awaited(context)
    field, typed = awaited.get("field"), awaited.get("typed")
    if draft is None or field not in ("categories", "skus") or not isinstance(typed, list):
        await summary.expired(update, context)
        return
    draft[field] = [str(v) for v in typed]
    await summary.show(update, context)


BUTTONS = {"mkc-filter": filter_menu, "mkc-keep": keep_filter}
INPUTS = {"mkc-filter": filter_typed}
