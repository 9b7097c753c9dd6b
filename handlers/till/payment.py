"""Points as payment (rule ``usage.points_as_payment``, off by default).

At the purchase confirmation the cashier may offer "pay with points"; the MEMBER confirms
in their own chat: a pending action (``till-pay``, the member is its actor) shown with
Confirm/Decline through the outbox, bound to that message on the first press. Confirm
spends the points under ``pa:<action id>``, so a double tap pays once and Confirm after
Decline pays nothing. The discount is ``points × usage.point_value_minor``, at most
``usage.max_payment_share_percent`` of the bill, and never more than the member holds
(:func:`models.ledger.rules.usable_points`).

What the cashier confirms is then a new plan: the member's Confirm first withdraws the
cashier's open Confirm (one conditional update: if the cashier finished it already, no
points are used), spends, and sends the cashier a new Confirm with the ledger's plan for
the bill less the points (amount to collect, points earned: by default none on the part
paid with points, rule ``usage.earn_on_points_payment``). That Confirm records exactly
that plan (:mod:`handlers.till.purchase`).
"""

from __future__ import annotations

import html
from datetime import timedelta

from telegram import Update

import locales
from handlers import flows
from handlers.callbacks import CallbackData
from handlers.context import JifenContext
from handlers.registry import Outcome, key_of
from handlers.till import plan
from handlers.till.common import actor_id, money, rules_in_force, say
from handlers.till.purchase import KIND as PURCHASE
from models import ledger
from models.conversation import pending
from models.delivery import outbox
from models.ledger import PurchasePlan
from models.ledger.results import InsufficientPoints, Spent
from models.ledger.rules import discount_minor, usable_points
from models.stamps import stamping
from models.stamps.lines import stamp_lines
from models.store.tables import Member, PendingAction

KIND = "till-pay"


async def on_offer(update: Update, context: JifenContext, data: CallbackData) -> None:
    """Cashier: ask the member (in their chat) to pay part of the bill with points."""
    query = update.callback_query
    rules = await rules_in_force()
    purchase = await _shown_purchase(update, context)
    if query is None or query.message is None or purchase is None:
        await say(update, context.t("common-button-expired"))
        return
    amount = int(purchase.payload["amount"])
    member = await Member.get_or_none(id=int(purchase.payload["member_id"]), deleted_at=None)
    if member is None:
        await say(update, context.t("common-button-expired"))
        return
    points = usable_points(amount, member.balance, rules)
    if not rules.usage.points_as_payment or points <= 0 or member.telegram_id is None:
        await say(update, context.t("till-pay-unavailable"))
        return
    staff_id = actor_id(update)
    member_tg = member.telegram_id
    valid = timedelta(minutes=context.settings.flows.confirm_valid_minutes)
    payload = {
        "staff_id": staff_id,
        "points": points,
        "amount": amount,
        "category": purchase.payload.get("category"),
        "purchase_action": purchase.id,
        "language": context.lang,
    }
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


async def _shown_purchase(update: Update, context: JifenContext) -> PendingAction | None:
    """The purchase confirm step whose "pay with points" was pressed: the flow's open
    step, if the press came from its message (an older copy's button is stale)."""
    query = update.callback_query
    step = flows.awaited_buttons(context) or {}
    if query is None or query.message is None or step.get("message") != query.message.message_id:
        return None
    found = await pending.get(int(step["action"])) if step.get("action") else None
    return found if found is not None and found.kind == PURCHASE else None


async def _tell_staff(staff_id: int, template: str, **args: object) -> None:
    cashier = await Member.get_or_none(telegram_id=staff_id)
    await outbox.enqueue(chat_id=staff_id, template=template, args=dict(args), member=cashier)


async def member_confirmed(update: Update, context: JifenContext, action: PendingAction) -> Outcome:
    """Member: Confirm withdraws the cashier's open Confirm, spends the points once, and
    sends the cashier the new plan to confirm."""
    staff_id, points = int(action.payload["staff_id"]), int(action.payload["points"])
    member = context.member
    assert member is not None
    rules = await rules_in_force()
    shown = action.payload.get("purchase_action")
    if shown is None or not await pending.supersede(int(shown), PURCHASE, staff_id, action.id):
        return Outcome(context.t("till-pay-too-late"))
    result = await ledger.spend(
        member.id,
        points,
        idempotency_key=key_of(action),
        reason="payment",
        actor_telegram_id=staff_id,
    )
    if isinstance(result, InsufficientPoints):
        await _new_plan(context, action, member, 0, "till-pay-staff-unpaid")
        return Outcome(context.t("till-pay-insufficient", balance=result.balance))
    if not isinstance(result, Spent):
        return Outcome(context.t("common-button-expired"))
    await _new_plan(context, action, member, result.points, "till-pay-staff-paid")
    text = context.t(
        "till-pay-paid",
        points=result.points,
        discount=money(discount_minor(result.points, rules), rules),
        balance=result.balance,
    )
    return Outcome(text)


async def _new_plan(
    context: JifenContext, pay: PendingAction, member: Member, paid_points: int, template: str
) -> None:
    """The cashier's new Confirm (through the outbox, in the cashier's language): the
    ledger's plan for the bill with ``paid_points`` paid, as a fresh pending action."""
    staff_id, amount = int(pay.payload["staff_id"]), int(pay.payload["amount"])
    category = pay.payload.get("category")
    rules = await rules_in_force()
    tz = context.settings.scheduler.timezone
    found = await plan.quote(member.id, amount, category, rules, tz, paid_points)
    if not isinstance(found, PurchasePlan):  # the member left meanwhile: nothing to confirm
        return
    language = locales.normalize(pay.payload.get("language"))
    t = locales.translator(language)
    _, args = plan.message(found, t, language, member.display_name, category, rules)
    # what Confirm will stamp, as the chat's own confirm says it (the renderer escapes)
    cards = await stamping.quote(member.id, found.amount_minor, category, (), tz)
    args["stamps"] = "".join("\n" + line for line in stamp_lines(t, cards, language))
    valid = timedelta(minutes=context.settings.flows.confirm_valid_minutes)
    fresh = await pending.create(staff_id, staff_id, PURCHASE, plan.payload(found, category), valid)
    confirm, cancel = (context.codec.encode(staff_id, a, fresh.id) for a in flows.ACTIONS)
    await outbox.enqueue(
        chat_id=staff_id,
        template=template,
        args=args,
        language=language,
        buttons=[
            [
                {"text_key": "common-confirm", "callback": confirm},
                {"text_key": "common-cancel", "callback": cancel},
            ]
        ],
        dedupe_key=f"till-pay-plan:{pay.id}",
    )


async def member_declined(update: Update, context: JifenContext, action: PendingAction) -> Outcome:
    """Member: Decline (the Cancel of this action); the cashier is told."""
    if context.member is not None:
        staff_id = int(action.payload["staff_id"])
        await _tell_staff(staff_id, "till-pay-staff-declined", name=context.member.display_name)
    return Outcome(context.t("till-pay-declined"))
