"""The campaign wizard's draft and its summary: what the marketer reviews before Confirm.

Every step of the wizard (:mod:`handlers.marketing.campaigns`, the audience step in
:mod:`handlers.marketing.audience`, the filters in :mod:`handlers.marketing.campaign_filters`)
reads the draft here and returns to :func:`show_summary` when it is done; this module
imports none of them, so the steps depend on the summary and never on each other.
"""

from __future__ import annotations

import contextlib
import html
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from telegram import Update
from telegram.error import BadRequest

from handlers import flows
from handlers.context import JifenContext
from handlers.marketing.common import local
from handlers.registry import reply
from locales import localized
from models.ledger import rule_versions, tiers
from models.ledger.config import TierLevel
from models.ledger.targeting import Audience, AudienceKind
from models.marketing.campaigns import CampaignDraft
from models.marketing.segments import SEGMENT_KEYS, Segment
from models.store.tables import Campaign, CampaignKind

DRAFT = KIND = "mk-campaign"


def current_draft(context: JifenContext) -> dict[str, Any] | None:
    return flows.draft(context, DRAFT)


async def expired(update: Update, context: JifenContext) -> None:
    flows.stop(context)
    await reply(update, context.t("common-button-expired"))


def build(draft: dict[str, Any]) -> CampaignDraft:
    is_bonus = draft["kind"] == CampaignKind.BONUS.value
    return CampaignDraft(
        names=draft["names"],
        kind=CampaignKind(draft["kind"]),
        starts_at=datetime.fromisoformat(draft["starts"]),
        ends_at=datetime.fromisoformat(draft["ends"]),
        multiplier=Decimal(draft.get("multiplier", "1")),
        bonus_points=int(draft.get("bonus", 0)) if is_bonus else 0,
        weekdays=tuple(draft["weekdays"]),
        hours=tuple(draft["hours"]),
        categories=tuple(draft["categories"]),
        skus=tuple(draft["skus"]),
        tiers=tuple(draft["tiers"]),
        announce=bool(draft["announce"]),
    )


def weekday_names(context: JifenContext, days: list[int]) -> str:
    return ", ".join(context.t("marketing-weekday", day=d) for d in sorted(days))


async def tier_levels() -> tuple[TierLevel, ...]:
    """The tiers in force, whose names (per language) audience summaries show."""
    return tuple((await rule_versions.current())[1].tiers.levels)


def tier_names(context: JifenContext, keys: Sequence[str], levels: Sequence[TierLevel]) -> str:
    """Tier keys as the reader calls them (a key no tier has any more is shown as is)."""
    named = {lvl.key: tiers.tier_name(lvl, context.lang) for lvl in levels}
    return ", ".join(named.get(key, key) for key in keys)


def describe(
    context: JifenContext, row: Campaign | CampaignDraft, levels: Sequence[TierLevel] = ()
) -> str:
    """One campaign (saved or draft) as the marketer reads it."""
    everything = context.t("marketing-all")
    hours = list(row.hours)
    return context.t(
        "marketing-campaign-summary",
        name=html.escape(localized(dict(row.names), context.lang)),
        kind=str(row.kind),
        multiplier=str(row.multiplier),
        bonus=row.bonus_points,
        start=local(context, row.starts_at),
        end=local(context, row.ends_at),
        weekdays=weekday_names(context, list(row.weekdays)) or everything,
        hours=f"{hours[0]:02d}:00–{hours[1]:02d}:00" if len(hours) == 2 else everything,
        categories=html.escape(", ".join(row.categories)) or everything,
        skus=html.escape(", ".join(row.skus)) or everything,
        tiers=html.escape(tier_names(context, list(row.tiers), levels)) or everything,
        announce="yes" if row.announce else "no",
    )


async def show(update: Update, context: JifenContext) -> None:
    """The draft with its option buttons and Confirm; an older summary loses its buttons
    (only the newest one is live)."""
    await retire(update, context)
    flows.stop(context)
    draft = current_draft(context)
    if draft is None:
        await expired(update, context)
        return
    draft["reviewing"] = True
    t = context.t
    options = (
        [
            (t("marketing-opt-name"), "mkc-rename", ()),
            (t("marketing-opt-window"), "mkc-rewin", ()),
            (t("marketing-opt-amount"), "mkc-reamt", ()),
        ],
        [(t("marketing-opt-weekdays"), "mkc-days", ()), (t("marketing-opt-hours"), "mkc-hrs", ())],
        [
            (t("marketing-opt-categories"), "mkc-filter", ("categories",)),
            (t("marketing-opt-skus"), "mkc-filter", ("skus",)),
        ],
        [
            (t("marketing-opt-tiers"), "mkc-tiers", ()),
            (t("marketing-opt-announce", on="yes" if draft["announce"] else "no"), "mkc-ann", ()),
        ],
    )
    levels = await tier_levels()
    summary = describe(context, build(draft), levels)
    key = "marketing-campaign-review-edit" if draft.get("edit_id") else "marketing-campaign-review"
    options += (button_row(context),)
    summary += "\n" + summary_line(context, draft, levels)
    text = t(key, summary=summary, id=draft.get("edit_id") or 0)
    await flows.ask_confirm(update, context, KIND, draft, text, extra=options)
    step = flows.awaited_buttons(context)
    draft["shown"] = step["message"] if step else None


async def retire(update: Update, context: JifenContext) -> None:
    """Take the buttons off the summary shown before and off the pressed menu, so no
    message that is no longer live looks it."""
    chat, draft, query = update.effective_chat, current_draft(context), update.callback_query
    stale = {draft.get("shown")} if draft is not None else set()
    if query is not None and query.message is not None:
        stale.add(query.message.message_id)
    for message_id in stale - {None}:
        assert chat is not None and message_id is not None
        with contextlib.suppress(BadRequest):  # already without buttons, or too old
            await context.bot.edit_message_reply_markup(chat.id, message_id, reply_markup=None)


def summary_line(context: JifenContext, draft: dict[str, Any], levels: Sequence[TierLevel]) -> str:
    """The audience line of the wizard's summary: the rule, snapshot/live, control, size."""
    return audience_line(context, draft.get("audience"), draft.get("audience_size"), levels)


def audience_line(
    context: JifenContext,
    data: dict[str, Any] | None,
    size: int | None,
    levels: Sequence[TierLevel],
) -> str:
    """A campaign's (or draft's) audience as the marketer reads it, tiers by name."""
    if not data:
        return context.t("offers-audience-everyone")
    audience = Audience.from_json(data)
    return context.t(
        "offers-audience-summary",
        rule=describe_rule(context, audience, levels),
        mode=str(audience.mode),
        control=audience.control_percent,
        size=int(size or 0),
    )


def describe_rule(
    context: JifenContext, audience: Audience, levels: Sequence[TierLevel] = ()
) -> str:
    match audience.kind:
        case AudienceKind.TIER:
            detail = tier_names(context, audience.tiers, levels)
        case AudienceKind.SEGMENT:
            detail = context.t(SEGMENT_KEYS[Segment(audience.segment)])
        case AudienceKind.CATEGORY:
            detail = audience.category
        case AudienceKind.MEMBERS:
            detail = str(len(audience.codes))
        case _:
            detail = ""
    return context.t(
        "offers-audience-rule",
        kind=str(audience.kind),
        detail=html.escape(detail),
        days=audience.days,
        count=len(audience.codes),
    )


def button_row(context: JifenContext) -> list[tuple[str, str, tuple[Any, ...]]]:
    return [(context.t("offers-audience-button"), "mka-open", ())]
