"""Joining: welcome, phone (own contact only), marketing consent, menu, and /language.

Every way of joining (/start and the phone, a join link ``j-``, an invite ``r-``, staff
joining as a member) ends in :func:`finish_joining`: the consent question, asked the same
way until the member has answered it once, then the menu.
"""

from __future__ import annotations

import html

from telegram import ReplyKeyboardRemove, Update

from handlers import enrolment, flows
from handlers.callbacks import CallbackData
from handlers.context import JifenContext
from handlers.member.common import HTML, LANGUAGE_NAMES, button, edit, markup, send
from handlers.member.keyboards import main_menu, share_phone
from locales import LANGUAGES, translator
from models.members import membership

CONTACT_STATE = "member-contact"
SKIP_LABELS = frozenset(translator(language)("member-skip-phone") for language in LANGUAGES)
"""The "Skip" key in every language (a keyboard may outlive a language change)."""


async def show_menu(update: Update, context: JifenContext, key: str = "member-menu-shown") -> None:
    await send(update, context.t(key), reply_markup=main_menu(context.t))


async def start(update: Update, context: JifenContext) -> None:
    """Plain ``/start``: a joined member (phone known) just gets the menu, others the welcome.

    ``resolve_person`` already created the member (race-safe), so /start never duplicates.
    """
    member = context.member
    assert member is not None
    if member.phone:
        await finish_joining(update, context)
        return
    text = context.t(
        "member-welcome",
        shop=html.escape(context.settings.bot.shop_name),
        name=html.escape(member.first_name or member.code),
    )
    await send(update, text, parse_mode=HTML, reply_markup=share_phone(context.t))
    flows.await_input(context, CONTACT_STATE)


async def on_contact(update: Update, context: JifenContext) -> None:
    """The next message after the welcome: the member's own contact, "skip", a typed phone
    number, or anything else, which gets a hint and keeps the step (and its keys) alive."""
    message = update.effective_message
    member = context.member
    assert message is not None and member is not None
    if message.contact is not None:
        await take_contact(update, context)
        return
    text = (message.text or "").strip()
    if text in SKIP_LABELS:
        flows.stop(context)
        await send(update, context.t("member-phone-skipped"), reply_markup=ReplyKeyboardRemove())
        await finish_joining(update, context)
        return
    typed = None
    if text:
        country = context.settings.members.default_country
        typed = await membership.set_typed_phone(member.id, text, country)
    if isinstance(typed, str):
        flows.stop(context)
        await send(
            update, context.t("member-phone-saved", phone=typed), reply_markup=ReplyKeyboardRemove()
        )
        await finish_joining(update, context)
        return
    key = "member-phone-typed-taken" if typed is not None else "member-contact-hint"
    await send(update, context.t(key), reply_markup=share_phone(context.t))


async def take_contact(update: Update, context: JifenContext) -> None:
    """A shared contact: the person's own links an enrolled membership or becomes the phone."""
    message, member = update.effective_message, context.member
    assert message is not None and message.contact is not None and member is not None
    contact = message.contact
    if contact.user_id != member.telegram_id:
        await send(
            update, context.t("member-contact-not-yours"), reply_markup=share_phone(context.t)
        )
        return
    flows.stop(context)
    if await enrolment.link_by_phone(update, context, contact.phone_number):
        await finish_joining(update, context)  # linked (or told why not): joining goes on
        return
    phone = await membership.set_phone(member.id, contact.phone_number)
    await send(
        update,
        context.t("member-phone-saved", phone=phone),
        reply_markup=ReplyKeyboardRemove(),
    )
    await finish_joining(update, context)


async def stray(update: Update, context: JifenContext) -> bool:
    """A contact or "Skip" from a welcome keyboard no step awaits any more (an old one, or
    one that outlived its flow): joining goes on as if the step still waited."""
    message, member = update.effective_message, context.member
    if message is None or member is None or member.phone:
        return False
    if message.contact is not None:
        await take_contact(update, context)
        return True
    if (message.text or "").strip() in SKIP_LABELS:
        await send(update, context.t("member-phone-skipped"), reply_markup=ReplyKeyboardRemove())
        await finish_joining(update, context)
        return True
    return False


async def finish_joining(update: Update, context: JifenContext) -> None:
    """The consent question if the member never answered it, else the menu."""
    member = context.member
    if member is not None and not membership.consent_asked(member):
        await ask_consent(update, context)
    else:
        await show_menu(update, context)


async def ask_consent(update: Update, context: JifenContext) -> None:
    keyboard = markup(
        [
            button(update, context, context.t("member-consent-yes"), "mk", 1),
            button(update, context, context.t("member-consent-no"), "mk", 0),
        ]
    )
    await send(update, context.t("member-consent-ask"), reply_markup=keyboard)


async def on_consent(update: Update, context: JifenContext, data: CallbackData) -> None:
    assert context.member is not None
    yes = data.int_arg(0) == 1
    await membership.set_preferences(context.member.id, marketing=yes)
    await edit(update, context.t("member-consent-given" if yes else "member-consent-declined"))
    await show_menu(update, context)


async def language(update: Update, context: JifenContext) -> None:
    """``/language``: both languages as buttons, each named in its own language."""
    row = [button(update, context, LANGUAGE_NAMES[lang], "ml", lang) for lang in LANGUAGES]
    await send(update, context.t("member-language-ask"), reply_markup=markup(row))


async def on_language(update: Update, context: JifenContext, data: CallbackData) -> None:
    assert context.member is not None
    chosen = data.args[0] if data.args and data.args[0] in LANGUAGES else None
    if chosen is None:
        await edit(update, context.t("common-button-expired"))
        return
    context.member.language = await membership.set_language(context.member.id, chosen)
    t = translator(chosen)
    await edit(update, t("member-language-set"))
    if context.member.enrolled or context.role is None:
        await show_menu(update, context)  # staff who have not joined get no member keyboard
