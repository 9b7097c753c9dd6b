"""``/privacy``: export my data (a JSON document) and delete my account (anonymised)."""

from __future__ import annotations

import json

from telegram import ReplyKeyboardRemove, Update

from handlers import flows
from handlers.callbacks import CallbackData
from handlers.context import JifenContext
from handlers.member.common import button, markup, send, toast, user_id
from handlers.registry import Outcome
from models.members import privacy
from models.store.tables import PendingAction

KIND = "member-delete"


async def show(update: Update, context: JifenContext) -> None:
    t = context.t
    keyboard = markup(
        [button(update, context, t("member-privacy-export"), "mxe")],
        [button(update, context, t("member-privacy-delete"), "mxd")],
    )
    await send(update, t("member-privacy"), reply_markup=keyboard)


async def on_export(update: Update, context: JifenContext, data: CallbackData) -> None:
    assert context.member is not None and update.effective_chat is not None
    await toast(update, "")
    document = await privacy.export_data(context.member.id)
    body = json.dumps(document, ensure_ascii=False, indent=2).encode()
    await update.effective_chat.send_document(
        body,
        filename=f"jifen-{context.member.code}.json",
        caption=context.t("member-privacy-exported"),
    )


async def on_delete(update: Update, context: JifenContext, data: CallbackData) -> None:
    text = context.t("member-privacy-delete-ask")
    await flows.ask_confirm(
        update, context, KIND, {}, text, confirm_key="member-privacy-delete-confirm"
    )


async def deleted(update: Update, context: JifenContext, action: PendingAction) -> Outcome:
    """Anonymise the account; the reply keyboard goes with it."""
    assert context.member is not None
    await privacy.delete_account(context.member.id, actor_telegram_id=user_id(update))
    await send(update, context.t("member-privacy-goodbye"), reply_markup=ReplyKeyboardRemove())
    return Outcome(context.t("member-privacy-deleted"))
