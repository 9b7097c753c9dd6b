"""Roles at the shop: ``/staff`` (list, revoke) and ``/staff invite [role] [location]``.

An invite is a one-time QR/link (``s-<token>``, see :mod:`models.members.invites`); every role
change updates that person's command menu at once (``publish_menu_for``).
"""

from __future__ import annotations

import html

from telegram import Update
from telegram.constants import ParseMode

from handlers import flows
from handlers.callbacks import CallbackData
from handlers.context import JifenContext
from handlers.qr import deep_link, qr_png
from handlers.registry import Outcome, publish_menu_for
from handlers.till.common import (
    ButtonSpec,
    actor_id,
    keyboard,
    name_by_telegram_id,
    name_of,
    say,
    show,
    when,
)
from locales import LANGUAGES, translator
from models.access import staff
from models.members import invites
from models.store.tables import Member, PendingAction, Role

_MAX_LOCATION = 64
KIND = "till-revoke"


def role_key(role: Role) -> str:
    return f"till-role-{role.value}"


LOCALE_KEYS = tuple(role_key(role) for role in Role)
"""Every key built at run time here (``tests/test_runtime_locale_keys.py``)."""


def role_name(context: JifenContext, role: Role) -> str:
    return context.t(role_key(role))


async def staff_command(update: Update, context: JifenContext) -> None:
    """``/staff`` lists everyone with a role; ``/staff invite …`` makes an invite."""
    flows.stop(context)
    args = context.args or []
    if args and args[0].lower() == "invite":
        await _invite(update, context, args[1:])
        return
    admins = context.settings.access.admins
    grants = await staff.list_staff(admins)
    people = {
        m.telegram_id: m
        for m in await Member.filter(telegram_id__in=[g.telegram_id for g in grants])
    }
    lines: list[str] = []
    rows: list[list[ButtonSpec]] = []
    for grant in grants:
        person = people.get(grant.telegram_id)
        # a name, never a raw id: someone who never opened the bot is said to be so
        name = name_of(person) if person is not None else context.t("till-staff-unseen")
        lines.append(
            context.t(
                "till-staff-line",
                name=name,
                role=role_name(context, grant.role),
                location=f" · {html.escape(grant.location)}" if grant.location else "",
            )
        )
        if grant.telegram_id not in admins:
            label = context.t("till-staff-revoke", name=html.unescape(name))
            rows.append([(label, "ts", (grant.telegram_id,))])
    text = context.t("till-staff-list", people="\n".join(lines) or "—")
    await say(update, text, keyboard(update, context, rows) if rows else None)


def role_words() -> dict[str, Role]:
    """Every word a role may be typed as: its value and its name in each language
    (staff/cashier/收银员, marketer/营销, admin/管理员)."""
    words = {role.value: role for role in Role}
    for language in LANGUAGES:
        t = translator(language)
        words.update({t(role_key(role)).lower(): role for role in Role})
    return words


async def _invite(update: Update, context: JifenContext, args: list[str]) -> None:
    """``/staff invite [role] [location]``: a role word first, or nothing (a cashier)."""
    role = Role.STAFF
    if args:
        chosen = role_words().get(args[0].lower())
        if chosen is None:  # "boss" is no role, and no location either: ask again
            roles = ", ".join(f"{r.value} ({role_name(context, r)})" for r in Role)
            await say(
                update,
                context.t("till-invite-unknown-role", word=html.escape(args[0]), roles=roles),
            )
            return
        role, args = chosen, args[1:]
    location = " ".join(args).strip()[:_MAX_LOCATION] or None
    hours = context.settings.security.invite_valid_hours
    invite = await invites.create(
        role, created_by=actor_id(update), valid_hours=hours, location=location
    )
    link = deep_link(context, "s", invite.token)
    caption = context.t(
        "till-invite-created",
        role=role_name(context, role),
        location=html.escape(location or ""),
        link=link,
        until=when(context, invite.expires_at),
    )
    assert update.effective_chat is not None
    await update.effective_chat.send_photo(
        await qr_png(link), caption=caption, parse_mode=ParseMode.HTML
    )


async def on_invite_link(update: Update, context: JifenContext, token: str) -> None:
    """``/start s-<token>``: the opener gets the role, once, before it expires."""
    user = actor_id(update)
    if user in context.settings.access.admins:
        await say(update, context.t("till-invite-already-admin"))
        return
    result = await invites.accept(token, user)
    if isinstance(result, invites.InviteAccepted):
        grant = result.grant
        context.grant = grant
        await publish_menu_for(context.application, user, grant.role)
        text = context.t(
            "till-invite-welcome",
            role=role_name(context, grant.role),
            location=html.escape(grant.location or ""),
        )
        await say(update, text)
    elif isinstance(result, invites.InviteUsed):
        await say(update, context.t("till-invite-used", at=when(context, result.at)))
    elif isinstance(result, invites.InviteExpired):
        await say(update, context.t("till-invite-expired", on=when(context, result.on)))
    else:
        await say(update, context.t("till-invite-unknown"))


async def on_revoke(update: Update, context: JifenContext, data: CallbackData) -> None:
    """Revoke button: ask once more, naming the person and their role."""
    target = data.int_arg(0)
    grant = await staff.role_of(target) if target is not None else None
    if target is None or grant is None:
        await show(update, context.t("till-staff-not-staff"))
        return
    text = context.t(
        "till-staff-revoke-confirm",
        name=await name_by_telegram_id(context, target),
        role=role_name(context, grant.role),
    )
    await flows.ask_confirm(update, context, KIND, {"target": target}, text)


async def revoke_confirmed(update: Update, context: JifenContext, action: PendingAction) -> Outcome:
    """Revoke once (a conditional update); the person's menu shrinks at once."""
    target = int(action.payload["target"])
    if await staff.is_last_admin(target, context.settings.access.admins):
        return Outcome(context.t("till-staff-last-admin"))
    name = await name_by_telegram_id(context, target)
    if not await staff.revoke_role(target, revoked_by=action.actor_telegram_id):
        return Outcome(context.t("till-staff-not-staff"))
    await publish_menu_for(context.application, target, None)
    return Outcome(context.t("till-staff-revoked", name=name))
