"""What a conversation remembers between updates, as handlers see it.

``context.flow`` is loaded with the member (:func:`models.members.membership.identify`) and written
back once, after the update, only if a handler changed it (:func:`save`, installed by the
registry). Nothing lives in PTB's ``user_data``: a restart or another instance continues
the flow. The state holds one *step* (an awaited input, or a message whose buttons are
awaited) and named *drafts* (wizards' half-filled forms)::

    flows.await_input(context, "till-amount", member_id=7)   # next text goes to that input
    flows.awaited(context)["member_id"]
    flows.stop(context)                                      # the step is over
    draft = flows.start_draft(context, "mk-campaign", {...}) # change it in place
    await flows.ask_confirm(update, context, "till-purchase", payload, text)

Every confirm step is a pending action (:mod:`models.conversation.pending`): :func:`ask_confirm`
creates it, shows it with Confirm/Cancel carrying only its id, binds it to the message
and makes that message the awaited button step; the registry's router decides presses.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from handlers.context import JifenContext
from models.conversation import flows, pending

log = logging.getLogger(__name__)

STEP, DRAFTS = "step", "drafts"
CONFIRM, CANCEL = "pa", "pc"
ACTIONS = (CONFIRM, CANCEL)
"""Callback actions of every pending action's buttons (``pa|<id>``, ``pc|<id>``)."""

ButtonSpec = tuple[str, str, Sequence[object]]
"""(label, callback action, args) of one inline button."""


def _state(context: JifenContext) -> dict[str, Any]:
    flow = context.flow
    return flow.state if flow is not None else {}


# ---- the step -------------------------------------------------------------------------


def await_input(context: JifenContext, state: str, **data: Any) -> None:
    """Route this person's next message to the ``inputs[state]`` handler, with ``data``."""
    _state(context)[STEP] = {"input": state, "data": data}


def awaiting(context: JifenContext) -> str | None:
    """The awaited input's state name, if the flow waits for typed input."""
    return _state(context).get(STEP, {}).get("input")


def awaited(context: JifenContext) -> dict[str, Any]:
    """The data stored by :func:`await_input` for the awaited input."""
    return dict(_state(context).get(STEP, {}).get("data", {}))


def awaited_buttons(context: JifenContext) -> dict[str, Any] | None:
    """The message whose buttons the flow waits for (text, markup, pending action id)."""
    return _state(context).get(STEP, {}).get("buttons")


def await_buttons(
    context: JifenContext, message: Message | bool, action: int | None = None
) -> None:
    """Only a button of ``message`` moves the flow on; typed text gets a hint and the
    buttons again (:func:`resend_buttons`)."""
    if not isinstance(message, Message) or message.reply_markup is None:
        return
    text = message.text_html if message.text else ""
    step = {"message": message.message_id, "text": text, "markup": message.reply_markup.to_dict()}
    _state(context)[STEP] = {"buttons": {**step, "action": action}}


def shows(context: JifenContext, action_id: int) -> bool:
    """Whether the flow's current step is the confirm step of that pending action."""
    step = awaited_buttons(context)
    return step is not None and step.get("action") == action_id


def stop(context: JifenContext) -> None:
    """The step is over (drafts are kept)."""
    _state(context).pop(STEP, None)


def clear(context: JifenContext) -> None:
    """Forget the whole flow: step and drafts (a revoked role, a Cancel that won)."""
    _state(context).clear()


async def cancel(context: JifenContext) -> None:
    """A Cancel button of the flow: forget it, and withdraw its open confirm step (whose
    Confirm then answers "cancelled"), so nothing of this flow can still be written."""
    step = awaited_buttons(context)
    if step is not None and step.get("action") is not None:
        await pending.withdraw(step["action"])
    clear(context)


# ---- drafts ----------------------------------------------------------------------------


def draft(context: JifenContext, name: str) -> dict[str, Any] | None:
    """A wizard's draft; change it in place, it is saved after the update."""
    return _state(context).get(DRAFTS, {}).get(name)


def start_draft(context: JifenContext, name: str, value: dict[str, Any]) -> dict[str, Any]:
    _state(context).setdefault(DRAFTS, {})[name] = value
    return value


def drop_draft(context: JifenContext, name: str) -> None:
    drafts = _state(context).get(DRAFTS, {})
    drafts.pop(name, None)
    if not drafts:
        _state(context).pop(DRAFTS, None)


# ---- saving ----------------------------------------------------------------------------


async def save(update: object, context: JifenContext) -> None:
    """After every update: write the flow back if a handler changed it (one write)."""
    flow = context.flow
    if flow is None or not flow.changed:
        return
    idle = timedelta(hours=context.settings.flows.idle_hours)
    if not await flows.save(flow, idle):
        log.warning(
            "flow of %s changed elsewhere meanwhile; this update's change is dropped",
            flow.telegram_id,
        )


# ---- pending actions -------------------------------------------------------------------


def signed_rows(
    context: JifenContext, user_id: int, rows: Sequence[Sequence[ButtonSpec]]
) -> list[list[InlineKeyboardButton]]:
    """Inline buttons whose callback data is signed for ``user_id``."""
    return [
        [
            InlineKeyboardButton(label, callback_data=context.codec.encode(user_id, a, *args))
            for label, a, args in row
        ]
        for row in rows
        if row
    ]


def confirm_buttons(
    context: JifenContext, action_id: int, confirm_key: str = "common-confirm"
) -> list[ButtonSpec]:
    return [
        (context.t(confirm_key), CONFIRM, (action_id,)),
        (context.t("common-cancel"), CANCEL, (action_id,)),
    ]


async def ask_confirm(
    update: Update,
    context: JifenContext,
    kind: str,
    payload: dict[str, Any],
    text: str,
    *,
    extra: Sequence[Sequence[ButtonSpec]] = (),
    edit: bool = False,
    confirm_key: str = "common-confirm",
    answer: bool = True,
) -> None:
    """Show a confirm step: a pending action of ``kind`` (what Confirm does is declared in
    the Feature table), its message with Confirm/Cancel (+ ``extra`` rows), bound to it.

    ``edit`` replaces the pressed message instead of sending a new one; ``confirm_key``
    labels the Confirm button; ``answer=False`` leaves the pressed button's answer to the
    caller (a Confirm whose outcome is shown after this new step).
    """
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    previous = awaited_buttons(context)
    if previous is not None and previous.get("action") is not None:
        await pending.withdraw(previous["action"])  # one open confirm step per flow
    valid = timedelta(minutes=context.settings.flows.confirm_valid_minutes)
    action = await pending.create(user.id, chat.id, kind, payload, valid)
    rows = [confirm_buttons(context, action.id, confirm_key), *extra]
    markup = InlineKeyboardMarkup(signed_rows(context, user.id, rows))
    message = await show(update, text, markup, edit=edit, answer=answer)
    if isinstance(message, Message):
        await pending.bind(action.id, message.message_id)
    await_buttons(context, message, action.id)


async def show(
    update: Update,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    edit: bool = True,
    answer: bool = True,
) -> Message | bool:
    """Replace the pressed message (``edit`` and a button was pressed) or send a new one
    (answering the pressed button first, unless ``answer`` is False)."""
    query = update.callback_query
    if edit and query is not None and query.message is not None:
        await query.answer()
        try:
            return await query.edit_message_text(
                text, parse_mode=ParseMode.HTML, reply_markup=markup
            )
        except BadRequest as exc:  # a double tap shows the very same outcome again
            if "not modified" not in str(exc):
                raise
            return True
    if query is not None and answer:
        await query.answer()
    assert update.effective_chat is not None
    return await update.effective_chat.send_message(
        text, parse_mode=ParseMode.HTML, reply_markup=markup
    )


async def resend_buttons(update: Update, context: JifenContext) -> bool:
    """Typed text while the flow waits for a button: a hint and the buttons again.

    The pending action (if any) moves to the re-sent message, so the old copy's buttons
    become stale. False when the flow waits for no button.
    """
    step = awaited_buttons(context)
    chat = update.effective_chat
    if step is None or chat is None:
        return False
    await chat.send_message(context.t("flow-use-buttons"))
    markup = InlineKeyboardMarkup.de_json(step["markup"], context.bot)
    message = await chat.send_message(
        step["text"] or context.t("flow-use-buttons"),
        parse_mode=ParseMode.HTML,
        reply_markup=markup,
    )
    if step.get("action") is not None and not await pending.bind(
        step["action"], message.message_id
    ):
        stop(context)  # confirmed, cancelled or expired meanwhile
        return True
    await_buttons(context, message, step.get("action"))
    return True
