"""The Mini App in the sandbox: phone-sized panels at ``/miniapp/`` with a stand-in
``Telegram.WebApp``, so a newcomer tries the member's card and the cashier's in-app scan.

The real Mini App (``api.miniapp.routes``) is served on the sandbox's own origin, checking
initData against the emulator's token; the panels get initData signed by this server as
Telegram would sign it (only for the sandbox's personas). The stand-in script replaces
telegram.org's: MainButton and BackButton are drawn under and above each panel, and
``showScanQrPopup`` lets you click any QR code shown in any panel.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

import init_data_py
from aiohttp import web

from api.miniapp import routes
from bot.emulator import BotApiEmulator
from bot.emulator.web import PagePerson
from bot.sandbox.page import files_handler
from bot.settings import Settings
from locales import language_for, translator

STATIC = Path(__file__).parent / "static"
STAND_IN = "/miniapp/static/telegram-web-app.js"
FILES = {
    "index.html": "text/html",
    "miniapp.css": "text/css",
    "miniapp.js": "text/javascript",
    "telegram-web-app.js": "text/javascript",
}
PAGE_KEYS = (
    "miniapp-sandbox-title",
    "miniapp-sandbox-hint",
    "miniapp-sandbox-person",
    "miniapp-sandbox-platform",
    "miniapp-sandbox-phone",
    "miniapp-sandbox-desktop",
    "miniapp-sandbox-theme",
    "miniapp-sandbox-light",
    "miniapp-sandbox-dark",
    "miniapp-sandbox-pick-qr",
    "miniapp-sandbox-cancel",
    "miniapp-sandbox-chat",
)


def sign_for(person: PagePerson, token: str) -> str:
    """initData for ``person`` as Telegram signs it (HMAC-SHA256 with the bot's token)."""
    user = {
        "id": person.user_id,
        "first_name": person.first_name,
        "last_name": person.last_name or "",
        "language_code": person.language_code,
    }
    fields = {
        "user": json.dumps(user, separators=(",", ":")),
        "query_id": f"sandbox{person.user_id}",
    }
    return init_data_py.sign(fields, token)


def add_miniapp_routes(
    emu: BotApiEmulator,
    settings: Settings,
    people: Sequence[PagePerson],
    bot_username: Callable[[], str | None],
) -> None:
    """The Mini App and its sandbox page on ``emu.web_app`` (before the emulator starts)."""
    by_id = {p.user_id: p for p in people}
    emu.web_app.add_routes(
        routes(settings, bot_token=emu.token, bot_username=bot_username, telegram_js=STAND_IN)
    )

    page_file = files_handler(STATIC, FILES, "index.html")

    async def init_data(request: web.Request) -> web.Response:
        try:
            person = by_id[int(request.query.get("user", ""))]
        except (KeyError, ValueError):
            raise web.HTTPNotFound() from None
        return web.json_response({"init_data": sign_for(person, emu.token)})

    async def strings(request: web.Request) -> web.Response:
        say = translator(language_for(request.query.get("lang")))
        return web.json_response({k.removeprefix("miniapp-sandbox-"): say(k) for k in PAGE_KEYS})

    async def redirect(_: web.Request) -> web.Response:
        raise web.HTTPFound("/miniapp/")

    emu.web_app.add_routes(
        [
            web.get("/miniapp", redirect),
            web.get("/miniapp/", page_file),
            web.get("/miniapp/static/{name}", page_file),
            web.get("/miniapp/init-data", init_data),
            web.get("/miniapp/strings", strings),
        ]
    )
