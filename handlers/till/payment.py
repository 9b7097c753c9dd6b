"""Points as payment (rule ``usage.points_as_payment``, off by default).

At the purchase confirmation the cashier may offer "pay with points"; the MEMBER confirms
in their own chat: a pending action (``till-pay``, the member is its actor) shown with
Confirm/Decline through the outbox, bound to that message on the first press. Confirm
spends the points under ``pa:<action id>``, so a double tap pays once, Confirm after
Decline pays nothing, and the cashier is told the discount in money. The discount
is ``points × usage.point_value_minor``, at most ``usage.max_payment_share_percent`` of
the bill, and never more than the member holds. The purchase itself is then confirmed
by the cashier as usual, for the whole bill.
"""

from __future__ import annotations

import html
from datetime import timedelta
from decimal import ROUND_FLOOR, Decimal

from telegram import Update

from handlers import flows
from handlers.callbacks import CallbackData
from handlers.context import JifenContext
from handlers.registry import Outcome, key_of
from handlers.till.common import actor_id, money, rules_in_force, say
from models import ledger
from models.conversation import pending
from models.delivery import outbox
from models.ledger.config import RuleSet
from models.ledger.results import InsufficientPoints, Spent
from models.store.tables import Member, PendingAction

KIND = "till-pay"


def usable_points(amount_minor: int, balance: int, rules: RuleSet) -> int:
    """The most points that may pay for a bill of ``amount_minor``."""
    value = rules.usage.point_value_minor
    if value <= 0 or balance <= 0:
        return 0
    cap = Decimal(amount_minor * rules.usage.max_payment_share_percent) / 100
    return max(0, min(balance, int((cap / value).to_integral_value(rounding=ROUND_FLOOR))))


def discount_minor(points: int, rules: RuleSet) -> int:
    value = Decimal(points) * rules.usage.point_value_minor
    return int(value.to_integral_value(rounding=ROUND_FLOOR))


async def on_offer(update: Update, context: JifenContext, data: CallbackData) -> None:
    """Cashier: ask the member (in their chat) to pay part of the bill with points."""
    query = update.callback_query
    member_id, amount = data.int_arg(0), data.int_arg(1)
    rules = await rules_in_force()
    member = await Member.get_or_none(id=member_id or 0, deleted_at=None)
    if query is None or query.message is None or member is None or not amount:
        await say(update, context.t("common-button-expired"))
        return
    points = usable_points(amount, member.balance, rules)
    if not rules.usage.points_as_payment or points <= 0 or member.telegram_id is None:
        await say(update, context.t("till-pay-unavailable"))
        return
    staff_id = actor_id(update)
    member_tg = member.telegram_id
    valid = timedelta(minutes=context.settings.flows.confirm_valid_minutes)
    payload = {"staff_id": staff_id, "points": points, "amount": amount}
    action = await pending.create(member_tg, member_tg, KIND, payload, valid)
    confirm, cancel = (context.codec.encode(member_tg, a, action.id) for a in flows.ACTIONS)
    buttons = [
        [
            {"text_key": "common-confirm", "callback": confirm},
            {"text_key": "till-pay-decline", "callback": cancel},
        ]
    ]
    discount = money(discount_minor(points, rules), rules)
    await outbox.enqueue(
        chat_id=member_tg,
        template="till-pay-ask-member",
        args={"points": points, "discount": discount, "amount": money(amount, rules)},
        member=member,
        buttons=buttons,
        dedupe_key=f"till-pay-ask:{staff_id}:{query.message.message_id}",
    )
    await say(
        update,
        context.t(
            "till-pay-asked",
            name=html.escape(member.display_name),
            points=points,
            discount=discount,
        ),
    )


async def _tell_staff(staff_id: int, template: str, **args: object) -> None:
    cashier = await Member.get_or_none(telegram_id=staff_id)
    await outbox.enqueue(chat_id=staff_id, template=template, args=dict(args), member=cashier)


async def member_confirmed(update: Update, context: JifenContext, action: PendingAction) -> Outcome:
    """Member: Confirm spends the points once; the cashier is told the discount."""
    staff_id, points = int(action.payload["staff_id"]), int(action.payload["points"])
    amount = int(action.payload["amount"])
    member = context.member
    assert member is not None
    rules = await rules_in_force()
    result = await ledger.spend(
        member.id,
        points,
        idempotency_key=key_of(action),
        reason="payment",
        actor_telegram_id=staff_id,
    )
    name = member.display_name
    if isinstance(result, InsufficientPoints):
        await _tell_staff(staff_id, "till-pay-staff-declined", name=name)
        return Outcome(context.t("till-pay-insufficient", balance=result.balance))
    if not isinstance(result, Spent):
        return Outcome(context.t("common-button-expired"))
    discount = discount_minor(result.points, rules)
    if not result.replayed:
        await _tell_staff(
            staff_id,
            "till-pay-staff-paid",
            name=name,
            points=result.points,
            discount=money(discount, rules),
            due=money(max(amount - discount, 0), rules),
        )
    text = context.t(
        "till-pay-paid",
        points=result.points,
        discount=money(discount, rules),
        balance=result.balance,
    )
    return Outcome(text)


async def member_declined(update: Update, context: JifenContext, action: PendingAction) -> Outcome:
    """Member: Decline (the Cancel of this action); the cashier is told."""
    if context.member is not None:
        staff_id = int(action.payload["staff_id"])
        await _tell_staff(staff_id, "till-pay-staff-declined", name=context.member.display_name)
    return Outcome(context.t("till-pay-declined"))
