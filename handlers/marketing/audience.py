"""The /campaign wizard's audience step: who a campaign is for (``models.marketing.audiences``).

From the summary, "🎯 Audience" opens the kinds (everyone, tiers, an RFM segment, at-risk
members, buyers of a category, a list of member codes); the rule is asked for, then
snapshot or live (tiers are always live), then the control share. The rule is previewed
before it joins the draft: an empty audience is refused with a clear answer and the
draft keeps its previous audience; uploaded codes nobody has are listed and ignored. The
summary shows the audience and its size; Confirm creates the campaign through
:func:`models.marketing.audiences.create_campaign`, which checks it all again.
"""

from __future__ import annotations

import html
from dataclasses import replace
from typing import Any

from telegram import Update

from handlers import flows
from handlers.callbacks import CallbackData
from handlers.context import JifenContext
from handlers.marketing import campaign_summary as summary
from handlers.marketing.common import keyboard, parse_count, text_of
from handlers.registry import reply
from locales import localized
from models.codes.tokens import member_code
from models.ledger import rule_versions
from models.ledger.targeting import Audience, AudienceKind, AudienceMode
from models.marketing import audiences
from models.marketing.audiences import (
    AudiencePreview,
    EmptyAudience,
    InvalidAudience,
    TargetedCampaignCreated,
)
from models.marketing.campaigns import CampaignDraft
from models.marketing.segments import SEGMENT_KEYS, Segment, segment_counts

KINDS = ("all", "tier", "segment", "at_risk", "category", "members")
AT_RISK_DAYS = ("30", "60", "90")
CONTROL_SHARES = ("0", "10", "20")
PENDING = "audience-pending"
"""The rule being built, kept in the draft until it is previewed and accepted."""


# ---- what the summary shows ----


# ---- choosing ----


async def _menu(update: Update, context: JifenContext, text: str, markup: Any) -> None:
    """A step answered by a button of this message (typed text gets the buttons again)."""
    said = await reply(update, text, reply_markup=markup)
    flows.await_buttons(context, said)


async def open_menu(update: Update, context: JifenContext, _: CallbackData) -> None:
    draft = summary.current_draft(context)
    if draft is None:
        await summary.expired(update, context)
        return
    flows.stop(context)
    rows = [
        [(context.t("offers-audience-kind", kind=k), "mka-kind", (k,)) for k in KINDS[i : i + 2]]
        for i in range(0, len(KINDS), 2)
    ]
    markup = keyboard(context, update, *rows)
    await _menu(update, context, context.t("offers-audience-ask-kind"), markup)


async def kind_pressed(update: Update, context: JifenContext, data: CallbackData) -> None:
    draft = summary.current_draft(context)
    kind = data.args[0] if data.args else ""
    if draft is None or kind not in KINDS:
        await summary.expired(update, context)
        return
    if kind == "all":
        draft.pop("audience", None)
        draft.pop("audience_size", None)
        draft.pop(PENDING, None)
        await summary.show(update, context)
        return
    draft[PENDING] = {"kind": kind}
    t = context.t
    if kind == "tier":
        await _tier_menu(update, context, draft, edit=False)
    elif kind == "segment":
        counts = await segment_counts()
        labels = [(counted(context, t(SEGMENT_KEYS[s]), counts.get(s, 0)), s) for s in Segment]
        rows = [
            [(label, "mka-seg", (s.value,)) for label, s in labels[i : i + 2]]
            for i in range(0, len(labels), 2)
        ]
        markup = keyboard(context, update, *rows)
        await _menu(update, context, t("offers-audience-ask-segment"), markup)
    elif kind == "at_risk":
        found = await audiences.choice_counts([_at_risk(int(d)) for d in AT_RISK_DAYS])
        row = [
            (counted(context, t("offers-audience-days", days=int(d)), n), "mka-days", (d,))
            for d, n in zip(AT_RISK_DAYS, found, strict=True)
        ]
        markup = keyboard(context, update, row)
        await _menu(update, context, t("offers-audience-ask-silent"), markup)
    elif kind == "category":
        flows.await_input(context, "mka-category")
        await reply(update, t("offers-audience-ask-category"))
    else:
        flows.await_input(context, "mka-codes")
        await reply(
            update, t("offers-audience-ask-codes", limit=audiences.MAX_CODES, example=member_code())
        )


def counted(context: JifenContext, label: str, count: int) -> str:
    """A choice's label with how many members it finds now."""
    return context.t("offers-audience-choice-count", label=label, count=count)


def _at_risk(days: int) -> Audience:
    return Audience(AudienceKind.AT_RISK, days=days)


async def _refuse_empty(update: Update, context: JifenContext, audience: Audience) -> bool:
    """Said at once (the step stays) when the rule finds nobody now: True if refused."""
    if (await audiences.choice_counts([audience]))[0] > 0:
        return False
    await _say_empty(update, context, audience)
    return True


async def _say_empty(update: Update, context: JifenContext, audience: Audience) -> None:
    rule = summary.describe_rule(context, audience, await summary.tier_levels())
    await reply(update, context.t("offers-audience-empty-now", rule=rule))


def _pending(context: JifenContext, kind: str) -> dict[str, Any] | None:
    """The rule being built, if it is of ``kind`` (a button of another step is stale)."""
    draft = summary.current_draft(context)
    pending = (draft or {}).get(PENDING)
    return pending if pending is not None and pending.get("kind") == kind else None


async def _tier_menu(
    update: Update, context: JifenContext, draft: dict[str, Any], *, edit: bool
) -> None:
    levels = (await rule_versions.current())[1].tiers.levels
    chosen = set(draft[PENDING].get("tiers", []))
    found = await audiences.choice_counts(
        [Audience(AudienceKind.TIER, tiers=(lvl.key,)) for lvl in levels]
    )
    row = [
        (
            ("✅ " if lvl.key in chosen else "")
            + counted(context, localized(lvl.names, context.lang), n),
            "mka-tier",
            (lvl.key,),
        )
        for lvl, n in zip(levels, found, strict=True)
    ]
    done = [(context.t("marketing-done"), "mka-tiers-done", ())]
    markup = keyboard(context, update, *[row[i : i + 3] for i in range(0, len(row), 3)], done)
    query = update.callback_query
    if edit and query is not None and query.message is not None:
        await query.answer()
        await query.edit_message_reply_markup(markup)
        return
    await _menu(update, context, context.t("marketing-campaign-ask-tiers"), markup)


async def tier_pressed(update: Update, context: JifenContext, data: CallbackData) -> None:
    pending = _pending(context, "tier")
    draft = summary.current_draft(context)
    levels = (await rule_versions.current())[1].tiers.levels
    key = data.args[0] if data.args else ""
    if pending is None or draft is None or key not in {lvl.key for lvl in levels}:
        await summary.expired(update, context)
        return
    pending["tiers"] = sorted(set(pending.get("tiers", [])) ^ {key})
    await _tier_menu(update, context, draft, edit=True)


async def tiers_done(update: Update, context: JifenContext, _: CallbackData) -> None:
    pending = _pending(context, "tier")
    if pending is None:
        await summary.expired(update, context)
        return
    if not pending.get("tiers"):
        await reply(update, context.t("offers-audience-no-tier"))
        return
    if await _refuse_empty(update, context, Audience(AudienceKind.TIER, tiers=pending["tiers"])):
        return
    pending["mode"] = AudienceMode.LIVE.value  # a tier is whoever holds it at the till
    await _ask_control(update, context)


async def segment_pressed(update: Update, context: JifenContext, data: CallbackData) -> None:
    pending = _pending(context, "segment")
    value = data.args[0] if data.args else ""
    if pending is None or value not in {s.value for s in Segment}:
        await summary.expired(update, context)
        return
    if await _refuse_empty(update, context, Audience(AudienceKind.SEGMENT, segment=value)):
        return
    pending["segment"] = value
    await _ask_mode(update, context)


async def days_pressed(update: Update, context: JifenContext, data: CallbackData) -> None:
    pending = _pending(context, "at_risk")
    value = data.args[0] if data.args else ""
    if pending is None or value not in AT_RISK_DAYS:
        await summary.expired(update, context)
        return
    if await _refuse_empty(update, context, _at_risk(int(value))):
        return
    pending["days"] = int(value)
    await _ask_mode(update, context)


async def category_typed(update: Update, context: JifenContext) -> None:
    pending = _pending(context, "category")
    if pending is None:
        await summary.expired(update, context)
        return
    text = text_of(update)
    *words, last = text.split() or [""]
    days = parse_count(last) if words else None
    category = " ".join(words) if days is not None else text
    days = days if days is not None else 30
    if not category or len(category) > 64 or not 0 < days <= audiences.MAX_DAYS:
        await reply(update, context.t("offers-audience-bad-category", max=audiences.MAX_DAYS))
        return
    rule = Audience(AudienceKind.CATEGORY, category=category, days=days)
    if await _refuse_empty(update, context, rule):
        return  # still waiting for a category
    pending["category"], pending["days"] = category, days
    flows.stop(context)
    await _ask_mode(update, context)


async def codes_typed(update: Update, context: JifenContext) -> None:
    """Member codes and phones: what cannot be read, or no member has, is listed back and
    left out; a list with nobody in it is refused (still waiting)."""
    pending = _pending(context, "members")
    if pending is None:
        await summary.expired(update, context)
        return
    country = context.settings.members.default_country
    found = await audiences.read_member_list(text_of(update), country)
    probe = Audience(AudienceKind.MEMBERS, codes=found.codes)
    if found.unreadable:
        shown = html.escape(", ".join(found.unreadable[:20]))
        await reply(
            update,
            context.t("offers-audience-unreadable", count=len(found.unreadable), items=shown),
        )
    if isinstance(audiences.validate(probe), InvalidAudience):
        ask = {"limit": audiences.MAX_CODES, "example": member_code()}
        await reply(update, context.t("offers-audience-bad-codes", **ask))
        return
    seen = await audiences.preview(probe)
    if found.unknown or seen.unknown_codes:
        await reply(update, _unknown(context, found.unknown + seen.unknown_codes))
    if isinstance(seen, EmptyAudience):
        await _say_empty(update, context, probe)
        return
    pending["codes"] = [c for c in found.codes if c not in seen.unknown_codes]
    flows.stop(context)
    await _ask_mode(update, context)


async def _ask_mode(update: Update, context: JifenContext) -> None:
    t = context.t
    row = [
        (t("offers-audience-mode", mode="snapshot"), "mka-mode", ("snapshot",)),
        (t("offers-audience-mode", mode="live"), "mka-mode", ("live",)),
    ]
    await _menu(update, context, t("offers-audience-ask-mode"), keyboard(context, update, row))


async def mode_pressed(update: Update, context: JifenContext, data: CallbackData) -> None:
    draft = summary.current_draft(context)
    pending = (draft or {}).get(PENDING)
    mode = data.args[0] if data.args else ""
    if pending is None or mode not in ("snapshot", "live") or not _rule_complete(pending):
        await summary.expired(update, context)
        return
    pending["mode"] = mode
    await _ask_control(update, context)


def _rule_complete(pending: dict[str, Any]) -> bool:
    needs = {"tier": "tiers", "segment": "segment", "at_risk": "days"}
    needs |= {"category": "category", "members": "codes"}
    return bool(pending.get(needs.get(pending.get("kind", ""), "?")))


async def _ask_control(update: Update, context: JifenContext) -> None:
    row = [
        (context.t("offers-audience-control-share", percent=int(p)), "mka-ctl", (p,))
        for p in CONTROL_SHARES
    ]
    markup = keyboard(context, update, row)
    await _menu(update, context, context.t("offers-audience-ask-control"), markup)


async def control_pressed(update: Update, context: JifenContext, data: CallbackData) -> None:
    """The last choice: preview the rule; an empty one is refused, else it joins the draft."""
    draft = summary.current_draft(context)
    pending = (draft or {}).get(PENDING)
    share = data.args[0] if data.args else ""
    if draft is None or pending is None or share not in CONTROL_SHARES:
        await summary.expired(update, context)
        return
    if "mode" not in pending or not _rule_complete(pending):
        await summary.expired(update, context)
        return
    audience = Audience.from_json(pending | {"control_percent": int(share)})
    tier_keys = [lvl.key for lvl in (await rule_versions.current())[1].tiers.levels]
    if isinstance(audiences.validate(audience, tier_keys), InvalidAudience):
        await summary.expired(update, context)
        return
    found = await audiences.preview(audience)
    if found.unknown_codes and update.effective_chat is not None:  # the press is answered below
        await update.effective_chat.send_message(_unknown(context, found.unknown_codes))
    if isinstance(found, EmptyAudience):
        draft.pop(PENDING, None)
        await reply(update, context.t("offers-audience-empty"))
        return
    assert isinstance(found, AudiencePreview)
    draft.pop(PENDING, None)
    known = tuple(c for c in audience.codes if c not in found.unknown_codes)
    draft["audience"] = replace(audience, codes=known).to_json()
    draft["audience_size"] = found.size
    await summary.show(update, context)


def _unknown(context: JifenContext, codes: tuple[str, ...]) -> str:
    shown = ", ".join(codes[:20]) + (" …" if len(codes) > 20 else "")
    return context.t("offers-audience-unknown-codes", count=len(codes), codes=html.escape(shown))


# ---- confirming ----


async def create(draft: CampaignDraft, data: dict[str, Any], actor_telegram_id: int | None) -> Any:
    """Create the campaign of a confirmed summary: targeted when the draft has an audience
    (the store checks the rule again and refuses it if it now finds nobody)."""
    from models.marketing import campaigns

    if not data.get("audience"):
        return await campaigns.create(draft, actor_telegram_id=actor_telegram_id)
    tier_keys = [lvl.key for lvl in (await rule_versions.current())[1].tiers.levels]
    return await audiences.create_campaign(
        draft,
        Audience.from_json(data["audience"]),
        tier_keys=tier_keys,
        actor_telegram_id=actor_telegram_id,
    )


async def edit(
    campaign_id: int, draft: CampaignDraft, data: dict[str, Any], actor_telegram_id: int | None
) -> Any:
    """Change the campaign a confirmed edit summary showed, its audience included (the
    store checks a changed rule again, as on creation)."""
    tier_keys = [lvl.key for lvl in (await rule_versions.current())[1].tiers.levels]
    rule = Audience.from_json(data["audience"]) if data.get("audience") else None
    return await audiences.edit_campaign(
        campaign_id, draft, rule, tier_keys=tier_keys, actor_telegram_id=actor_telegram_id
    )


def created_line(context: JifenContext, result: TargetedCampaignCreated) -> str:
    text = context.t("offers-audience-created", size=result.size)
    if result.unknown_codes:
        text += "\n" + _unknown(context, result.unknown_codes)
    return text


def refusal(context: JifenContext, result: Any) -> str | None:
    """The answer to an audience the store refused at Confirm (None: not an audience's)."""
    if isinstance(result, EmptyAudience):
        return context.t("offers-audience-empty")
    if isinstance(result, InvalidAudience):
        return context.t("offers-audience-invalid")
    return None


BUTTONS = {
    "mka-open": open_menu,
    "mka-kind": kind_pressed,
    "mka-tier": tier_pressed,
    "mka-tiers-done": tiers_done,
    "mka-seg": segment_pressed,
    "mka-days": days_pressed,
    "mka-mode": mode_pressed,
    "mka-ctl": control_pressed,
}
INPUTS = {
    "mka-category": category_typed,
    "mka-codes": codes_typed,
}
