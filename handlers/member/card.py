"""``/card``: the membership QR (``m-<card_token>``) and replacing a lost or shared one."""

from __future__ import annotations

import html

from telegram import Update

from handlers import flows
from handlers.callbacks import CallbackData
from handlers.context import JifenContext
from handlers.member.common import HTML, button, markup, tier_label, user_id
from handlers.qr import deep_link, qr_png
from handlers.registry import Outcome
from models.ledger import rule_versions
from models.members import membership
from models.stamps import wallet
from models.store import clock
from models.store.tables import PendingAction

KIND = "member-card"


async def send_card(update: Update, context: JifenContext, card_token: str) -> None:
    member = context.member
    assert member is not None and update.effective_chat is not None
    _, rules = await rule_versions.current()
    caption = context.t(
        "member-card",
        name=html.escape(member.display_name),
        code=member.code,
        tier=tier_label(rules, member.tier, context.lang),
    )
    caption += await stamp_lines(context, member.id)
    png = await qr_png(deep_link(context, "m", card_token))
    keyboard = markup([button(update, context, context.t("member-card-regenerate"), "mc")])
    await update.effective_chat.send_photo(
        png, caption=caption, parse_mode=HTML, reply_markup=keyboard
    )


async def stamp_lines(context: JifenContext, member_id: int) -> str:
    """The member's stamp cards under the card: a row of cups each, and rewards waiting."""
    text = ""
    for view in await wallet.wallet(member_id, clock.now()):
        name = html.escape(view.name(context.lang))
        text += "\n" + context.t("member-card-stamps", name=name, cups=view.cups())
        if view.ready_codes:
            text += "\n" + context.t("member-card-stamps-ready", name=name)
    return text


async def show(update: Update, context: JifenContext) -> None:
    assert context.member is not None
    await send_card(update, context, context.member.card_token)


async def on_regenerate(update: Update, context: JifenContext, data: CallbackData) -> None:
    """Ask first: the old QR stops working at once."""
    text = html.escape(context.t("member-card-regenerate-ask"))
    await flows.ask_confirm(update, context, KIND, {}, text)


async def regenerated(update: Update, context: JifenContext, action: PendingAction) -> Outcome:
    """A new card token: the old QR stops working at once."""
    assert context.member is not None
    token = await membership.regenerate_card(context.member.id, actor_telegram_id=user_id(update))
    context.member.card_token = token
    await send_card(update, context, token)
    return Outcome(context.t("member-card-regenerated"))
