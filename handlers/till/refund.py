"""Refunds: ``/refund <receipt>`` → the purchase → full or typed partial amount → Confirm.

Points come back proportionally (``models.ledger.refund``, under the rule's refund
policy); the ledger tells the member (``till-refund-member``) in the refund's transaction.
"""

from __future__ import annotations

import html

from telegram import Update

from handlers.callbacks import CallbackData
from handlers.context import JifenContext
from handlers.registry import await_input, awaited, stop_awaiting
from handlers.till.common import (
    actor_id,
    confirm_row,
    keyboard,
    money,
    name_of,
    rules_in_force,
    say,
    show,
    when,
)
from handlers.till.money import Amount, parse_amount
from handlers.till.purchase import amount_refusal
from models import ledger
from models.results import Refunded, RefundExceedsPurchase
from models.tables import Member, Purchase

AMOUNT_STATE = "till-refund-amount"


async def refund_command(update: Update, context: JifenContext) -> None:
    stop_awaiting(context)
    if not context.args:
        await say(update, context.t("till-refund-usage"))
        return
    purchase = await ledger.find_purchase("".join(context.args))
    if purchase is None:
        await say(update, context.t("till-refund-unknown"))
        return
    rules = await rules_in_force()
    member = await Member.get_or_none(id=purchase.member_id)  # type: ignore[attr-defined]
    refundable = purchase.amount_minor - purchase.refunded_minor
    text = context.t(
        "till-refund-preview",
        receipt=purchase.receipt_code,
        name=name_of(member),
        amount=money(purchase.amount_minor, rules),
        at=when(context, purchase.created_at),
        points=purchase.points_awarded,
        refunded=money(purchase.refunded_minor, rules),
        refundable=money(refundable, rules),
    )
    if refundable <= 0:
        await say(update, text + "\n\n" + context.t("till-refund-nothing-left"))
        return
    await_input(context, AMOUNT_STATE, purchase_id=purchase.id)
    full = context.t("till-refund-full", amount=money(refundable, rules))
    rows = [[(full, "tr", (purchase.id, refundable))], [(context.t("common-cancel"), "tx", ())]]
    await say(update, text + "\n\n" + context.t("till-refund-ask"), keyboard(update, context, rows))


async def on_amount(update: Update, context: JifenContext) -> None:
    """A typed partial amount (over the refundable amount: refused, still waiting)."""
    purchase = await Purchase.get_or_none(id=int(awaited(context).get("purchase_id", 0)))
    if purchase is None:
        stop_awaiting(context)
        await say(update, context.t("till-refund-unknown"))
        return
    rules = await rules_in_force()
    message = update.effective_message
    text = (message.text if message else None) or ""
    parsed = parse_amount(text, rules)
    refundable = purchase.amount_minor - purchase.refunded_minor
    if not isinstance(parsed, Amount):
        await say(update, amount_refusal(context, parsed.reason, rules, text))
        return
    if parsed.minor > refundable:
        await say(update, context.t("till-refund-too-much", refundable=money(refundable, rules)))
        return
    stop_awaiting(context)
    await _confirm(update, context, purchase, parsed.minor)


async def on_full(update: Update, context: JifenContext, data: CallbackData) -> None:
    purchase = await Purchase.get_or_none(id=data.int_arg(0) or 0)
    amount = data.int_arg(1)
    if purchase is None or not amount:
        await show(update, context.t("till-refund-unknown"))
        return
    stop_awaiting(context)
    await _confirm(update, context, purchase, amount)


async def _confirm(update: Update, context: JifenContext, purchase: Purchase, amount: int) -> None:
    rules = await rules_in_force()
    total = purchase.refunded_minor + amount
    points = purchase.points_awarded * total // purchase.amount_minor - purchase.points_reversed
    text = context.t(
        "till-refund-confirm",
        amount=money(amount, rules),
        receipt=purchase.receipt_code,
        points=points,
    )
    markup = keyboard(update, context, [confirm_row(context, "trc", purchase.id, amount)])
    await show(update, text, markup)


async def on_confirm(update: Update, context: JifenContext, data: CallbackData) -> None:
    """Refund it: keyed by the confirmation message, so a second tap replays."""
    query = update.callback_query
    purchase_id, amount = data.int_arg(0), data.int_arg(1)
    if query is None or query.message is None or purchase_id is None or not amount:
        await show(update, context.t("common-button-expired"))
        return
    rules = await rules_in_force()
    staff_id = actor_id(update)
    result = await ledger.refund(
        purchase_id,
        amount,
        idempotency_key=f"till-refund:{staff_id}:{query.message.message_id}",
        staff_telegram_id=staff_id,
        policy=rules.usage.refund_policy,
    )
    if isinstance(result, RefundExceedsPurchase):
        refundable = money(result.refundable_minor, rules)
        await show(update, context.t("till-refund-too-much", refundable=refundable))
        return
    if not isinstance(result, Refunded):
        await show(update, context.t("till-refund-unknown"))
        return
    purchase = await Purchase.get(id=result.purchase_id)
    member = await Member.get(id=result.member_id)  # told by the ledger, via the outbox
    text = context.t(
        "till-refund-done",
        amount=money(result.amount_minor, rules),
        receipt=purchase.receipt_code,
        points=result.points_reversed,
        balance=result.balance,
        name=html.escape(member.display_name),
    )
    await show(update, text)
