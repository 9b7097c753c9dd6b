"""``/profile``: name, phone, birthday, language and the two opt-in switches; ``/stopoffers``.

The switches are the two audience rules a member controls (``models.delivery.classes``):
reminders (*service*: expiry reminders, tier changes) and offers (*marketing*). Receipts and
other *transactional* messages have no switch. ``/stopoffers``, named at the end of every
marketing message, turns offers off and nothing else; /profile turns them on again.

Birthday: the member types ``YYYY-MM-DD`` or ``MM-DD``; it can be set ONCE (so nobody
moves it around to collect birthday bonuses); staff correct mistakes.
"""

from __future__ import annotations

import html

from telegram import Update

from handlers import flows
from handlers.callbacks import CallbackData
from handlers.context import JifenContext
from handlers.member.common import HTML, LANGUAGE_NAMES, button, edit, markup, send, toast
from handlers.member.onboarding import language
from models.members import membership
from models.store.tables import Member

BIRTHDAY_STATE = "member-birthday"


def _birthday(context: JifenContext, member: Member) -> str:
    if member.birthday is None:
        return context.t("member-profile-unset")
    if membership.birthday_has_year(member.birthday):
        return member.birthday.isoformat()
    return member.birthday.strftime("%m-%d")


def _screen(update: Update, context: JifenContext, member: Member):
    t = context.t
    text = t(
        "member-profile",
        name=html.escape(member.display_name),
        code=member.code,
        phone=member.phone or t("member-profile-unset"),
        birthday=_birthday(context, member),
        language=LANGUAGE_NAMES.get(member.language, member.language),
        notifications=t(
            "member-profile-on" if member.notifications_enabled else "member-profile-off"
        ),
        marketing=t("member-profile-on" if member.marketing_opt_in else "member-profile-off"),
    )
    rows = [
        [button(update, context, t("member-profile-toggle-notifications"), "mpn")],
        [button(update, context, t("member-profile-toggle-marketing"), "mpm")],
        [button(update, context, t("member-profile-language"), "mpl")],
    ]
    if member.birthday is None:
        rows.append([button(update, context, t("member-profile-set-birthday"), "mpb")])
    return text, markup(*rows)


async def show(update: Update, context: JifenContext) -> None:
    assert context.member is not None
    text, keyboard = _screen(update, context, context.member)
    await send(update, text, parse_mode=HTML, reply_markup=keyboard)


async def on_toggle(update: Update, context: JifenContext, data: CallbackData) -> None:
    """Flip one opt-in switch and redraw the profile in place."""
    member = context.member
    assert member is not None
    if data.action == "mpn":
        member = await membership.set_preferences(
            member.id, notifications=not member.notifications_enabled
        )
    else:
        member = await membership.set_preferences(member.id, marketing=not member.marketing_opt_in)
    context.member = member
    text, keyboard = _screen(update, context, member)
    await edit(update, text, keyboard)


async def stop_offers(update: Update, context: JifenContext) -> None:
    """``/stopoffers``: marketing consent withdrawn (what is queued of it too), nothing else."""
    assert context.member is not None
    context.member = await membership.set_preferences(context.member.id, marketing=False)
    await send(update, context.t("member-offers-stopped"))


async def on_birthday(update: Update, context: JifenContext, data: CallbackData) -> None:
    await toast(update, "")
    await send(update, context.t("member-birthday-ask"))
    flows.await_input(context, BIRTHDAY_STATE)


async def on_birthday_text(update: Update, context: JifenContext) -> None:
    message = update.effective_message
    assert message is not None and context.member is not None
    result = await membership.set_birthday(context.member.id, message.text or "")
    if isinstance(result, membership.InvalidBirthday):
        await send(update, context.t("member-birthday-invalid", reason=result.reason))
        if result.reason == "already-set":
            flows.stop(context)
        return
    flows.stop(context)
    context.member.birthday = result.birthday
    await send(
        update, context.t("member-birthday-saved", birthday=_birthday(context, context.member))
    )


async def on_language(update: Update, context: JifenContext, data: CallbackData) -> None:
    """The profile's language button opens the same choice as /language."""
    await toast(update, "")
    await language(update, context)
