"""What every till screen shares: rules in force, money and member rendering, buttons."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime

from telegram import InlineKeyboardMarkup, Message, Update

from bot.keyboards import inline_keyboard
from handlers import flows
from handlers.context import JifenContext
from handlers.flows import ButtonSpec
from handlers.member.common import local_moment, tier_label
from models.ledger import rule_versions
from models.ledger.config import RuleSet
from models.ledger.quotes import format_minor
from models.ledger.rules import CampaignRule
from models.marketing import campaigns
from models.store import clock
from models.store.tables import Member

__all__ = ["ButtonSpec"]


async def rules_in_force() -> RuleSet:
    return (await rule_versions.current())[1]


async def active_campaigns(tz: str) -> list[CampaignRule]:
    """Campaigns running now for purchases recorded in chat."""
    return await campaigns.rules_at(clock.now(), "telegram", tz=tz)


def money(amount_minor: int, rules: RuleSet) -> str:
    return format_minor(amount_minor, rules.currency.exponent, rules.currency.symbol)


def name_of(member: Member | None) -> str:
    """A member's display name, HTML-escaped for ``parse_mode=HTML`` messages."""
    return html.escape(member.display_name) if member is not None else "?"


async def name_by_telegram_id(context: JifenContext, telegram_id: int | None) -> str:
    """A staff member's name for a message; never a raw id (one who never opened the bot
    is said to be so)."""
    if telegram_id is None:
        return "?"
    member = await Member.get_or_none(telegram_id=telegram_id)
    return name_of(member) if member is not None else context.t("till-staff-unseen")


def when(context: JifenContext, at: datetime | None) -> str:
    """A moment in the shop's time zone, as staff read it."""
    return local_moment(context, at) if at is not None else "?"


def member_card(context: JifenContext, member: Member, rules: RuleSet) -> str:
    return context.t(
        "till-member-card",
        name=name_of(member),
        code=member.code,
        tier=html.escape(tier_label(rules, member.tier, context.lang)),
        points=member.balance,
    )


def keyboard(
    update: Update, context: JifenContext, rows: Sequence[Sequence[ButtonSpec]]
) -> InlineKeyboardMarkup | None:
    """Signed buttons for the person this update came from (None when there are none)."""
    return inline_keyboard(flows.signed_rows(context, actor_id(update), rows))


async def say(
    update: Update, text: str, markup: InlineKeyboardMarkup | None = None
) -> Message | bool:
    """A new HTML message in this chat (after answering a pressed button)."""
    return await flows.show(update, text, markup, edit=False)


async def show(
    update: Update, text: str, markup: InlineKeyboardMarkup | None = None
) -> Message | bool:
    """Replace the pressed message (a button's outcome), or say it when typed."""
    return await flows.show(update, text, markup)


def staff_location(context: JifenContext) -> str | None:
    return context.grant.location if context.grant else None


def actor_id(update: Update) -> int:
    assert update.effective_user is not None
    return update.effective_user.id


async def on_cancel(update: Update, context: JifenContext, data: object) -> None:
    """A till Cancel button before any confirm step: forget the flow, nothing written."""
    await flows.cancel(context)
    await show(update, context.t("common-cancelled"))
