"""Putting the Mini App in Telegram: its routes on a server, and the buttons that open it.

When the bot has started (``post_init``), the default chat menu button of every private
chat opens the Mini App (members see their card), and each staff member's chat gets a
"Scan" menu button that opens it on the scanner; chats of revoked staff go back to the
default. Failures to set a button (a person who never opened the chat) are logged, never
fatal. A role granted while running gets its Scan button at the next start; the server
checks the role on every call anyway.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from aiohttp import web
from telegram import Bot, MenuButtonWebApp, WebAppInfo
from telegram.error import TelegramError
from telegram.ext import Application

from api.miniapp import PREFIX, check_public_url, routes
from bot.settings import Settings
from locales import translator
from models.access import staff
from models.store.tables import Member, StaffRole

log = logging.getLogger(__name__)


async def install_buttons(bot: Bot, settings: Settings, url: str) -> None:
    """The members' menu button (default for all chats) and the staff's Scan buttons."""
    say = translator(settings.bot.default_language)
    try:
        await bot.set_chat_menu_button(
            menu_button=MenuButtonWebApp(say("miniapp-menu-button"), WebAppInfo(url))
        )
    except TelegramError as error:
        log.warning("could not set the Mini App menu button: %s", error)
        return
    grants = await staff.list_staff(settings.access.admins)
    languages = {
        m.telegram_id: m.language
        for m in await Member.filter(telegram_id__in=[g.telegram_id for g in grants])
    }
    for grant in grants:
        label = translator(languages.get(grant.telegram_id))("miniapp-scan-menu-button")
        button = MenuButtonWebApp(label, WebAppInfo(url + "#scan"))
        try:
            await bot.set_chat_menu_button(chat_id=grant.telegram_id, menu_button=button)
        except TelegramError as error:
            log.info("no Scan button for staff %s: %s", grant.telegram_id, error)
    active = {g.telegram_id for g in grants}
    for row in await StaffRole.filter(active=False):
        if row.telegram_id not in active:
            try:
                await bot.set_chat_menu_button(chat_id=row.telegram_id)  # back to the default
            except TelegramError as error:
                log.info("could not reset the menu of %s: %s", row.telegram_id, error)


def buttons_on_start(
    application: Application, settings: Settings, public_url: Callable[[], str]
) -> None:
    """Set the buttons once ``application`` has started (chained after its ``post_init``)."""
    previous = application.post_init

    async def post_init(app: Application) -> None:
        if previous is not None:
            await previous(app)
        await install_buttons(app.bot, settings, public_url().rstrip("/") + PREFIX + "/")

    application.post_init = post_init


def attach(application: Application, settings: Settings) -> list[web.RouteDef]:
    """The Mini App's routes for the bot's own server, and its buttons at start.

    Nothing when ``bot.public_url`` is unset. Warns when it is not https.
    """
    public_url = settings.bot.public_url.strip()
    if not public_url:
        return []
    check_public_url(settings)
    buttons_on_start(application, settings, lambda: public_url)

    def bot_username() -> str | None:
        return application.bot_data.get("bot_username") or settings.bot.username or None

    return routes(settings, bot_token=application.bot.token, bot_username=bot_username)
