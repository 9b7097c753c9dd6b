"""Finding a member at the till (``/checkout``, ``/member``) and admin corrections (``/adjust``)."""

from __future__ import annotations

import html

from telegram import InlineKeyboardMarkup, Update

from handlers import flows
from handlers.callbacks import CallbackData
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
    show,
    when,
)
from locales import localized
from models import ledger
from models.access import staff
from models.catalogue import browsing
from models.ledger.results import Credited, InsufficientPoints, Spent
from models.members import membership
from models.store.tables import Member, PendingAction, Purchase, Role

FIND_STATE = "till-find"
ADJUST_STATE = "till-adjust"
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
    """One match goes on, several are a choice, none is said (still waiting)."""
    member = await _resolve(text)
    if isinstance(member, membership.AmbiguousMember):
        action = "tq" if purpose == "checkout" else "tm"
        await _offer_choice(update, context, text, member, action)
        return
    if member is None:
        await say(update, context.t("till-member-not-found"))
        return
    flows.stop(context)
    await _go(update, context, purpose, member)


async def _resolve(text: str) -> Member | membership.AmbiguousMember | None:
    """By code or phone (main's lookup: a phone's end may match several) or else by part
    of a name (several: an :class:`~membership.AmbiguousMember` with candidates)."""
    member = await membership.lookup(text) if text.strip() else None
    if member is None and text.strip():
        named = await membership.search(text)
        member = named[0] if len(named) == 1 else membership.AmbiguousMember(tuple(named))
    if isinstance(member, membership.AmbiguousMember) and not member.candidates:
        return None
    return member


async def _offer_choice(
    update: Update,
    context: JifenContext,
    text: str,
    found: membership.AmbiguousMember,
    action: str,
    *extra: object,
) -> None:
    key = "till-find-ambiguous" if membership.is_phone_text(text) else "till-find-choose"
    await say(update, context.t(key), _choices(update, context, found, action, *extra))


async def _go(update: Update, context: JifenContext, purpose: str, member: Member) -> None:
    if purpose == "checkout":
        await purchase.start(update, context, member)
    else:
        await profile(update, context, member)


def _choices(
    update: Update,
    context: JifenContext,
    found: membership.AmbiguousMember,
    action: str,
    *extra: object,
) -> InlineKeyboardMarkup | None:
    """One button per candidate (name and the phone's last digits): checkout, profile or
    adjust (whose points ride along in ``extra``)."""
    rows = [
        [
            (
                context.t(
                    "till-find-candidate",
                    name=m.display_name,
                    phone=membership.masked_phone(m.phone),
                ),
                action,
                (m.id, *extra),
            )
        ]
        for m in found.candidates
    ]
    return keyboard(update, context, rows)


async def on_profile_button(update: Update, context: JifenContext, data: CallbackData) -> None:
    """A candidate chosen for /member (a deleted one meanwhile: not found)."""
    member = await Member.get_or_none(id=data.int_arg(0) or 0, deleted_at=None)
    if member is None:
        await show(update, context.t("till-member-not-found"))
        return
    flows.stop(context)
    await profile(update, context, member)


async def profile(update: Update, context: JifenContext, member: Member) -> None:
    """A member as staff see them: card (tier, balance), phone, recent purchases, the
    vouchers they hold; record a purchase, and (admins) adjust their points."""
    rules = await rules_in_force()
    recent = await Purchase.filter(member_id=member.id).order_by("-created_at", "-id").limit(5)
    held = (await browsing.member_vouchers(member.id, recent=0)).active
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
        vouchers="\n".join(
            context.t(
                "till-lookup-voucher",
                code=v.code,
                reward=html.escape(localized(v.reward.names, context.lang)),
                until=when(context, v.valid_until),
            )
            for v in held
        )
        or context.t("till-lookup-no-vouchers"),
    )
    rows = [[(context.t("till-lookup-record"), "tq", (member.id,))]]
    if staff.may(context.role, Role.ADMIN):
        rows.append([(context.t("till-lookup-adjust"), "ta", (member.id,))])
    await say(update, text, keyboard(update, context, rows))


async def on_adjust_button(update: Update, context: JifenContext, data: CallbackData) -> None:
    """Adjust from a member's profile (admins): the change and reason are typed next."""
    member_id = data.int_arg(0)
    member = await Member.get_or_none(id=member_id, deleted_at=None) if member_id else None
    if member is None:
        await say(update, context.t("till-member-not-found"))
        return
    flows.await_input(context, ADJUST_STATE, member_id=member.id)
    await say(update, context.t("till-adjust-ask", name=name_of(member)))


async def on_adjust_text(update: Update, context: JifenContext) -> None:
    """``-50 duplicate purchase``: on to the same confirm step as /adjust."""
    message = update.effective_message
    words = ((message.text if message else None) or "").split()
    member = await Member.get_or_none(id=int(flows.awaited(context)["member_id"]), deleted_at=None)
    points = _signed(words[0]) if len(words) >= 2 else None
    if member is None or points is None:
        await say(update, context.t("till-adjust-ask", name=name_of(member) if member else "—"))
        return
    flows.stop(context)
    await _ask_adjust(update, context, member, points, " ".join(words[1:]))


async def adjust_command(update: Update, context: JifenContext) -> None:
    """``/adjust <member code|phone|name> <±points> <reason>`` (admin) → Confirm; a name
    that several members share is a choice first, as with /member."""
    flows.stop(context)
    args = context.args or []
    at = next((i for i in range(1, len(args) - 1) if _signed(args[i]) is not None), None)
    if at is None:
        await say(update, context.t("till-adjust-usage"))
        return
    who, points, reason = " ".join(args[:at]), _signed(args[at]) or 0, " ".join(args[at + 1 :])
    member = await _resolve(who)
    if isinstance(member, membership.AmbiguousMember):
        flows.start_draft(context, KIND, {"points": points, "reason": reason[:200]})
        await _offer_choice(update, context, who, member, "taj", points)
        return
    if member is None:
        await say(update, context.t("till-member-not-found"))
        return
    await _ask_adjust(update, context, member, points, reason)


async def on_adjust_choice(update: Update, context: JifenContext, data: CallbackData) -> None:
    """A member chosen for /adjust: the confirm step with the points and reason typed
    (a choice from an older /adjust, whose reason is gone, is stale)."""
    member = await Member.get_or_none(id=data.int_arg(0) or 0, deleted_at=None)
    draft = flows.draft(context, KIND)
    if draft is None or tuple(data.args[1:2]) != (str(draft.get("points")),):
        await show(update, context.t("common-button-expired"))
        return
    if member is None:
        await show(update, context.t("till-member-not-found"))
        return
    flows.drop_draft(context, KIND)
    await _ask_adjust(update, context, member, int(draft["points"]), str(draft["reason"]))


async def _ask_adjust(
    update: Update, context: JifenContext, member: Member, points: int, reason: str
) -> None:
    """The confirm step of an adjustment (refused at once if it would overdraw)."""
    if member.balance + points < 0:  # refused before Confirm: nothing is written
        held = context.t("common-points", points=member.balance)
        await say(update, context.t("till-adjust-insufficient", points=held))
        return
    reason = reason[:200]
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
