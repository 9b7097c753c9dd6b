"""Recording a purchase: member card → amount → optional category → confirm → receipt.

The awaited amount lives in the flow state and the category buttons carry (signed) the
member and the amount, so a restart loses nothing. The quote is the ledger's own plan
(:mod:`handlers.till.plan`) kept in a pending action (``till-purchase``): Confirm
records it once under ``pa:<action id>`` if it still earns what was shown (else the new
quote is shown), a repeat shows the same receipt, Confirm after Cancel records nothing.
"""

from __future__ import annotations

import html
import re

from telegram import Update

from handlers import flows
from handlers.callbacks import CallbackData
from handlers.context import JifenContext
from handlers.registry import Outcome, key_of
from handlers.till import plan
from handlers.till import stamps as till_stamps
from handlers.till.common import (
    ButtonSpec,
    active_campaigns,
    keyboard,
    member_card,
    money,
    rules_in_force,
    say,
    show,
    staff_location,
)
from handlers.till.money import REASONS, Amount, parse_amount
from handlers.till.plan import NO_CATEGORY, OTHER
from models import ledger, stamps
from models.access import staff
from models.ledger import PurchasePlan
from models.ledger.config import RuleSet
from models.ledger.results import (
    AmountTooLarge,
    BelowMinimumPurchase,
    PlanChanged,
    PurchaseRecorded,
)
from models.ledger.rules import usable_points
from models.members import membership
from models.store.tables import Member, PendingAction, Role
from scheduler.render import escape_args

AMOUNT_STATE = "till-amount"
KIND = "till-purchase"
_SAFE_CATEGORY = re.compile(r"^[A-Za-z0-9_.:]{1,24}$")


async def on_card(update: Update, context: JifenContext, token: str) -> None:
    """``/start m-<card>``: staff start a purchase, anyone else is sent to the counter."""
    member = await membership.find_by_card(token)
    if not staff.may(context.role, Role.STAFF):
        key = "till-card-show-at-counter" if member is not None else "till-card-unknown"
        await say(update, context.t(key))
        return
    if member is None:
        await say(update, context.t("till-card-unknown"))
        return
    await start(update, context, member)


async def start(update: Update, context: JifenContext, member: Member) -> None:
    """Show who is at the counter and ask for the amount."""
    rules = await rules_in_force()
    rows: list[list[ButtonSpec]] = [[(context.t("common-cancel"), "tx", ())]]
    flows.await_input(context, AMOUNT_STATE, member_id=member.id)
    text = member_card(context, member, rules) + "\n\n" + context.t("till-amount-ask")
    await say(update, text, keyboard(update, context, rows))


async def on_record_button(update: Update, context: JifenContext, data: CallbackData) -> None:
    """ "Record a purchase" under a looked-up member."""
    member = await Member.get_or_none(id=data.int_arg(0) or 0, deleted_at=None)
    if member is None:
        await show(update, context.t("till-card-unknown"))
        return
    await start(update, context, member)


def categories(rules: RuleSet) -> list[str]:
    """Categories worth asking about: those with a multiplier (button-safe names)."""
    return [c for c in rules.earning.category_multipliers if _SAFE_CATEGORY.match(c)]


async def on_amount(update: Update, context: JifenContext) -> None:
    """The typed amount: refused with a reason (still waiting) or on to the category."""
    member_id = int(flows.awaited(context).get("member_id", 0))
    message = update.effective_message
    rules = await rules_in_force()
    text = (message.text if message else None) or ""
    parsed = parse_amount(text, rules)
    if isinstance(parsed, Amount) and parsed.minor < rules.earning.min_purchase_minor:
        await say(
            update,
            context.t(
                "till-amount-below-minimum", minimum=money(rules.earning.min_purchase_minor, rules)
            ),
        )
        return
    if not isinstance(parsed, Amount):
        await say(update, amount_refusal(context, parsed.reason, rules, text))
        return
    flows.stop(context)
    options = categories(rules)
    if not options:
        await confirm(update, context, member_id, parsed.minor, None)
        return
    args = (member_id, parsed.minor)
    rows: list[list[ButtonSpec]] = [[(html.unescape(c), "tc", (*args, c)) for c in options]]
    rows.append(
        [
            (context.t("till-category-other"), "tc", (*args, OTHER)),
            (context.t("till-category-skip"), "tc", (*args, NO_CATEGORY)),
        ]
    )
    rows.append([(context.t("common-cancel"), "tx", ())])
    text = context.t("till-category-ask", amount=money(parsed.minor, rules))
    flows.await_buttons(context, await say(update, text, keyboard(update, context, rows)))


def _refusal_key(reason: str) -> str:
    return f"till-amount-{reason}"


LOCALE_KEYS = tuple(_refusal_key(reason) for reason in REASONS if reason != "not-a-number")
"""Every key built at run time here (``tests/test_runtime_locale_keys.py``)."""


def amount_refusal(context: JifenContext, reason: str, rules: RuleSet, text: str = "") -> str:
    """``till-amount-<reason>`` (or the shared not-a-number text) for a refused amount."""
    example = money(12850, rules).lstrip(rules.currency.symbol)
    if reason == "not-a-number":
        return context.t("common-not-a-number", text=html.escape(text[:40]), example=example)
    return context.t(
        _refusal_key(reason),
        example=example,
        decimals=rules.currency.exponent,
        limit=money(rules.earning.max_purchase_minor, rules),
    )


async def on_category(update: Update, context: JifenContext, data: CallbackData) -> None:
    member_id, amount = data.int_arg(0), data.int_arg(1)
    if member_id is None or amount is None or len(data.args) < 3:
        await show(update, context.t("common-button-expired"))
        return
    category = None if data.args[2] == NO_CATEGORY else data.args[2]
    await confirm(update, context, member_id, amount, category)


async def confirm(
    update: Update, context: JifenContext, member_id: int, amount: int, category: str | None
) -> None:
    """The quote (the ledger's plan: rules, campaigns for this member, cap) with Confirm."""
    rules = await rules_in_force()
    tz = context.settings.scheduler.timezone
    found = await plan.quote(member_id, amount, category, rules, tz)
    if not isinstance(found, PurchasePlan):
        await show(update, refusal(context, found, rules))
        return
    await ask(update, context, found, category, rules, edit=True)


async def ask(
    update: Update,
    context: JifenContext,
    found: PurchasePlan,
    category: str | None,
    rules: RuleSet,
    *,
    edit: bool,
    answer: bool = True,
) -> None:
    """Show ``found`` with Confirm / Cancel (and "pay with points" when it may)."""
    member = await Member.get_or_none(id=found.member_id, deleted_at=None)
    if member is None:
        await show(update, context.t("till-card-unknown"))
        return
    key, args = plan.message(found, context.t, context.lang, member.display_name, category, rules)
    text = context.t(key, **escape_args(args))
    tz = context.settings.scheduler.timezone
    text += await till_stamps.quote_lines(context, member.id, found.amount_minor, category, tz)
    extra: list[list[ButtonSpec]] = []
    amount = found.amount_minor
    if (
        rules.usage.points_as_payment
        and not found.paid_points
        and usable_points(amount, member.balance, rules)
    ):
        extra.append([(context.t("till-pay-offer"), "tpo", (member.id, amount))])
    payload = plan.payload(found, category)
    await flows.ask_confirm(
        update, context, KIND, payload, text, extra=extra, edit=edit, answer=answer
    )


def refusal(context: JifenContext, result: object, rules: RuleSet) -> str:
    """Why a purchase cannot be recorded, in the cashier's words (nothing was written)."""
    if isinstance(result, AmountTooLarge):
        return amount_refusal(context, "too-large", rules)
    if isinstance(result, BelowMinimumPurchase):
        minimum = money(result.minimum, rules)
        return context.t("till-amount-below-minimum", minimum=minimum)
    # UnknownMember, InvalidAmount, UnknownCurrency
    return context.t("till-card-unknown")


async def confirmed(update: Update, context: JifenContext, action: PendingAction) -> Outcome:
    """Confirm: record the purchase once (key ``pa:<id>``), exactly as quoted; a plan that
    changed meanwhile is shown again instead (nothing written)."""
    member_id, amount = int(action.payload["member_id"]), int(action.payload["amount"])
    category = action.payload.get("category")
    expected = action.payload.get("points")
    rules = await rules_in_force()
    staff_id = action.actor_telegram_id
    tz = context.settings.scheduler.timezone
    result = await ledger.earn_for_purchase(
        member_id,
        amount,
        rules.currency.code,
        idempotency_key=key_of(action),
        category=category,
        location=staff_location(context),
        staff_telegram_id=staff_id,
        campaigns=await active_campaigns(tz),
        tz=tz,
        paid_points=int(action.payload.get("paid_points", 0)),
        expect_points=None if expected is None else int(expected),
    )
    if isinstance(result, PlanChanged):
        found = await plan.quote(
            member_id, amount, category, rules, tz, int(action.payload.get("paid_points", 0))
        )
        if isinstance(found, PurchasePlan):
            await ask(update, context, found, category, rules, edit=False, answer=False)
            return Outcome(context.t("till-purchase-changed"), html=False)
        return Outcome(refusal(context, found, rules))
    if isinstance(result, PurchaseRecorded):
        member = await Member.get(id=result.member_id)
        text = context.t(
            "till-receipt-staff",
            name=html.escape(member.display_name),
            amount=money(amount, rules),
            receipt=result.receipt_code,
            points=result.points,
            balance=result.balance,
        )
        return Outcome(text + till_stamps.lines(context, stamps.of(result)))
    return Outcome(refusal(context, result, rules))
