"""``/stampcards`` (marketers): list the stamp card types, pause or resume one, and set up a
new one step by step: name → stamps to fill → per purchase or per item → what earns →
what a full card gives → how long a card lives and the limit per day → confirm.

Every step waits for typed text (its buttons are shortcuts that carry the step's index,
so a button of an earlier step is answered "expired"); a wrong answer is explained and
the same step keeps waiting. The confirm step is a pending action; the card type is made
by :func:`models.stamps.card_types.create` (validated again, audited).
"""

from __future__ import annotations

import html
import re
from typing import Any

from telegram import Update

from handlers import flows
from handlers.callbacks import CallbackData
from handlers.context import JifenContext
from handlers.marketing.common import HTML, keyboard, parse_count, text_of
from handlers.registry import Outcome, reply
from handlers.till.common import money, rules_in_force
from handlers.till.money import Amount, parse_amount
from locales import localized
from models.catalogue import rewards
from models.stamps import card_types, stamping
from models.stamps.card_types import InvalidCardType
from models.store.tables import CardTypeStatus, PendingAction, StampCardType

DRAFT = KIND = "mk-stampcard"
INPUT = "mks-step"
STEPS = ("name", "needed", "per", "earns", "reward", "limits")
_LIMITS = re.compile(r"^\s*(\d{1,4})(?:\s*[ ,/]\s*(\d{1,3}))?\s*$")

LOCALE_KEYS = tuple(f"stampcards-ask-{step}" for step in STEPS)
"""Every key built at run time here (``tests/test_runtime_locale_keys.py``)."""


async def stampcards_command(update: Update, context: JifenContext) -> None:
    """The card types with Pause/Resume, and "New stamp card"."""
    flows.stop(context)
    rows = await card_types.list_types()
    lines = [context.t("stampcards-intro")]
    lines += [await _line(context, row) for row in rows] or [context.t("stampcards-none")]
    buttons = [
        [
            (
                context.t(
                    "stampcards-pause"
                    if r.status == CardTypeStatus.ACTIVE
                    else "stampcards-resume",
                    name=stamping.type_name(r, context.lang)[:24],
                ),
                "mks-st",
                (r.id, 0 if r.status == CardTypeStatus.ACTIVE else 1),
            )
        ]
        for r in rows
    ]
    buttons.append([(context.t("stampcards-new"), "mks-new", ())])
    await reply(
        update, "\n".join(lines), reply_markup=keyboard(context, update, *buttons), parse_mode=HTML
    )


async def _line(context: JifenContext, row: StampCardType) -> str:
    return context.t(
        "stampcards-line",
        name=html.escape(stamping.type_name(row, context.lang)),
        cups=stamping.cups(0, row.stamps_needed, row.icon),
        needed=row.stamps_needed,
        gives=await _gives(context, row.reward_id, row.reward_points),  # type: ignore[attr-defined]
        status=row.status.value,
    )


async def _gives(context: JifenContext, reward_id: int | None, points: int) -> str:
    if reward_id is None:
        return context.t("stampcards-gives-points", points=points)
    reward = await rewards.get(reward_id)
    return html.escape(localized(reward.names, context.lang)) if reward else "?"


async def status_pressed(update: Update, context: JifenContext, data: CallbackData) -> None:
    """Pause (0) or resume (1) a card type; cards in progress keep their stamps."""
    type_id, resume = data.int_arg(0), data.int_arg(1)
    status = CardTypeStatus.ACTIVE if resume else CardTypeStatus.PAUSED
    user = update.effective_user
    row = None
    if type_id is not None and resume in (0, 1):
        row = await card_types.set_status(type_id, status, user.id if user else None)
    if row is None:
        await reply(update, context.t("common-button-expired"))
        return
    key = "stampcards-resumed" if resume else "stampcards-paused"
    await reply(update, context.t(key, name=html.escape(stamping.type_name(row, context.lang))))


async def new(update: Update, context: JifenContext, _: CallbackData) -> None:
    flows.start_draft(context, DRAFT, {"reward_points": 0})
    await _ask(update, context, 0)


async def _ask(update: Update, context: JifenContext, index: int) -> None:
    """Ask step ``index`` (with its shortcut buttons), or confirm after the last one."""
    if index >= len(STEPS):
        await _summary(update, context)
        return
    step = STEPS[index]
    rows: list[list[tuple[str, str, tuple[object, ...]]]] = []
    if step == "per":
        rows.append(
            [
                (context.t("stampcards-per-purchase"), "mks-pick", (index, 0)),
                (context.t("stampcards-per-item"), "mks-pick", (index, 1)),
            ]
        )
    elif step == "earns":
        rows.append([(context.t("stampcards-any"), "mks-pick", (index, 0))])
    elif step == "reward":
        found = await rewards.list_rewards(limit=8)
        rows += [
            [(localized(r.names, context.lang)[:40], "mks-pick", (index, r.id))] for r in found
        ]
    elif step == "limits":
        rows.append([(context.t("stampcards-no-limits"), "mks-pick", (index, 0))])
    flows.await_input(context, INPUT, index=index)
    markup = keyboard(context, update, *rows) if rows else None
    await reply(update, context.t(f"stampcards-ask-{step}"), reply_markup=markup)


def _draft(context: JifenContext) -> dict[str, Any] | None:
    return flows.draft(context, DRAFT)


async def typed(update: Update, context: JifenContext) -> None:
    """The typed answer to the awaited step: kept and on to the next, or explained."""
    draft, index = _draft(context), flows.awaited(context).get("index")
    if draft is None or not isinstance(index, int) or index >= len(STEPS):
        await reply(update, context.t("common-button-expired"))
        return
    text = text_of(update)
    problem = await _take(context, draft, STEPS[index], text)
    if problem is not None:
        await reply(update, problem)
        return
    await _ask(update, context, index + 1)


async def _take(context: JifenContext, draft: dict[str, Any], step: str, text: str) -> str | None:
    """Put ``text`` into ``draft`` for ``step``; the refusal to show, if it does not fit."""
    if step == "name":
        if not text or len(text) > 64:
            return context.t("stampcards-bad-name")
        draft["names"] = {"en": text, "zh-Hans": text}
    elif step == "needed":
        number = parse_count(text)
        if number is None or not 2 <= number <= card_types.MAX_STAMPS:
            return context.t("stampcards-bad-needed", max=card_types.MAX_STAMPS)
        draft["stamps_needed"] = number
    elif step == "per":
        return context.t("stampcards-press-a-button")
    elif step == "earns":
        return await _earns(context, draft, text)
    elif step == "reward":
        points = parse_count(text)
        if points is None or not 1 <= points <= 1_000_000:
            return context.t("stampcards-bad-reward")
        draft |= {"reward_id": None, "reward_points": points}
    else:
        match = _LIMITS.match(text)
        if match is None:
            return context.t("stampcards-bad-limits")
        days, per_day = int(match[1]), int(match[2]) if match[2] else 0
        draft |= {"lifetime_days": days or None, "daily_limit": per_day or None}
    return None


async def _earns(context: JifenContext, draft: dict[str, Any], text: str) -> str | None:
    """A category (``coffee``), a SKU (``sku:LATTE``) or a minimum amount (``20``)."""
    if not text or len(text) > 64:
        return context.t("stampcards-bad-earns")
    if text.lower().startswith("sku:") and text[4:].strip():
        draft["sku"] = text[4:].strip()
        return None
    if text[0].isdigit() or not text[0].isalpha():
        amount = parse_amount(text, await rules_in_force())
        if not isinstance(amount, Amount):
            return context.t("stampcards-bad-earns")
        draft["min_amount_minor"] = amount.minor
        return None
    draft["category"] = text
    return None


async def pick(update: Update, context: JifenContext, data: CallbackData) -> None:
    """A shortcut button of the awaited step (anything else is an expired button)."""
    draft, index, value = _draft(context), data.int_arg(0), data.int_arg(1)
    awaited = flows.awaited(context).get("index") if flows.awaiting(context) == INPUT else None
    if draft is None or index is None or value is None or index != awaited:
        await reply(update, context.t("common-button-expired"))
        return
    step = STEPS[index]
    if step == "per":
        draft["per_item"] = bool(value)
    elif step == "reward":
        draft |= {"reward_id": value, "reward_points": 0}
    elif step == "limits":
        draft |= {"lifetime_days": None, "daily_limit": None}
    await _ask(update, context, index + 1)


async def _summary(update: Update, context: JifenContext) -> None:
    draft = _draft(context)
    assert draft is not None
    flows.stop(context)
    rules = await rules_in_force()
    earns = (
        f"sku {draft['sku']}"
        if draft.get("sku")
        else draft.get("category")
        or (money(draft["min_amount_minor"], rules) + "+" if draft.get("min_amount_minor") else "")
    )
    text = context.t(
        "stampcards-confirm",
        name=html.escape(draft["names"]["en"]),
        cups=stamping.cups(0, draft["stamps_needed"]),
        needed=draft["stamps_needed"],
        per="item" if draft.get("per_item") else "purchase",
        earns=html.escape(earns or context.t("stampcards-any")),
        gives=await _gives(context, draft.get("reward_id"), draft.get("reward_points", 0)),
        days=draft.get("lifetime_days") or 0,
        per_day=draft.get("daily_limit") or 0,
    )
    await flows.ask_confirm(update, context, KIND, dict(draft), text)


async def confirmed(update: Update, context: JifenContext, action: PendingAction) -> Outcome:
    """Make the confirmed card type (checked again: a reward archived meanwhile refuses)."""
    flows.drop_draft(context, DRAFT)
    made = await card_types.create(action.payload, action.actor_telegram_id)
    if isinstance(made, InvalidCardType):
        return Outcome(context.t("stampcards-invalid", field=made.field))
    return Outcome(context.t("stampcards-created", name=html.escape(made.names["en"])))


BUTTONS = {"mks-st": status_pressed, "mks-new": new, "mks-pick": pick}
INPUTS = {INPUT: typed}
