"""``/rewards``: the catalogue (paged in place), a reward's details, redeem with a confirmation.

The voucher's idempotency key is derived from the confirmation message, so pressing
Confirm twice (or two devices at once) gives one voucher and one deduction.
"""

from __future__ import annotations

import html

from telegram import Update

from handlers import flows
from handlers.callbacks import CallbackData
from handlers.context import JifenContext
from handlers.member.common import HTML, button, edit, markup, pager, send, tier_label, toast
from handlers.member.vouchers import send_voucher
from handlers.registry import Outcome, key_of
from locales import localized
from models.catalogue import browsing, rewards, vouchers
from models.ledger import rule_versions
from models.ledger.config import RuleSet
from models.ledger.results import (
    BelowMinimumRedemption,
    InsufficientPoints,
    LimitReached,
    OutOfStock,
    RewardUnavailable,
    TierTooLow,
    UnknownMember,
    VoucherIssued,
)
from models.store.tables import PendingAction, Reward

KIND = "member-redeem"

PAGE_SIZE = 5


def _name(context: JifenContext, reward: Reward) -> str:
    return html.escape(localized(reward.names, context.lang) or f"#{reward.id}")


def _stock(context: JifenContext, reward: Reward) -> str:
    if reward.stock is None:
        return context.t("member-reward-stock-unlimited")
    return context.t("member-reward-stock", stock=reward.stock)


def _missing(context: JifenContext, reward: Reward) -> int:
    """Points this member still needs for ``reward`` (0 when they can afford it)."""
    assert context.member is not None
    return max(reward.cost_points - context.member.balance, 0)


async def _catalogue(update: Update, context: JifenContext, number: int):
    assert context.member is not None
    _, rules = await rule_versions.current()
    result = await browsing.page(context.member, rules, number, PAGE_SIZE)
    if not result.items:
        return context.t("member-rewards-empty"), None
    lines = [context.t("member-rewards-title", balance=context.member.balance)]
    rows = []
    for item in result.items:
        reward = item.reward
        mark = "✅" if item.affordable and item.in_stock else "🔒"
        line = context.t(
            "member-rewards-line",
            mark=mark,
            name=_name(context, reward),
            cost=reward.cost_points,
            stock=_stock(context, reward),
        )
        missing = _missing(context, reward)
        lines.append(
            line + (" · " + context.t("member-reward-to-go", missing=missing) if missing else "")
        )
        label = f"{mark} {localized(reward.names, context.lang)} · {reward.cost_points:,}"
        rows.append([button(update, context, label[:60], "mrd", reward.id)])
    if result.pages > 1:
        lines.append(context.t("common-page", page=result.page + 1, pages=result.pages))
    rows.append(pager(update, context, "mr", result.page, result.pages))
    return "\n".join(lines), markup(*rows)


async def show(update: Update, context: JifenContext) -> None:
    text, keyboard = await _catalogue(update, context, 0)
    await send(update, text, parse_mode=HTML, reply_markup=keyboard)


async def on_page(update: Update, context: JifenContext, data: CallbackData) -> None:
    text, keyboard = await _catalogue(update, context, data.int_arg(0) or 0)
    await edit(update, text, keyboard)


async def on_details(update: Update, context: JifenContext, data: CallbackData) -> None:
    """A reward's card: photo (when it has one), description, cost, stock and Redeem."""
    assert context.member is not None and update.effective_chat is not None
    reward_id = data.int_arg(0)
    _, rules = await rule_versions.current()
    item = await browsing.visible_reward(context.member, rules, reward_id or 0)
    if item is None:
        await toast(update, context.t("member-redeem-unavailable"), alert=True)
        return
    await toast(update, "")
    reward = item.reward
    text = context.t(
        "member-reward-details",
        name=_name(context, reward),
        description=html.escape(localized(reward.descriptions, context.lang) or ""),
        cost=reward.cost_points,
        stock=_stock(context, reward),
        balance=context.member.balance,
    )
    keyboard = None
    if not item.in_stock:  # what stands in the way comes first, and no Redeem to press
        text += "\n\n" + context.t("member-redeem-out-of-stock")
    elif missing := _missing(context, reward):
        text += "\n\n" + context.t("member-reward-missing", missing=missing)
    else:
        keyboard = markup(
            [button(update, context, context.t("member-reward-redeem"), "mrr", reward.id)]
        )
    if reward.photo_file_id or reward.photo:  # Telegram's id, else the bytes kept
        photo = reward.photo_file_id or bytes(reward.photo)
        sent = await update.effective_chat.send_photo(
            photo, caption=text, parse_mode=HTML, reply_markup=keyboard
        )
        if not reward.photo_file_id and sent.photo:
            await rewards.remember_file_id(reward.id, bytes(reward.photo), sent.photo[-1].file_id)
    else:
        await update.effective_chat.send_message(text, parse_mode=HTML, reply_markup=keyboard)


async def on_redeem(update: Update, context: JifenContext, data: CallbackData) -> None:
    """Redeem pressed: a separate confirmation message (its id makes the idempotency key),
    or the refusal Confirm would give (the balance dropped since the screen was shown)."""
    assert context.member is not None and update.effective_chat is not None
    _, rules = await rule_versions.current()
    item = await browsing.visible_reward(context.member, rules, data.int_arg(0) or 0)
    if item is None:
        await toast(update, context.t("member-redeem-unavailable"), alert=True)
        return
    tz = context.settings.scheduler.timezone
    refused = await vouchers.redeem_refusal(context.member.id, item.reward.id, rules=rules, tz=tz)
    if refused is not None:  # a stale screen: the redeem's own checks, before any Confirm
        await toast(update, "")
        await send(update, refusal(context, refused, rules), parse_mode=HTML)
        return
    text = context.t(
        "member-redeem-ask",
        name=_name(context, item.reward),
        cost=item.reward.cost_points,
        balance=context.member.balance,
    )
    await flows.ask_confirm(update, context, KIND, {"reward_id": item.reward.id}, text)


def refusal(context: JifenContext, result: object, rules: RuleSet) -> str:
    """Why a redemption was refused, in the member's words."""
    t = context.t
    match result:
        case InsufficientPoints(short_by=short, balance=balance):
            return t("member-redeem-short", short=short, balance=balance)
        case OutOfStock():
            return t("member-redeem-out-of-stock")
        case TierTooLow(required=required):
            return t("member-redeem-tier", tier=tier_label(rules, required, context.lang))
        case LimitReached(limit=limit, period=period):
            return t("member-redeem-limit", limit=limit, period=period)
        case BelowMinimumRedemption(minimum=minimum):
            return t("member-redeem-minimum", minimum=minimum)
        case RewardUnavailable() | UnknownMember():
            return t("member-redeem-unavailable")
    return t("common-error")


async def confirmed(update: Update, context: JifenContext, action: PendingAction) -> Outcome:
    """Confirm: issue the voucher once (key ``pa:<id>``), then show it as a QR."""
    assert context.member is not None
    result = await vouchers.issue_for_reward(
        context.member.id,
        int(action.payload["reward_id"]),
        idempotency_key=key_of(action),
        tz=context.settings.scheduler.timezone,
    )
    if not isinstance(result, VoucherIssued):
        _, rules = await rule_versions.current()
        return Outcome(refusal(context, result, rules))
    reward = await Reward.get_or_none(id=result.reward_id)
    name = _name(context, reward) if reward else "-"
    await send_voucher(
        update,
        context,
        token=result.token,
        code=result.code,
        reward=name,
        valid_until=result.valid_until,
    )
    text = context.t(
        "member-redeem-done", name=name, cost=result.cost_points, balance=result.balance
    )
    return Outcome(text)
