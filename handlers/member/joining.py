"""Who ``/start`` greets how: staff get their own home, people the member onboarding.

Everyone who writes to the bot has a member row, but staff are members only when they
choose to join (the "Join as a member" button, ``mj``); only enrolled rows count in
reports, segments and audiences. Member commands from someone who is not (yet) a member
lead to the right door: staff to their home, a person whose row was just created (first
contact, or back after deleting their account) to the welcome.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update

from handlers.callbacks import CallbackData
from handlers.context import JifenContext
from handlers.member import onboarding
from handlers.member.common import HTML, button, edit, markup, send
from handlers.registry import publish_menu_for
from handlers.till.staffing import role_key
from models.members import membership
from models.store.tables import Role

JOIN = "mj"


async def start(update: Update, context: JifenContext) -> None:
    """Plain ``/start``: staff get their home; everyone else the member onboarding."""
    member = context.member
    if context.role is not None:
        await staff_home(update, context)
        return
    if member is not None and not member.enrolled:  # a former cashier, now a customer
        await membership.enroll(member.id)
        member.enrolled = True
    await onboarding.start(update, context)


def first_key(role: Role) -> str:
    """What a person with ``role`` does first."""
    return f"member-staff-first-{role.value}"


LOCALE_KEYS = tuple(first_key(role) for role in Role)
"""Every key built at run time here (``tests/test_runtime_locale_keys.py``)."""


async def staff_home(update: Update, context: JifenContext, lead: str | None = None) -> None:
    """The staff home: who they are here, what to do first, and (not a member) Join."""
    member, role, t = context.member, context.role, context.t
    assert member is not None and role is not None
    parts = [lead] if lead else []
    parts.append(
        t(
            "member-staff-home",
            name=html.escape(member.first_name or member.code),
            role=t(role_key(role)),
            shop=html.escape(context.settings.bot.shop_name),
        )
    )
    parts.append(t(first_key(role)))
    parts.append(t("member-staff-home-member" if member.enrolled else "member-staff-home-join"))
    keyboard = None
    if not member.enrolled:
        keyboard = markup([button(update, context, t("member-staff-join"), JOIN)])
    await send(update, "\n\n".join(parts), parse_mode=HTML, reply_markup=keyboard)


async def on_join(update: Update, context: JifenContext, data: CallbackData) -> None:
    """ "Join as a member": enrolled once, then the member onboarding (phone, consent)."""
    member = context.member
    assert member is not None
    await membership.enroll(member.id)
    member.enrolled = True
    if context.role is not None and member.telegram_id is not None:  # the member's commands
        await publish_menu_for(context.application, member.telegram_id, context.role)
    await edit(update, context.t("member-staff-joined"))
    await onboarding.start(update, context)


Handler = Callable[..., Awaitable[Any]]


def members_only(callback: Handler) -> Handler:
    """Member commands and buttons: staff who have not joined see their home, a person
    met for the first time (or back after deleting their account) the welcome."""

    async def gated(update: Update, context: JifenContext, *args: Any) -> Any:
        member = context.member
        if member is not None and not member.enrolled and context.role is not None:
            await staff_home(update, context, context.t("member-staff-not-member"))
            return None
        if member is not None and (context.created or not member.enrolled):
            await start(update, context)
            return None
        return await callback(update, context, *args)

    gated.__name__ = getattr(callback, "__name__", "gated")
    return gated
