"""Redeeming a voucher at the till: scan (or type, or photograph) → preview → Confirm.

The store's single conditional update decides the winner; this module only shows the
voucher first and renders each outcome (used when and by whom, expired, voided).
"""

from __future__ import annotations

import html

from telegram import Update

from handlers import flows
from handlers.context import JifenContext
from handlers.registry import Outcome, reply, what_you_can_do
from handlers.till import scanning
from handlers.till.common import (
    name_by_telegram_id,
    name_of,
    say,
    staff_location,
    when,
)
from models.access import staff
from models.catalogue import vouchers
from models.codes import tokens
from models.ledger.results import AlreadyUsed, Expired, Redeemed, UnknownVoucher, Voided
from models.store import clock
from models.store.tables import Member, PendingAction, Reward, Role, Voucher, VoucherStatus

CODE_STATE = "till-redeem-code"
KIND = "till-redeem"


async def on_voucher_link(update: Update, context: JifenContext, token: str) -> None:
    """``/start v-<token>``: staff see the voucher, its holder is sent to the counter."""
    if not staff.may(context.role, Role.STAFF):
        found = await vouchers.find(token)
        await say(
            update, context.t("till-voucher-show-at-counter" if found else "till-voucher-unknown")
        )
        return
    await preview(update, context, token)


async def redeem_command(update: Update, context: JifenContext) -> None:
    """``/redeem K7QM-4PXD`` (or ``/redeem`` then the code or a photo of the QR)."""
    flows.stop(context)
    if context.args:
        await preview(update, context, "".join(context.args))
        return
    flows.await_input(context, CODE_STATE)
    await say(update, context.t("till-redeem-ask"))


async def on_code(update: Update, context: JifenContext) -> None:
    """The awaited code (a photo goes through the QR decoder)."""
    message = update.effective_message
    if message is not None and message.photo:
        flows.stop(context)
        await scanning.on_photo(update, context)
        return
    text = (message.text if message else None) or ""
    if await vouchers.find(text) is None:
        await say(update, context.t("till-voucher-unknown"))
        return
    flows.stop(context)
    await preview(update, context, text)


def refusal(
    context: JifenContext, result: AlreadyUsed | Expired | Voided | UnknownVoucher, by: str = ""
) -> str:
    if isinstance(result, AlreadyUsed):
        return context.t("till-voucher-used", at=when(context, result.at), by=by)
    if isinstance(result, Expired):
        return context.t("till-voucher-expired", on=when(context, result.on))
    if isinstance(result, Voided):
        return context.t("till-voucher-voided", at=when(context, result.at))
    return context.t("till-voucher-unknown")


async def _state(voucher: Voucher) -> AlreadyUsed | Expired | Voided | None:
    """Why the voucher cannot be redeemed now, as the store would answer."""
    if voucher.status == VoucherStatus.REDEEMED and voucher.redeemed_at is not None:
        return AlreadyUsed(at=voucher.redeemed_at, by=voucher.redeemed_by)
    if voucher.status == VoucherStatus.VOIDED:
        return Voided(at=voucher.voided_at, reason=voucher.void_reason)
    if voucher.status == VoucherStatus.EXPIRED or voucher.valid_until <= clock.now():
        return Expired(on=voucher.valid_until)
    return None


async def preview(update: Update, context: JifenContext, ref: str) -> None:
    """Reward, holder and validity, with Confirm when it can still be used."""
    voucher = await vouchers.find(ref)
    if voucher is None:
        await say(update, context.t("till-voucher-unknown"))
        return
    blocked = await _state(voucher)
    if blocked is not None:
        by = await name_by_telegram_id(context, getattr(blocked, "by", None))
        await say(update, refusal(context, blocked, by))
        return
    reward = await Reward.get_or_none(id=voucher.reward_id)  # type: ignore[attr-defined]
    member = await Member.get_or_none(id=voucher.member_id)  # type: ignore[attr-defined]
    text = context.t(
        "till-voucher-preview",
        reward=html.escape(vouchers.reward_name(reward, context.lang)),
        name=name_of(member),
        code=voucher.code,
        until=when(context, voucher.valid_until),
    )
    await flows.ask_confirm(update, context, KIND, {"voucher_id": voucher.id}, text)


async def confirmed(update: Update, context: JifenContext, action: PendingAction) -> Outcome:
    """Confirm: one conditional update decides; a repeat press shows the same outcome."""
    voucher = await Voucher.get_or_none(id=int(action.payload["voucher_id"]))
    if voucher is None:
        return Outcome(context.t("till-voucher-unknown"))
    result = await vouchers.redeem(
        voucher.token,
        staff_telegram_id=action.actor_telegram_id,
        location=staff_location(context),
    )
    if isinstance(result, Redeemed):
        reward = await Reward.get_or_none(id=voucher.reward_id)  # type: ignore[attr-defined]
        text = context.t(
            "till-voucher-redeemed-staff",
            reward=html.escape(vouchers.reward_name(reward, context.lang)),
            code=result.code,
        )
        return Outcome(text)
    by = await name_by_telegram_id(context, result.by) if isinstance(result, AlreadyUsed) else ""
    return Outcome(refusal(context, result, by))


async def catch_all(update: Update, context: JifenContext) -> None:
    """Unawaited messages: staff may send a QR photo or type a voucher code."""
    message = update.effective_message
    if message is not None and staff.may(context.role, Role.STAFF):
        if message.photo:
            await scanning.on_photo(update, context)
            return
        text = message.text or ""
        if tokens.normalize_code(text) is not None and await vouchers.find(text) is not None:
            await preview(update, context, text)
            return
    await reply(update, what_you_can_do(context))
