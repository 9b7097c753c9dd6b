"""Members enrolled elsewhere (``jifen import``, ``POST /api/v1/members``) take over their
membership in Telegram: by opening their join link ``j-<token>``, or by sharing the phone
number the shop has during /start (called from ``handlers.member.onboarding``)."""

from __future__ import annotations

import html

from telegram import ReplyKeyboardRemove, Update

from handlers.context import JifenContext
from handlers.member.common import HTML, send, tier_label
from handlers.registry import Feature, router
from models.ledger import rule_versions
from models.members import enrolment
from models.store.tables import Member


async def _welcome_back(update: Update, context: JifenContext, key: str, member: Member) -> None:
    """The linked membership at a glance, in the member's own language."""
    context.member = member
    rules = (await rule_versions.current())[1]
    text = context.t(
        key,
        name=html.escape(member.display_name),
        balance=member.balance,
        tier=tier_label(rules, member.tier, context.lang),
    )
    await send(update, text, parse_mode=HTML, reply_markup=ReplyKeyboardRemove())


async def link_by_phone(update: Update, context: JifenContext, phone: str) -> bool:
    """The person shared their own number; True when it was a member enrolled elsewhere
    (now linked, or refused because this account has its own history)."""
    assert context.member is not None and update.effective_user is not None
    result = await enrolment.link_by_phone(
        context.member.id, telegram_id=update.effective_user.id, phone=phone
    )
    if isinstance(result, enrolment.NoEnrolledMember):
        return False
    if isinstance(result, enrolment.HasOwnHistory):
        await send(update, context.t("enrol-phone-has-history"), reply_markup=ReplyKeyboardRemove())
        return True
    await _welcome_back(update, context, "enrol-linked", result.member)
    return True


async def open_join_link(update: Update, context: JifenContext, token: str) -> None:
    """``/start j-<token>``: whoever opens it becomes the member it was made for."""
    if context.member is None or update.effective_user is None:
        return
    if context.role is not None:  # a cashier scanned a customer's link by mistake
        await send(update, context.t("enrol-link-staff"))
        return
    result = await enrolment.open_join_link(
        token, telegram_id=update.effective_user.id, current_member_id=context.member.id
    )
    if isinstance(result, enrolment.Linked):
        await _welcome_back(update, context, "enrol-link-joined", result.member)
    elif isinstance(result, enrolment.AlreadyLinked):
        await send(update, context.t("enrol-link-own"))
    else:
        key = {
            enrolment.HasOwnHistory: "enrol-link-has-history",
            enrolment.LinkUsed: "enrol-link-used",
            enrolment.UnknownLink: "enrol-link-unknown",
        }[type(result)]
        await send(update, context.t(key))
        return
    start = router(context).on_start  # then joining goes on: phone, consent, menu
    if start is not None:
        await start(update, context)


FEATURE = Feature(name="enrolment", deep_links={enrolment.JOIN_PREFIX: open_join_link})
