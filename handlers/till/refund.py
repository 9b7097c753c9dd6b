"""Refunds: ``/refund <receipt>`` → the purchase → full or typed partial amount → Confirm.

Points come back proportionally (``models.ledger.refund``, under the rule's refund
policy); the ledger tells the member (``till-refund-member``) in the refund's transaction.
"""

from __future__ import annotations

import html

from telegram import Update

from handlers import flows
from handlers.callbacks import CallbackData
from handlers.context import JifenContext
from handlers.registry import Outcome, key_of
from handlers.till.common import (
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
from models.ledger.results import Refunded, RefundExceedsPurchase
from models.store.tables import Member, PendingAction, Purchase

AMOUNT_STATE = "till-refund-amount"
KIND = "till-refund"


async def refund_command(update: Update, context: JifenContext) -> None:
    flows.stop(context)
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
    flows.await_input(context, AMOUNT_STATE, purchase_id=purchase.id)
    full = context.t("till-refund-full", amount=money(refundable, rules))
    rows = [[(full, "tr", (purchase.id, refundable))], [(context.t("common-cancel"), "tx", ())]]
    await say(update, text + "\n\n" + context.t("till-refund-ask"), keyboard(update, context, rows))


async def on_amount(update: Update, context: JifenContext) -> None:
    """A typed partial amount (over the refundable amount: refused, still waiting)."""
    purchase = await Purchase.get_or_none(id=int(flows.awaited(context).get("purchase_id", 0)))
    if purchase is None:
        flows.stop(context)
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
    flows.stop(context)
    await _confirm(update, context, purchase, parsed.minor)


async def on_full(update: Update, context: JifenContext, data: CallbackData) -> None:
    purchase = await Purchase.get_or_none(id=data.int_arg(0) or 0)
    amount = data.int_arg(1)
    if purchase is None or not amount:
        await show(update, context.t("till-refund-unknown"))
        return
    flows.stop(context)
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
    payload = {"purchase_id": purchase.id, "amount": amount}
    await flows.ask_confirm(update, context, KIND, payload, text, edit=True)


async def confirmed(update: Update, context: JifenContext, action: PendingAction) -> Outcome:
    """Refund it once (key ``pa:<id>``); the ledger tells the member in its transaction."""
    purchase_id, amount = int(action.payload["purchase_id"]), int(action.payload["amount"])
    rules = await rules_in_force()
    result = await ledger.refund(
        purchase_id,
        amount,
        idempotency_key=key_of(action),
        staff_telegram_id=action.actor_telegram_id,
        policy=rules.usage.refund_policy,
    )
    if isinstance(result, RefundExceedsPurchase):
        refundable = money(result.refundable_minor, rules)
        return Outcome(context.t("till-refund-too-much", refundable=refundable))
    if not isinstance(result, Refunded):
        return Outcome(context.t("till-refund-unknown"))
    purchase = await Purchase.get(id=result.purchase_id)
    member = await Member.get(id=result.member_id)
    text = context.t(
        "till-refund-done",
        amount=money(result.amount_minor, rules),
        receipt=purchase.receipt_code,
        points=result.points_reversed,
        balance=result.balance,
        name=html.escape(member.display_name),
    )
    return Outcome(text)
