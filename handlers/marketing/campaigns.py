"""``/campaign`` (marketers): create a campaign step by step, list, pause, resume, end.

The draft lives in the flow state (handlers/flows.py) until the marketer confirms the
summary (a pending action, ``mk-campaign``, carrying the draft); every typed value is
checked on arrival (a bad one is answered and the step keeps waiting) and the whole
draft is validated again by :func:`models.marketing.campaigns.create`.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from telegram import Update

from handlers import flows
from handlers.callbacks import CallbackData
from handlers.context import JifenContext
from handlers.marketing import audience
from handlers.marketing import campaign_summary as summary
from handlers.marketing.common import (
    date_examples,
    keyboard,
    local,
    parse_count,
    text_of,
)
from handlers.registry import Outcome, reply
from locales import localized
from models.ledger import rule_versions
from models.marketing import campaigns
from models.marketing.campaigns import (
    CampaignCreated,
    CampaignEdited,
    InvalidCampaign,
)
from models.store import clock
from models.store.tables import CampaignKind, PendingAction

KIND = summary.KIND
"""The confirm step of the summary (:func:`handlers.marketing.campaign_summary.show`)."""
WEEKDAYS = range(7)


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
        summary.DRAFT,
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
    await _ask_first_name(update, context)


# ---- names ----

NAME_STATES = {"en": "mkc-name-en", "zh-Hans": "mkc-name-zh"}
"""The awaited name in each language; the marketer's own language is asked first."""


def _name_order(context: JifenContext) -> tuple[str, str]:
    first = context.lang if context.lang in NAME_STATES else "en"
    return first, next(lang for lang in NAME_STATES if lang != first)


async def _ask_first_name(update: Update, context: JifenContext) -> None:
    first, _ = _name_order(context)
    flows.await_input(context, NAME_STATES[first])
    await reply(update, context.t("marketing-campaign-ask-name-first", language=first))


async def _name_typed(update: Update, context: JifenContext, language: str) -> None:
    """The name in ``language``: the first one asks for the second (or "the same")."""
    draft, text = summary.current_draft(context), text_of(update)
    if draft is None:
        await summary.expired(update, context)
        return
    if not text or len(text) > campaigns.MAX_NAME:
        await reply(update, context.t("marketing-campaign-bad-name", limit=campaigns.MAX_NAME))
        return
    draft["names"][language] = text
    first, second = _name_order(context)
    if language != first:
        await _next_after_name(update, context, draft)
        return
    flows.await_input(context, NAME_STATES[second])
    label = context.t("marketing-same-name-as", language=first)
    markup = keyboard(context, update, [(label, "mkc-same", ())])
    ask = context.t("marketing-campaign-ask-name-second", language=second)
    await reply(update, ask, reply_markup=markup)


async def name_en(update: Update, context: JifenContext) -> None:
    await _name_typed(update, context, "en")


async def name_zh(update: Update, context: JifenContext) -> None:
    await _name_typed(update, context, "zh-Hans")


async def same_name(update: Update, context: JifenContext, _: CallbackData) -> None:
    draft = summary.current_draft(context)
    first, second = _name_order(context)
    if draft is None or first not in draft["names"]:
        await summary.expired(update, context)
        return
    draft["names"][second] = draft["names"][first]
    await _next_after_name(update, context, draft)


async def _next_after_name(update: Update, context: JifenContext, draft: dict[str, Any]) -> None:
    """The kind step, or straight back to the summary when the name was changed there."""
    if draft.get("reviewing"):
        await summary.show(update, context)
    else:
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
    draft = summary.current_draft(context)
    if draft is None or not data.args:
        await summary.expired(update, context)
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
    draft = summary.current_draft(context)
    if draft is None:
        await summary.expired(update, context)
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
    await _next_after_amount(update, context, draft)


async def _next_after_amount(update: Update, context: JifenContext, draft: dict[str, Any]) -> None:
    if draft.get("reviewing"):
        await summary.show(update, context)
    else:
        await _ask_window(update, context)


async def multiplier_typed(update: Update, context: JifenContext) -> None:
    await _take_multiplier(update, context, text_of(update))


async def multiplier_pressed(update: Update, context: JifenContext, data: CallbackData) -> None:
    await _take_multiplier(update, context, data.args[0] if data.args else "")


async def bonus_typed(update: Update, context: JifenContext) -> None:
    draft, text = summary.current_draft(context), text_of(update)
    if draft is None:
        await summary.expired(update, context)
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
    await _next_after_amount(update, context, draft)


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
    draft = summary.current_draft(context)
    preset = data.args[0] if data.args else ""
    if draft is None or preset not in (*campaigns.PRESETS, "typed"):
        await summary.expired(update, context)
        return
    if preset == "typed":
        flows.await_input(context, "mkc-start")
        await reply(update, context.t("marketing-campaign-ask-start", **date_examples(context)))
        return
    start, end = campaigns.preset_window(preset, clock.now(), context.settings.scheduler.timezone)
    draft["starts"], draft["ends"] = start.isoformat(), end.isoformat()
    await summary.show(update, context)


async def start_typed(update: Update, context: JifenContext) -> None:
    draft, text = summary.current_draft(context), text_of(update)
    if draft is None:
        await summary.expired(update, context)
        return
    tz = context.settings.scheduler.timezone
    window = campaigns.parse_local_window(text, tz)
    at = window[0] if window else campaigns.parse_local_datetime(text, tz)
    if at is None:
        await reply(
            update, context.t("marketing-bad-date", text=text[:32], **date_examples(context))
        )
        return
    at = _not_past(context, at)
    if at is None:
        now = local(context, clock.now())
        await reply(update, context.t("marketing-campaign-start-past", text=text[:40], now=now))
        return
    draft["starts"] = at.isoformat()
    if window is not None:
        await _take_end(update, context, draft, window[1])
        return
    flows.await_input(context, "mkc-end")
    await reply(update, context.t("marketing-campaign-ask-end", start=local(context, at)))


def _not_past(context: JifenContext, at: datetime) -> datetime | None:
    """A start earlier today is "from now"; one on an earlier day has passed (None)."""
    now = clock.now()
    if at >= now:
        return at
    today = now.astimezone(at.tzinfo).date()
    return now if at.date() == today else None


async def end_typed(update: Update, context: JifenContext) -> None:
    draft, text = summary.current_draft(context), text_of(update)
    if draft is None or "starts" not in draft:
        await summary.expired(update, context)
        return
    at = campaigns.parse_local_datetime(text, context.settings.scheduler.timezone, end=True)
    if at is None:
        await reply(
            update, context.t("marketing-bad-date", text=text[:32], **date_examples(context))
        )
        return
    await _take_end(update, context, draft, at)


async def _take_end(
    update: Update, context: JifenContext, draft: dict[str, Any], at: datetime
) -> None:
    """The end after the start and not past: the summary; else said, still waiting."""
    start = datetime.fromisoformat(draft["starts"])
    if at <= start or at <= clock.now():
        reason = "end-before-start" if at <= start else "ended"
        await reply(update, context.t("marketing-campaign-invalid", field="window", reason=reason))
        if flows.awaiting(context) != "mkc-end":  # a typed range: now the end alone
            flows.await_input(context, "mkc-end")
            await reply(
                update, context.t("marketing-campaign-ask-end", start=local(context, start))
            )
        return
    draft["ends"] = at.isoformat()
    await summary.show(update, context)


# ---- options and summary ----


async def rename(update: Update, context: JifenContext, _: CallbackData) -> None:
    """From the summary: the name again (both languages), then back to the summary."""
    if summary.current_draft(context) is None:
        await summary.expired(update, context)
        return
    await _ask_first_name(update, context)


async def rewindow(update: Update, context: JifenContext, _: CallbackData) -> None:
    if summary.current_draft(context) is None:
        await summary.expired(update, context)
        return
    await _ask_window(update, context)


async def reamount(update: Update, context: JifenContext, _: CallbackData) -> None:
    draft = summary.current_draft(context)
    if draft is None:
        await summary.expired(update, context)
        return
    if draft["kind"] == CampaignKind.BONUS.value:
        flows.await_input(context, "mkc-bonus")
        await reply(update, context.t("marketing-campaign-ask-bonus"))
        return
    flows.await_input(context, "mkc-mult")
    markup = keyboard(context, update, [(f"×{m}", "mkc-mult", (m,)) for m in ("1.5", "2", "3")])
    await reply(update, context.t("marketing-campaign-ask-multiplier"), reply_markup=markup)


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
    draft = summary.current_draft(context)
    if draft is None:
        await summary.expired(update, context)
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
    draft = summary.current_draft(context)
    if draft is None:
        await summary.expired(update, context)
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
    await summary.show(update, context)


async def hours_menu(update: Update, context: JifenContext, data: CallbackData) -> None:
    draft = summary.current_draft(context)
    if draft is None:
        await summary.expired(update, context)
        return
    if data.args and data.args[0] == "all":
        draft["hours"] = []
        await summary.show(update, context)
        return
    flows.await_input(context, "mkc-hours")
    markup = keyboard(context, update, [(context.t("marketing-all-day"), "mkc-hrs", ("all",))])
    await reply(update, context.t("marketing-campaign-ask-hours"), reply_markup=markup)


async def hours_typed(update: Update, context: JifenContext) -> None:
    draft, text = summary.current_draft(context), text_of(update)
    if draft is None:
        await summary.expired(update, context)
        return
    hours = campaigns.parse_hours(text)
    if hours is None or not 0 <= hours[0] < hours[1] <= 24:
        await reply(update, context.t("marketing-campaign-invalid", field="hours", reason="range"))
        return
    draft["hours"] = list(hours)
    await summary.show(update, context)


async def announce_toggle(update: Update, context: JifenContext, _: CallbackData) -> None:
    draft = summary.current_draft(context)
    if draft is None:
        await summary.expired(update, context)
        return
    draft["announce"] = not draft["announce"]
    await summary.show(update, context)


async def confirmed(update: Update, context: JifenContext, action: PendingAction) -> Outcome:
    """Create (or, with ``edit_id``, change) the campaign the confirmed summary showed,
    validated again by the store; a new targeted one through
    :func:`handlers.marketing.audience.create`."""
    payload, actor = action.payload, action.actor_telegram_id
    edit_id = payload.get("edit_id")
    if edit_id is not None:
        result: Any = await audience.edit(int(edit_id), summary.build(payload), payload, actor)
    else:
        result = await audience.create(summary.build(payload), payload, actor)
    if (refused := audience.refusal(context, result)) is not None:
        return Outcome(refused, html=False)
    if isinstance(result, InvalidCampaign):
        text = context.t("marketing-campaign-invalid", field=result.field, reason=result.reason)
        return Outcome(text, html=False)
    flows.drop_draft(context, summary.DRAFT)
    if isinstance(result, CampaignEdited):
        return Outcome(context.t("marketing-campaign-edited", id=result.campaign_id), html=False)
    if not isinstance(result, CampaignCreated | audience.TargetedCampaignCreated):
        return Outcome(context.t("marketing-campaign-unknown", id=edit_id), html=False)  # gone
    text = context.t("marketing-campaign-created", id=result.campaign_id)
    if isinstance(result, audience.TargetedCampaignCreated):
        text += "\n" + audience.created_line(context, result)
    return Outcome(text, html=False)


BUTTONS = {
    "mkc-new": new,
    "mkc-same": same_name,
    "mkc-kind": kind,
    "mkc-mult": multiplier_pressed,
    "mkc-win": window,
    "mkc-days": weekdays_menu,
    "mkc-hrs": hours_menu,
    "mkc-tiers": tiers_menu,
    "mkc-ann": announce_toggle,
    "mkc-sum": summary_pressed,
    "mkc-rename": rename,
    "mkc-rewin": rewindow,
    "mkc-reamt": reamount,
}
INPUTS = {
    "mkc-name-en": name_en,
    "mkc-name-zh": name_zh,
    "mkc-mult": multiplier_typed,
    "mkc-bonus": bonus_typed,
    "mkc-start": start_typed,
    "mkc-end": end_typed,
    "mkc-hours": hours_typed,
}
