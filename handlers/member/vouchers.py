"""``/vouchers``: active vouchers as QR photos (``v-<token>``) with their code; the rest listed."""

from __future__ import annotations

import html
from datetime import datetime

from telegram import Update

from handlers.context import JifenContext
from handlers.member.common import HTML, local_date, send
from handlers.qr import deep_link, qr_png
from locales import localized
from models.catalogue import browsing
from models.store.tables import Voucher


def _name(context: JifenContext, voucher: Voucher) -> str:
    reward = voucher.reward  # prefetched
    return html.escape(localized(reward.names if reward else None, context.lang) or "-")


async def send_voucher(
    update: Update,
    context: JifenContext,
    *,
    token: str,
    code: str,
    reward: str,
    valid_until: datetime,
) -> None:
    """One voucher as the QR a cashier scans, with the code to type if scanning fails."""
    assert update.effective_chat is not None
    png = await qr_png(deep_link(context, "v", token))
    caption = context.t(
        "member-voucher", reward=reward, code=code, until=local_date(context, valid_until)
    )
    await update.effective_chat.send_photo(png, caption=caption, parse_mode=HTML)


async def show(update: Update, context: JifenContext) -> None:
    assert context.member is not None
    held = await browsing.member_vouchers(context.member.id)
    if not (held.active or held.used or held.expired):
        await send(update, context.t("member-vouchers-none"))
        return
    for voucher in held.active:
        await send_voucher(
            update,
            context,
            token=voucher.token,
            code=voucher.code,
            reward=_name(context, voucher),
            valid_until=voucher.valid_until,
        )
    lines = [context.t("member-vouchers-summary", active=len(held.active))]
    for voucher in held.used:
        at = local_date(context, voucher.redeemed_at or voucher.issued_at)
        lines.append(
            context.t(
                "member-vouchers-used", reward=_name(context, voucher), code=voucher.code, date=at
            )
        )
    for voucher in held.expired:
        at = local_date(context, voucher.voided_at or voucher.valid_until)
        lines.append(
            context.t(
                "member-vouchers-expired",
                reward=_name(context, voucher),
                code=voucher.code,
                date=at,
            )
        )
    await send(update, "\n".join(lines), parse_mode=HTML)
