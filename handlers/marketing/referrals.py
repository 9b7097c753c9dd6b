"""``/invite``: a member's referral link and QR. ``r-<code>`` links attach the referrer
to a new member, then the normal welcome follows."""

from __future__ import annotations

from telegram import Update

from handlers.context import JifenContext
from handlers.marketing.common import HTML
from handlers.qr import deep_link, qr_png
from handlers.registry import reply, router
from models.members import referrals
from models.members.referrals import ReferrerAttached, SelfReferral


async def invite_command(update: Update, context: JifenContext) -> None:
    member, chat = context.member, update.effective_chat
    if member is None or chat is None:
        return
    link = deep_link(context, referrals.PREFIX, member.referral_code)
    points = context.settings.scheduler.referral_bonus_points
    await chat.send_photo(
        await qr_png(link),
        caption=context.t("marketing-invite", link=link, points=points),
        parse_mode=HTML,
    )


async def open_invite(update: Update, context: JifenContext, code: str) -> None:
    """Someone opened an invite link: remember who invited them, then welcome them."""
    member = context.member
    if member is None:
        return
    if context.role is not None:  # a cashier scanning a customer's invite QR by mistake
        await reply(update, context.t("marketing-invite-staff"))
        return
    result = await referrals.attach_referrer(
        member.id, code, bonus_points=context.settings.scheduler.referral_bonus_points
    )
    if isinstance(result, ReferrerAttached):
        await reply(update, context.t("marketing-invite-accepted", name=result.referrer_name))
    elif isinstance(result, SelfReferral):
        await reply(update, context.t("marketing-invite-own"))
    start = router(context).on_start
    if start is not None:
        await start(update, context)
