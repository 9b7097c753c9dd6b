"""Finding a member at the till (``/checkout``, ``/member``) and admin corrections (``/adjust``)."""

from __future__ import annotations

import html

from telegram import Update

from handlers import flows
from handlers.context import JifenContext
from handlers.member.common import signed
from handlers.registry import Outcome, key_of
from handlers.till import purchase
from handlers.till.common import (
    keyboard,
    member_card,
    money,
    name_of,
    rules_in_force,
    say,
    when,
)
from models import ledger, members
from models.results import Credited, InsufficientPoints, Spent
from models.tables import Member, PendingAction, Purchase

FIND_STATE = "till-find"
KIND = "till-adjust"
_MAX_ADJUST = 10_000_000


async def checkout_command(update: Update, context: JifenContext) -> None:
    """``/checkout <phone|code>``: a purchase for a member without their card."""
    await _find_then(update, context, "checkout")


async def member_command(update: Update, context: JifenContext) -> None:
    """``/member <phone|code>``: profile, tier, balance and the last five purchases."""
    await _find_then(update, context, "lookup")


async def _find_then(update: Update, context: JifenContext, purpose: str) -> None:
    flows.stop(context)
    if context.args:
        await _found(update, context, purpose, " ".join(context.args))
        return
    flows.await_input(context, FIND_STATE, purpose=purpose)
    await say(update, context.t("till-find-ask"))


async def on_find(update: Update, context: JifenContext) -> None:
    """The awaited phone or code (not found: said so, still waiting)."""
    message = update.effective_message
    purpose = str(flows.awaited(context).get("purpose", "lookup"))
    await _found(update, context, purpose, (message.text if message else None) or "")


async def _found(update: Update, context: JifenContext, purpose: str, text: str) -> None:
    member = await members.find_by_code_or_phone(text) if text.strip() else None
    if member is None:
        await say(update, context.t("till-member-not-found"))
        return
    flows.stop(context)
    if purpose == "checkout":
        await purchase.start(update, context, member)
    else:
        await profile(update, context, member)


async def profile(update: Update, context: JifenContext, member: Member) -> None:
    rules = await rules_in_force()
    recent = await Purchase.filter(member_id=member.id).order_by("-created_at", "-id").limit(5)
    lines = [
        context.t(
            "till-lookup-purchase",
            at=when(context, p.created_at),
            amount=money(p.amount_minor, rules),
            points=p.points_awarded,
            receipt=p.receipt_code,
        )
        for p in recent
    ]
    text = context.t(
        "till-lookup-profile",
        card=member_card(context, member, rules),
        phone=html.escape(member.phone or "—"),
        joined=when(context, member.created_at),
        purchases="\n".join(lines) or context.t("till-lookup-no-purchases"),
    )
    rows = [[(context.t("till-lookup-record"), "tq", (member.id,))]]
    await say(update, text, keyboard(update, context, rows))


async def adjust_command(update: Update, context: JifenContext) -> None:
    """``/adjust <member code|phone> <±points> <reason>`` (admin) → Confirm."""
    flows.stop(context)
    args = context.args or []
    points = _signed(args[1]) if len(args) >= 3 else None
    if points is None:
        await say(update, context.t("till-adjust-usage"))
        return
    member = await members.find_by_code_or_phone(args[0])
    if member is None:
        await say(update, context.t("till-member-not-found"))
        return
    if member.balance + points < 0:  # refused before Confirm: nothing is written
        held = context.t("common-points", points=member.balance)
        await say(update, context.t("till-adjust-insufficient", points=held))
        return
    reason = " ".join(args[2:])[:200]
    text = context.t(
        "till-adjust-confirm",
        name=name_of(member),
        points=signed(points),
        before=member.balance,
        after=member.balance + points,
        reason=html.escape(reason),
    )
    payload = {"member_id": member.id, "points": points, "reason": reason}
    await flows.ask_confirm(update, context, KIND, payload, text)


def _signed(text: str) -> int | None:
    body = text[1:] if text[:1] in "+-" else text
    if not body.isdigit() or not 0 < int(body) <= _MAX_ADJUST:
        return None
    return -int(body) if text.startswith("-") else int(body)


async def adjust_confirmed(update: Update, context: JifenContext, action: PendingAction) -> Outcome:
    """Adjust once (key ``pa:<id>``); the ledger queues the member's notice with it."""
    points = int(action.payload["points"])
    result = await ledger.adjust(
        int(action.payload["member_id"]),
        points,
        reason=str(action.payload["reason"]),
        actor_telegram_id=action.actor_telegram_id,
        idempotency_key=key_of(action),
        tz=context.settings.scheduler.timezone,
    )
    if isinstance(result, InsufficientPoints):
        held = context.t("common-points", points=result.balance)
        return Outcome(context.t("till-adjust-insufficient", points=held))
    if not isinstance(result, Credited | Spent):
        return Outcome(context.t("till-member-not-found"))
    before = result.balance - points
    text = context.t("till-adjust-done", points=signed(points), before=before, after=result.balance)
    return Outcome(text)
