"""The Telegram Mini App: the member's wallet and the cashier's in-chat scanner, at ``/app/``.

:func:`routes` gives plain aiohttp routes, so the same Mini App is mounted on the bot's
HTTP server (``bot.runners``, polling and webhook alike, when ``bot.public_url`` is set)
and on the sandbox's page server (with a stand-in ``Telegram.WebApp``):

    GET  /app/                         the page (static, strict CSP)
    GET  /app/api/openapi.json         what follows, as OpenAPI 3.1
    GET  /app/api/texts?lang=en        the page's sentences (from locales/*/miniapp.ftl)
    GET  /app/api/session              who is calling: language, member?, staff?, texts
    GET  /app/api/me                   card, balance, tier progress, expiring, recent history
    GET  /app/api/history?page=N       the journal, newest first
    GET  /app/api/rewards              the catalogue the member may see
    POST /app/api/rewards/{id}/redeem  points → voucher (Idempotency-Key)
    GET  /app/api/vouchers             the member's vouchers (active with their QR)
    POST /app/api/scan                 staff: what the camera read is a member or a voucher
    POST /app/api/scan/photo           staff: the same from a picture (no scanner here)
    POST /app/api/purchases/quote      staff: points a purchase would earn now
    POST /app/api/purchases            staff: record it (Idempotency-Key); receipt to member
    POST /app/api/vouchers/redeem      staff: use a voucher (one winner)

Every ``/app/api`` call but the open three carries ``Authorization: tma <initData>``
(:mod:`api.miniapp.auth`); staff endpoints answer 403 to anyone without a staff role.

The page loads ``telegram-web-app.js`` from telegram.org, the one external script (the
CSP allows exactly that URL): Telegram's clients expose ``window.Telegram.WebApp`` only
through it, and it follows their protocol changes without us shipping a copy.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from aiohttp import web

from api.errors import ApiError
from api.miniapp import member, till
from api.miniapp.auth import Caller
from api.miniapp.common import MiniApp, check_input, endpoint, refused, t
from api.miniapp.openapi import document
from api.miniapp.texts import page_texts
from bot.settings import Settings
from locales import language_for
from models.store.tables import Role

log = logging.getLogger(__name__)
PREFIX = "/app"
STATIC_DIR = Path(__file__).parent / "static"
TELEGRAM_JS = "https://telegram.org/js/telegram-web-app.js"
STATIC_FILES = {"app.js": "text/javascript", "app.css": "text/css"}

__all__ = ["PREFIX", "TELEGRAM_JS", "MiniApp", "check_public_url", "routes"]


def csp(telegram_js: str) -> str:
    """Nothing from outside but Telegram's script; framed only by Telegram Web (or us)."""
    script = "'self'" + (f" {telegram_js}" if telegram_js.startswith("https://") else "")
    return (
        f"default-src 'none'; script-src {script}; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'self' https://web.telegram.org https://*.telegram.org"
    )


def check_public_url(settings: Settings) -> None:
    """Warn when the Mini App will not open in Telegram (which requires https)."""
    url = settings.bot.public_url.strip()
    if url and urlparse(url).scheme != "https":
        log.warning(
            "bot.public_url is %s: Telegram opens Mini Apps only over https "
            "(fine for local tests and the sandbox)",
            urlparse(url).scheme or "not a URL",
        )


async def session(request: web.Request, app: MiniApp, caller: Caller) -> dict[str, Any]:
    return {
        "user_id": caller.telegram_id,
        "language": caller.language,
        "member": caller.member is not None,
        "staff": (
            {"role": caller.grant.role.value, "location": caller.grant.location}
            if caller.grant is not None and caller.is_staff
            else None
        ),
        "console": caller.grant is not None
        and caller.grant.role in (Role.ADMIN, Role.MARKETER),  # the Console entry
        "texts": page_texts(caller.language),
        "shop": app.settings.bot.shop_name,
        "hello": t(caller)("miniapp-hello", name=caller.member.display_name)
        if caller.member
        else "",
    }


def routes(
    settings: Settings,
    *,
    bot_token: str,
    bot_username: Callable[[], str | None],
    telegram_js: str = TELEGRAM_JS,
) -> list[web.RouteDef]:
    """The Mini App's routes; add them to any aiohttp app (before it starts)."""
    app = MiniApp(settings, bot_token, bot_username, telegram_js)
    html = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    html = html.replace("{{telegram_js}}", telegram_js)
    page_headers = {
        "Content-Security-Policy": csp(telegram_js),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-cache",
    }

    async def index(_: web.Request) -> web.Response:
        return web.Response(text=html, content_type="text/html", headers=page_headers)

    async def redirect(_: web.Request) -> web.Response:
        raise web.HTTPFound(f"{PREFIX}/")

    async def static(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in STATIC_FILES:
            raise web.HTTPNotFound()
        return web.Response(
            body=(STATIC_DIR / name).read_bytes(),
            content_type=STATIC_FILES[name],
            headers={**page_headers, "Cache-Control": "public, max-age=300"},
        )

    async def texts(request: web.Request) -> web.Response:
        try:
            check_input(request, frozenset({"lang"}))
        except ApiError as error:
            return refused(error, settings.bot.default_language)
        language = language_for(request.query.get("lang"), settings.bot.default_language)
        return web.json_response({"language": language, "texts": page_texts(language)})

    async def openapi(_: web.Request) -> web.Response:
        return web.json_response(document())

    def staff(handler: Any) -> Any:
        return endpoint(app, handler, staff_only=True)

    def anyone(handler: Any) -> Any:
        return endpoint(app, handler)

    api = f"{PREFIX}/api"
    return [
        web.get(PREFIX, redirect),
        web.get(f"{PREFIX}/", index),
        web.get(PREFIX + "/static/{name}", static),
        web.get(f"{api}/openapi.json", openapi),
        web.get(f"{api}/texts", texts),
        web.get(f"{api}/session", anyone(session)),
        web.get(f"{api}/me", anyone(member.me)),
        web.get(f"{api}/history", endpoint(app, member.history_page, query=frozenset({"page"}))),
        web.get(f"{api}/rewards", anyone(member.rewards)),
        web.get(api + "/rewards/{reward_id}/photo", member.reward_photo),
        web.post(api + "/rewards/{reward_id}/redeem", anyone(member.redeem_reward)),
        web.get(f"{api}/vouchers", anyone(member.my_vouchers)),
        web.post(f"{api}/scan", staff(till.scan)),
        web.post(f"{api}/scan/photo", staff(till.scan_photo)),
        web.post(f"{api}/purchases/quote", staff(till.quote)),
        web.post(f"{api}/purchases", staff(till.record_purchase)),
        web.post(f"{api}/vouchers/redeem", staff(till.redeem_voucher)),
    ]
