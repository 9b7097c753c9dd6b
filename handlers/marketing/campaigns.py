"""``/campaign`` (marketers): create a campaign step by step, list, pause, resume, end.

The draft lives in the flow state (handlers/flows.py) until the marketer confirms the
summary (a pending action, ``mk-campaign``, carrying the draft); every typed value is
checked on arrival (a bad one is answered and the step keeps waiting) and the whole
draft is validated again by :func:`models.campaigns.create`.
"""

from __future__ import annotations

import html
from datetime import datetime
from decimal import Decimal
from typing import Any

from telegram import Update

from handlers import flows
from handlers.callbacks import CallbackData
from handlers.context import JifenContext
from handlers.marketing import audience
from handlers.marketing.common import (
    HTML,
    answer,
    keyboard,
    local,
    parse_count,
    text_of,
)
from handlers.registry import Outcome, reply
from locales import localized
from models import campaigns, clock, rule_versions
from models.campaigns import (
    CampaignChanged,
    CampaignCreated,
    CampaignDraft,
    InvalidCampaign,
    UnknownCampaign,
)
from models.tables import Campaign, CampaignKind, CampaignStatus, PendingAction

DRAFT = KIND = "mk-campaign"
WEEKDAYS = range(7)


def _draft(context: JifenContext) -> dict[str, Any] | None:
    return flows.draft(context, DRAFT)


async def _expired(update: Update, context: JifenContext) -> None:
    flows.stop(context)
    await reply(update, context.t("common-button-expired"))


# ---- entry ----


async def campaign_command(update: Update, context: JifenContext) -> None:
    flows.stop(context)
    markup = keyboard(
        context,
        update,
        [
            (context.t("marketing-campaign-new"), "mkc-new", ()),
            (context.t("marketing-campaign-list"), "mkc-list", ()),
        ],
    )
    await reply(update, context.t("marketing-campaign-intro"), reply_markup=markup)


async def new(update: Update, context: JifenContext, _: CallbackData) -> None:
    flows.start_draft(
        context,
        DRAFT,
        {
            "names": {},
            "kind": None,
            "weekdays": [],
            "hours": [],
            "categories": [],
            "skus": [],
            "tiers": [],
            "announce": True,
        },
    )
    flows.await_input(context, "mkc-name-en")
    await reply(update, context.t("marketing-campaign-ask-name-en"))


# ---- names ----


async def name_en(update: Update, context: JifenContext) -> None:
    draft, text = _draft(context), text_of(update)
    if draft is None:
        await _expired(update, context)
        return
    if not text or len(text) > campaigns.MAX_NAME:
        await reply(update, context.t("marketing-campaign-bad-name", limit=campaigns.MAX_NAME))
        return
    draft["names"]["en"] = text
    flows.await_input(context, "mkc-name-zh")
    markup = keyboard(context, update, [(context.t("marketing-same-name"), "mkc-same", ())])
    await reply(update, context.t("marketing-campaign-ask-name-zh"), reply_markup=markup)


async def name_zh(update: Update, context: JifenContext) -> None:
    draft, text = _draft(context), text_of(update)
    if draft is None:
        await _expired(update, context)
        return
    if not text or len(text) > campaigns.MAX_NAME:
        await reply(update, context.t("marketing-campaign-bad-name", limit=campaigns.MAX_NAME))
        return
    draft["names"]["zh-Hans"] = text
    await _ask_kind(update, context)


async def same_name(update: Update, context: JifenContext, _: CallbackData) -> None:
    draft = _draft(context)
    if draft is None or "en" not in draft["names"]:
        await _expired(update, context)
        return
    draft["names"]["zh-Hans"] = draft["names"]["en"]
    await _ask_kind(update, context)


# ---- kind and amount ----


async def _ask_kind(update: Update, context: JifenContext) -> None:
    flows.stop(context)
    markup = keyboard(
        context,
        update,
        [
            (context.t("marketing-campaign-kind-multiplier"), "mkc-kind", ("m",)),
            (context.t("marketing-campaign-kind-bonus"), "mkc-kind", ("b",)),
        ],
    )
    said = await reply(update, context.t("marketing-campaign-ask-kind"), reply_markup=markup)
    flows.await_buttons(context, said)


async def kind(update: Update, context: JifenContext, data: CallbackData) -> None:
    draft = _draft(context)
    if draft is None or not data.args:
        await _expired(update, context)
        return
    if data.args[0] == "m":
        draft["kind"] = CampaignKind.MULTIPLIER.value
        flows.await_input(context, "mkc-mult")
        markup = keyboard(
            context,
            update,
            [(f"×{m}", "mkc-mult", (m,)) for m in ("1.5", "2", "3")],
        )
        await reply(update, context.t("marketing-campaign-ask-multiplier"), reply_markup=markup)
    else:
        draft["kind"] = CampaignKind.BONUS.value
        flows.await_input(context, "mkc-bonus")
        await reply(update, context.t("marketing-campaign-ask-bonus"))


async def _take_multiplier(update: Update, context: JifenContext, text: str) -> None:
    draft = _draft(context)
    if draft is None:
        await _expired(update, context)
        return
    value = campaigns.parse_multiplier(text)
    if value is None or not (Decimal(1) < value <= campaigns.MAX_MULTIPLIER):
        await reply(
            update,
            context.t(
                "marketing-campaign-bad-multiplier",
                text=text[:32],
                max=str(campaigns.MAX_MULTIPLIER),
            ),
        )
        return
    draft["multiplier"] = str(value.normalize())
    await _ask_window(update, context)


async def multiplier_typed(update: Update, context: JifenContext) -> None:
    await _take_multiplier(update, context, text_of(update))


async def multiplier_pressed(update: Update, context: JifenContext, data: CallbackData) -> None:
    await _take_multiplier(update, context, data.args[0] if data.args else "")


async def bonus_typed(update: Update, context: JifenContext) -> None:
    draft, text = _draft(context), text_of(update)
    if draft is None:
        await _expired(update, context)
        return
    points = parse_count(text)
    if points is None or not 0 < points <= campaigns.MAX_BONUS_POINTS:
        await reply(
            update,
            context.t(
                "marketing-campaign-bad-bonus",
                text=text[:32],
                max=campaigns.MAX_BONUS_POINTS,
            ),
        )
        return
    draft["bonus"] = points
    await _ask_window(update, context)


# ---- start and end ----


async def _ask_window(update: Update, context: JifenContext) -> None:
    flows.stop(context)
    markup = keyboard(
        context,
        update,
        [
            (context.t("marketing-preset-today"), "mkc-win", ("today",)),
            (context.t("marketing-preset-weekend"), "mkc-win", ("weekend",)),
        ],
        [
            (context.t("marketing-preset-week"), "mkc-win", ("week",)),
            (context.t("marketing-preset-typed"), "mkc-win", ("typed",)),
        ],
    )
    said = await reply(update, context.t("marketing-campaign-ask-window"), reply_markup=markup)
    flows.await_buttons(context, said)


async def window(update: Update, context: JifenContext, data: CallbackData) -> None:
    draft = _draft(context)
    preset = data.args[0] if data.args else ""
    if draft is None or preset not in (*campaigns.PRESETS, "typed"):
        await _expired(update, context)
        return
    if preset == "typed":
        flows.await_input(context, "mkc-start")
        await reply(update, context.t("marketing-campaign-ask-start"))
        return
    start, end = campaigns.preset_window(preset, clock.now(), context.settings.scheduler.timezone)
    draft["starts"], draft["ends"] = start.isoformat(), end.isoformat()
    await show_summary(update, context)


async def start_typed(update: Update, context: JifenContext) -> None:
    draft, text = _draft(context), text_of(update)
    if draft is None:
        await _expired(update, context)
        return
    at = campaigns.parse_local_datetime(text, context.settings.scheduler.timezone)
    if at is None:
        await reply(update, context.t("marketing-bad-date", text=text[:32]))
        return
    draft["starts"] = at.isoformat()
    flows.await_input(context, "mkc-end")
    await reply(update, context.t("marketing-campaign-ask-end", start=local(context, at)))


async def end_typed(update: Update, context: JifenContext) -> None:
    draft, text = _draft(context), text_of(update)
    if draft is None or "starts" not in draft:
        await _expired(update, context)
        return
    at = campaigns.parse_local_datetime(text, context.settings.scheduler.timezone)
    if at is None:
        await reply(update, context.t("marketing-bad-date", text=text[:32]))
        return
    start = datetime.fromisoformat(draft["starts"])
    if at <= start or at <= clock.now():
        reason = "end-before-start" if at <= start else "ended"
        await reply(update, context.t("marketing-campaign-invalid", field="window", reason=reason))
        return
    draft["ends"] = at.isoformat()
    await show_summary(update, context)


# ---- options and summary ----


def _build(draft: dict[str, Any]) -> CampaignDraft:
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


def _weekday_names(context: JifenContext, days: list[int]) -> str:
    return ", ".join(context.t("marketing-weekday", day=d) for d in sorted(days))


def describe(context: JifenContext, row: Campaign | CampaignDraft) -> str:
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
        weekdays=_weekday_names(context, list(row.weekdays)) or everything,
        hours=f"{hours[0]:02d}:00–{hours[1]:02d}:00" if len(hours) == 2 else everything,
        categories=html.escape(", ".join(row.categories)) or everything,
        skus=html.escape(", ".join(row.skus)) or everything,
        tiers=html.escape(", ".join(row.tiers)) or everything,
        announce="yes" if row.announce else "no",
    )


async def show_summary(update: Update, context: JifenContext) -> None:
    flows.stop(context)
    draft = _draft(context)
    if draft is None:
        await _expired(update, context)
        return
    t = context.t
    options = (
        [(t("marketing-opt-weekdays"), "mkc-days", ()), (t("marketing-opt-hours"), "mkc-hrs", ())],
        [
            (t("marketing-opt-categories"), "mkc-filter", ("categories",)),
            (t("marketing-opt-skus"), "mkc-filter", ("skus",)),
        ],
        [
            (t("marketing-opt-tiers"), "mkc-tiers", ()),
            (t("marketing-opt-announce", on="yes" if draft["announce"] else "no"), "mkc-ann", ()),
        ],
        audience.button_row(context),
    )
    summary = describe(context, _build(draft)) + "\n" + audience.summary_line(context, draft)
    text = t("marketing-campaign-review", summary=summary)
    await flows.ask_confirm(update, context, KIND, draft, text, extra=options)


def _toggle_rows(
    context: JifenContext, update: Update, action: str, options: list[tuple[str, str]], chosen: Any
) -> Any:
    rows = [
        [
            (("✅ " if key in chosen else "") + label, action, (key,))
            for key, label in options[i : i + 4]
        ]
        for i in range(0, len(options), 4)
    ]
    return keyboard(context, update, *rows, [(context.t("marketing-done"), "mkc-sum", ())])


async def weekdays_menu(update: Update, context: JifenContext, data: CallbackData) -> None:
    draft = _draft(context)
    if draft is None:
        await _expired(update, context)
        return
    day = data.int_arg(0)
    if day is not None and day in WEEKDAYS:
        days = set(draft["weekdays"]) ^ {day}
        draft["weekdays"] = sorted(days)
    options = [(str(d), context.t("marketing-weekday", day=d)) for d in WEEKDAYS]
    markup = _toggle_rows(context, update, "mkc-days", options, {str(d) for d in draft["weekdays"]})
    query = update.callback_query
    if day is not None and query is not None and query.message is not None:
        await query.answer()
        await query.edit_message_reply_markup(markup)
        return
    await reply(update, context.t("marketing-campaign-ask-weekdays"), reply_markup=markup)


async def tiers_menu(update: Update, context: JifenContext, data: CallbackData) -> None:
    draft = _draft(context)
    if draft is None:
        await _expired(update, context)
        return
    levels = (await rule_versions.current())[1].tiers.levels
    keys = [lvl.key for lvl in levels]
    pressed = data.args[0] if data.args else None
    if pressed in keys:
        draft["tiers"] = sorted(set(draft["tiers"]) ^ {pressed})
    options = [(lvl.key, localized(lvl.names, context.lang)) for lvl in levels]
    markup = _toggle_rows(context, update, "mkc-tiers", options, set(draft["tiers"]))
    query = update.callback_query
    if pressed is not None and query is not None and query.message is not None:
        await query.answer()
        await query.edit_message_reply_markup(markup)
        return
    await reply(update, context.t("marketing-campaign-ask-tiers"), reply_markup=markup)


async def summary_pressed(update: Update, context: JifenContext, _: CallbackData) -> None:
    await show_summary(update, context)


async def hours_menu(update: Update, context: JifenContext, data: CallbackData) -> None:
    draft = _draft(context)
    if draft is None:
        await _expired(update, context)
        return
    if data.args and data.args[0] == "all":
        draft["hours"] = []
        await show_summary(update, context)
        return
    flows.await_input(context, "mkc-hours")
    markup = keyboard(context, update, [(context.t("marketing-all-day"), "mkc-hrs", ("all",))])
    await reply(update, context.t("marketing-campaign-ask-hours"), reply_markup=markup)


async def hours_typed(update: Update, context: JifenContext) -> None:
    draft, text = _draft(context), text_of(update)
    if draft is None:
        await _expired(update, context)
        return
    hours = campaigns.parse_hours(text)
    if hours is None or not 0 <= hours[0] < hours[1] <= 24:
        await reply(update, context.t("marketing-campaign-invalid", field="hours", reason="range"))
        return
    draft["hours"] = list(hours)
    await show_summary(update, context)


async def filter_menu(update: Update, context: JifenContext, data: CallbackData) -> None:
    draft = _draft(context)
    field = data.args[0] if data.args else ""
    if draft is None or field not in ("categories", "skus"):
        await _expired(update, context)
        return
    flows.await_input(context, "mkc-filter", field=field)
    await reply(update, context.t("marketing-campaign-ask-filter", field=field))


async def filter_typed(update: Update, context: JifenContext) -> None:
    draft, field = _draft(context), flows.awaited(context).get("field")
    if draft is None or field not in ("categories", "skus"):
        await _expired(update, context)
        return
    text = text_of(update)
    values = [] if text == "-" else [v.strip() for v in text.split(",") if v.strip()]
    if len(values) > campaigns.MAX_FILTERS or any(len(v) > 64 for v in values):
        await reply(
            update, context.t("marketing-campaign-invalid", field="filters", reason="range")
        )
        return
    draft[field] = values
    await show_summary(update, context)


async def announce_toggle(update: Update, context: JifenContext, _: CallbackData) -> None:
    draft = _draft(context)
    if draft is None:
        await _expired(update, context)
        return
    draft["announce"] = not draft["announce"]
    await show_summary(update, context)


async def confirmed(update: Update, context: JifenContext, action: PendingAction) -> Outcome:
    """Create the campaign the confirmed summary showed (validated again by the store;
    a targeted one through :func:`handlers.marketing.audience.create`)."""
    payload = action.payload
    result = await audience.create(_build(payload), payload, action.actor_telegram_id)
    if (refused := audience.refusal(context, result)) is not None:
        return Outcome(refused, html=False)
    if isinstance(result, InvalidCampaign):
        text = context.t("marketing-campaign-invalid", field=result.field, reason=result.reason)
        return Outcome(text, html=False)
    assert isinstance(result, CampaignCreated | audience.TargetedCampaignCreated)
    flows.drop_draft(context, DRAFT)
    text = context.t("marketing-campaign-created", id=result.campaign_id)
    if isinstance(result, audience.TargetedCampaignCreated):
        text += "\n" + audience.created_line(context, result)
    return Outcome(text, html=False)


# ---- list and status changes ----


async def list_pressed(update: Update, context: JifenContext, _: CallbackData) -> None:
    await answer(update)
    await show_list(update, context)


async def show_list(update: Update, context: JifenContext) -> None:
    """The current and upcoming campaigns with their buttons (sent, never answering a press)."""
    rows = await campaigns.list_campaigns(limit=10)
    chat = update.effective_chat
    assert chat is not None
    if not rows:
        await chat.send_message(context.t("marketing-campaign-none"))
        return
    lines = [
        context.t(
            "marketing-campaign-line",
            id=r.id,
            name=html.escape(localized(r.names, context.lang)),
            status=str(r.status),
            start=local(context, r.starts_at),
            end=local(context, r.ends_at),
        )
        for r in rows
    ]
    buttons = []
    for r in rows:
        toggle = (
            (context.t("marketing-campaign-pause", id=r.id), "mkc-pause", (r.id,))
            if r.status == CampaignStatus.ACTIVE
            else (context.t("marketing-campaign-resume", id=r.id), "mkc-resume", (r.id,))
        )
        buttons.append([toggle, (context.t("marketing-campaign-end", id=r.id), "mkc-end", (r.id,))])
    await chat.send_message(
        "\n".join(lines),
        reply_markup=keyboard(context, update, *buttons),
        parse_mode=HTML,
    )


async def _change(update: Update, context: JifenContext, data: CallbackData, op: Any) -> None:
    campaign_id = data.int_arg(0)
    user = update.effective_user
    if campaign_id is None or user is None:
        await _expired(update, context)
        return
    result = await op(campaign_id, actor_telegram_id=user.id)
    if isinstance(result, CampaignChanged):
        text = context.t("marketing-campaign-changed", id=campaign_id, status=str(result.status))
    elif isinstance(result, UnknownCampaign):
        text = context.t("marketing-campaign-unknown", id=campaign_id)
    else:
        text = context.t(
            "marketing-campaign-unchangeable", id=campaign_id, status=str(result.status)
        )
    await reply(update, text)
    await show_list(update, context)


async def pause(update: Update, context: JifenContext, data: CallbackData) -> None:
    await _change(update, context, data, campaigns.pause)


async def resume(update: Update, context: JifenContext, data: CallbackData) -> None:
    await _change(update, context, data, campaigns.resume)


async def end(update: Update, context: JifenContext, data: CallbackData) -> None:
    await _change(update, context, data, campaigns.end)


BUTTONS = {
    "mkc-new": new,
    "mkc-same": same_name,
    "mkc-kind": kind,
    "mkc-mult": multiplier_pressed,
    "mkc-win": window,
    "mkc-days": weekdays_menu,
    "mkc-hrs": hours_menu,
    "mkc-filter": filter_menu,
    "mkc-tiers": tiers_menu,
    "mkc-ann": announce_toggle,
    "mkc-sum": summary_pressed,
    "mkc-list": list_pressed,
    "mkc-pause": pause,
    "mkc-resume": resume,
    "mkc-end": end,
}
INPUTS = {
    "mkc-name-en": name_en,
    "mkc-name-zh": name_zh,
    "mkc-mult": multiplier_typed,
    "mkc-bonus": bonus_typed,
    "mkc-start": start_typed,
    "mkc-end": end_typed,
    "mkc-hours": hours_typed,
    "mkc-filter": filter_typed,
}
