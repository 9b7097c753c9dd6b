"""One table drives commands, menus, buttons, deep links and free-text input (STYLE.md §2).

Each feature module declares a :class:`Feature`; :func:`install` registers all of them on
the Application with their role checks, and :func:`publish_menus` sets the localized
``setMyCommands`` menus per language and per role's chat scope. Adding a command touches
one place: the feature's declaration. Awaited input (``inputs``) declares its role, checked
again on every message; every confirm step (``confirms``) is a pending action whose
Confirm/Cancel presses one router decides (see :mod:`handlers.flows`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    Message,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from handlers import flows
from handlers.callbacks import CallbackData
from handlers.context import JifenContext, resolve_person
from locales import LANGUAGES, translator
from models.access import staff
from models.codes import tokens
from models.conversation import pending
from models.members import membership
from models.store.tables import PendingAction, Role

log = logging.getLogger(__name__)

Callback = Callable[[Update, JifenContext], Awaitable[Any]]
ButtonCallback = Callable[[Update, JifenContext, CallbackData], Awaitable[Any]]
StrayCallback = Callable[[Update, JifenContext], Awaitable[bool]]
LinkCallback = Callable[[Update, JifenContext, str], Awaitable[Any]]

DEEP_LINK = tokens.DEEP_LINK


@dataclass(frozen=True)
class Command:
    """A slash command: who may use it and the locale key of its menu description."""

    name: str
    callback: Callback
    description: str
    role: Role | None = None
    in_menu: bool = True
    members_only: bool = False
    """In the menu of staff only once they joined as members (the callback checks it)."""


@dataclass(frozen=True)
class Button:
    """Handler of inline buttons whose callback data starts with ``action``."""

    callback: ButtonCallback
    role: Role | None = None


@dataclass(frozen=True)
class Input:
    """Handler of the awaited input ``state``; ``role`` is checked again on every message
    (a role revoked meanwhile gets "not allowed" and the flow is cleared)."""

    callback: Callback
    role: Role | None = None


@dataclass(frozen=True)
class Outcome:
    """What Confirm did, shown in place of the confirm message (and again on a repeat)."""

    text: str
    html: bool = True


ConfirmCallback = Callable[[Update, JifenContext, PendingAction], Awaitable[Outcome]]


@dataclass(frozen=True)
class Confirm:
    """What Confirm does for a pending action of one kind. The callback runs once per
    action (claimed by one conditional update) and keys its write ``pa:<action id>``
    (:func:`key_of`), so a retry after a crash writes nothing twice."""

    callback: ConfirmCallback
    role: Role | None = None
    cancelled: ConfirmCallback | None = None
    """What Cancel says (and does: e.g. tell someone), when it won; default "Cancelled"."""
    idempotent: bool = True
    """Whether running the callback twice writes once (a key, a conditional update, a
    version check); only then may a press retry after the claiming instance died."""


def key_of(action: PendingAction) -> str:
    """The idempotency key of a pending action's operation."""
    return f"pa:{action.id}"


@dataclass(frozen=True)
class Feature:
    """Everything one chat feature adds to the bot."""

    name: str
    commands: Sequence[Command] = ()
    buttons: Mapping[str, Button] = field(default_factory=dict)
    deep_links: Mapping[str, LinkCallback] = field(default_factory=dict)
    """Payload kind letter (``m``, ``v``, …) → handler receiving the token."""
    inputs: Mapping[str, Input] = field(default_factory=dict)
    """Awaited-input state name → handler of the next text/photo/contact message."""
    confirms: Mapping[str, Confirm] = field(default_factory=dict)
    """Pending-action kind → what its Confirm button does (see :mod:`handlers.flows`)."""
    menu_buttons: Mapping[str, str] = field(default_factory=dict)
    """Reply-keyboard label locale key → command name it stands for."""
    handlers: Sequence[BaseHandler] = ()
    """Anything else, registered as is (group 0, after commands)."""
    on_start: Callback | None = None
    """What a plain ``/start`` (no deep link) does; exactly one feature provides it."""
    strays: Sequence[StrayCallback] = ()
    """Messages no step awaits that this feature still recognises (a key of an old
    keyboard, a contact): each returns True when it handled the message."""


# ---- wiring ----------------------------------------------------------------------------


async def reply(update: Update, text: str, **kwargs: Any) -> Message | None:
    """Answer where the update came from (message or button press)."""
    if update.callback_query is not None:
        await update.callback_query.answer()
    chat = update.effective_chat
    return await chat.send_message(text, **kwargs) if chat is not None else None


async def refuse(update: Update, context: JifenContext, needed: Role) -> None:
    """The localized "not allowed" answer; nothing else happens."""
    text = context.t("common-not-allowed", role=needed.value)
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
    elif update.effective_chat is not None:
        await update.effective_chat.send_message(text)


def _guard(callback: Callback, role: Role | None) -> Callback:
    async def guarded(update: Update, context: JifenContext) -> Any:
        if role is not None and not staff.may(context.role, role):
            await refuse(update, context, role)
            return None
        return await callback(update, context)

    guarded.__name__ = getattr(callback, "__name__", "guarded")
    return guarded


class _Router:
    """Dispatches buttons, deep links, awaited input and menu labels to features."""

    def __init__(self, features: Sequence[Feature]) -> None:
        self.buttons: dict[str, Button] = {}
        self.links: dict[str, LinkCallback] = {}
        self.inputs: dict[str, Input] = {}
        self.confirms: dict[str, Confirm] = {}
        self.labels: dict[str, str] = {}
        self.commands: dict[str, Command] = {}
        self.strays: list[StrayCallback] = [s for f in features for s in f.strays]
        starts = [f.on_start for f in features if f.on_start is not None]
        if len(starts) > 1:
            raise ValueError("more than one feature handles a plain /start")
        self.on_start: Callback | None = starts[0] if starts else None
        for feature in features:
            _merge(self.buttons, feature.buttons, feature.name)
            _merge(self.links, feature.deep_links, feature.name)
            _merge(self.inputs, feature.inputs, feature.name)
            _merge(self.confirms, feature.confirms, feature.name)
            _merge(self.commands, {c.name: c for c in feature.commands}, feature.name)
            for key, command in feature.menu_buttons.items():
                for language in LANGUAGES:
                    self.labels[translator(language)(key)] = command

    async def on_button(self, update: Update, context: JifenContext) -> None:
        query = update.callback_query
        assert query is not None and query.from_user is not None
        data = context.codec.decode(query.from_user.id, query.data)
        if data is not None and data.action in flows.ACTIONS:
            await self.on_action(update, context, data)
            return
        button = self.buttons.get(data.action) if data else None
        if data is None or button is None:
            await query.answer(context.t("common-button-expired"), show_alert=True)
            return
        if button.role is not None and not staff.may(context.role, button.role):
            await refuse(update, context, button.role)
            return
        await button.callback(update, context, data)

    async def on_action(self, update: Update, context: JifenContext, data: CallbackData) -> None:
        """Confirm or Cancel of a pending action: the store decides, one winner."""
        query = update.callback_query
        assert query is not None and query.from_user is not None
        action_id, message = data.int_arg(0), query.message
        row = await pending.get(action_id) if action_id is not None else None
        confirm = self.confirms.get(row.kind) if row is not None else None
        if message is None or row is None or confirm is None:
            await query.answer(context.t("common-button-expired"), show_alert=True)
            return
        if confirm.role is not None and not staff.may(context.role, confirm.role):
            flows.clear(context)
            await refuse(update, context, confirm.role)
            return
        actor, message_id = query.from_user.id, message.message_id
        if data.action == flows.CANCEL:
            outcome = await pending.cancel(row.id, actor, message_id)
            if isinstance(outcome, pending.Cancelled):
                if flows.shows(context, row.id):  # an older confirm leaves the flow alone
                    flows.clear(context)
                said = Outcome(context.t("common-cancelled"), html=False)
                if confirm.cancelled is not None:
                    said = await confirm.cancelled(update, context, row)
                await _show_outcome(update, said.text, said.html)
                return
        else:
            outcome = await pending.claim(
                row.id, actor, message_id, known=row, retake=confirm.idempotent
            )
            if isinstance(outcome, pending.Claimed):
                await self._confirm(update, context, confirm, outcome.action)
                return
        await _refused_action(update, context, outcome)

    async def _confirm(
        self, update: Update, context: JifenContext, confirm: Confirm, action: PendingAction
    ) -> None:
        try:
            outcome = await confirm.callback(update, context, action)
        except BaseException:
            await pending.release(action.id)
            raise
        await pending.finish(action.id, {"text": outcome.text, "html": outcome.html})
        if flows.shows(context, action.id):
            flows.stop(context)
        await _show_outcome(update, outcome.text, outcome.html)

    async def on_deep_link(self, update: Update, context: JifenContext, payload: str) -> bool:
        """Handle ``/start <payload>``; False when the payload is not a known link."""
        match = DEEP_LINK.match(payload)
        handler = self.links.get(match.group(1)) if match else None
        if match is None or handler is None:
            return False
        flows.stop(context)
        await handler(update, context, match.group(2))
        return True

    async def on_message(self, update: Update, context: JifenContext) -> None:
        """Free text, photos and contacts: awaited input first, then menu labels, then the
        hint to use the buttons when the flow waits for one."""
        state = flows.awaiting(context)
        awaited = self.inputs.get(state) if state is not None else None
        if awaited is not None:
            if awaited.role is not None and not staff.may(context.role, awaited.role):
                flows.clear(context)  # the role was revoked meanwhile
                await refuse(update, context, awaited.role)
                return
            await awaited.callback(update, context)
            return
        message = update.effective_message
        text = message.text if message else None
        if text and text in self.labels and self.labels[text] in self.commands:
            command = self.commands[self.labels[text]]
            await _guard(command.callback, command.role)(update, context)
            return
        if text and await flows.resend_buttons(update, context):
            return
        for stray in self.strays:
            if await stray(update, context):
                return
        if "" in self.inputs:  # a feature's catch-all (e.g. a photo of a QR code)
            await self.inputs[""].callback(update, context)
            return
        await reply(update, what_you_can_do(context))


async def _refused_action(
    update: Update, context: JifenContext, outcome: pending.Refusal | pending.Cancelled
) -> None:
    """A press that lost: the same outcome again when done, else a short localized why."""
    query = update.callback_query
    assert query is not None
    if isinstance(outcome, pending.Done) and outcome.result is not None:
        await _show_outcome(update, outcome.result["text"], bool(outcome.result.get("html")))
        return
    key = {
        pending.Cancelled: "flow-action-cancelled",
        pending.ActionExpired: "flow-action-expired",
        pending.InProgress: "flow-action-in-progress",
        pending.StaleMessage: "flow-action-stale",
    }.get(type(outcome), "common-button-expired")
    await query.answer(context.t(key), show_alert=True)


async def _show_outcome(update: Update, text: str, html: bool) -> None:
    """The outcome in place of the confirm message (a repeat press: the same again)."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    try:
        await query.edit_message_text(text, parse_mode=ParseMode.HTML if html else None)
    except BadRequest as exc:
        if "not modified" not in str(exc):
            raise


def _merge(target: dict[str, Any], items: Mapping[str, Any], owner: str) -> None:
    for key, value in items.items():
        if key in target:
            raise ValueError(f"{owner} registers {key!r} twice")
        target[key] = value


ROUTER_KEY = "router"


def router(context: JifenContext) -> _Router:
    return context.bot_data[ROUTER_KEY]


def install(application: Application, features: Sequence[Feature]) -> None:
    """Register every feature's handlers on the application."""
    route = _Router(features)
    application.bot_data[ROUTER_KEY] = route
    application.bot_data["features"] = tuple(features)
    application.add_handler(TypeHandler(Update, resolve_person), group=-100)
    application.add_handler(TypeHandler(Update, flows.save), group=100)
    private = filters.ChatType.PRIVATE
    for command in route.commands.values():
        application.add_handler(
            CommandHandler(command.name, _guard(command.callback, command.role), filters=private)
        )
    application.add_handler(CallbackQueryHandler(route.on_button))
    for feature in features:
        for handler in feature.handlers:
            application.add_handler(handler)
    application.add_handler(
        MessageHandler(
            private & (filters.TEXT | filters.PHOTO | filters.CONTACT) & ~filters.COMMAND,
            route.on_message,
        )
    )
    # Last in group 0: reached only when no command handler above matched.
    application.add_handler(MessageHandler(private & filters.COMMAND, _unknown_command))


async def _unknown_command(update: Update, context: JifenContext) -> None:
    await reply(update, context.t("common-unknown-command"))


HINT_KEYS = {
    None: "common-hint-member",
    Role.STAFF: "common-hint-staff",
    Role.MARKETER: "common-hint-marketer",
    Role.ADMIN: "common-hint-admin",
}
"""What plain text nobody waits for is answered with: what this person can do (the keys
are listed here, so the locale test checks every one)."""


def what_you_can_do(context: JifenContext) -> str:
    """A hint for text the bot cannot place, by the person's role."""
    return context.t(HINT_KEYS.get(context.role, "common-hint-member"))


# ---- menus -----------------------------------------------------------------------------

_ROLE_MENUS: tuple[Role | None, ...] = (None, Role.STAFF, Role.MARKETER, Role.ADMIN)


def commands_for(
    features: Sequence[Feature], role: Role | None, language: str, *, joined: bool = True
) -> list[BotCommand]:
    """The menu a person with ``role`` sees, in ``language`` (without the member's
    commands for staff who have not ``joined`` as members)."""
    t = translator(language)
    return [
        BotCommand(c.name, t(c.description)[:256])
        for f in features
        for c in f.commands
        if c.in_menu and staff.may(role, c.role) and (joined or not c.members_only)
    ]


def _telegram_language(language: str) -> str:
    return "zh" if language == "zh-Hans" else "en"


async def publish_menus(application: Application, grants: Sequence[staff.Grant] = ()) -> None:
    """Member menu for all private chats (per language), role menus per staff chat."""
    features = application.bot_data["features"]
    bot = application.bot
    default = application.bot_data["settings"].bot.default_language
    scope = BotCommandScopeAllPrivateChats()
    await bot.set_my_commands(commands_for(features, None, default), scope=scope)
    for language in LANGUAGES:
        await bot.set_my_commands(
            commands_for(features, None, language),
            scope=scope,
            language_code=_telegram_language(language),
        )
    for grant in grants:
        await publish_menu_for(application, grant.telegram_id, grant.role)


async def publish_menu_for(application: Application, telegram_id: int, role: Role | None) -> None:
    """Set (or, for ``None``, reset) one person's menu after a role change, or after a
    staff member joined as a member."""
    features = application.bot_data["features"]
    scope = BotCommandScopeChat(telegram_id)
    try:
        if role is None:
            await application.bot.delete_my_commands(scope=scope)
            for language in LANGUAGES:
                await application.bot.delete_my_commands(
                    scope=scope, language_code=_telegram_language(language)
                )
            return
        default = application.bot_data["settings"].bot.default_language
        joined = await membership.has_joined(telegram_id)
        await application.bot.set_my_commands(
            commands_for(features, role, default, joined=joined), scope=scope
        )
        for language in LANGUAGES:
            await application.bot.set_my_commands(
                commands_for(features, role, language, joined=joined),
                scope=scope,
                language_code=_telegram_language(language),
            )
    except TelegramError as exc:  # e.g. the person never started the bot
        log.warning("could not set the menu of %s: %s", telegram_id, exc)
