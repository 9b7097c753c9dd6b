"""Who may call a console route, checked on every request before the handler runs.

1. **Who.** ``Authorization: tma <initData>`` (inside Telegram; validated by the Mini
   App's own :func:`api.miniapp.auth.verified`) or the session cookie (a row in the
   store, :mod:`models.access.console`). Neither, or a bad one: 403, and nothing else is
   said (a stranger learns nothing, not even whether a session existed).
2. **Role.** The role is read from the store on every request: only admins and
   marketers enter; a revoked or changed role is refused at once (and its sessions were
   deleted with the change). A route may need more (``Role.ADMIN``: 403 ``admins_only``).
3. **Writes with a cookie** (anything but GET) must come from our own pages: an
   ``Origin`` of another host or ``Sec-Fetch-Site`` other than ``same-origin`` is 403
   ``cross_site``, and the ``X-CSRF-Token`` header must carry the session's token (from
   ``GET /console/api/session`` or the page's ``<meta name="csrf-token">``): 403 ``csrf``.
   (Requests with ``Authorization: tma`` carry their credential in a header, which no
   other site can make a browser send.)

All of this happens before anything is written: a refused request writes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlparse

from aiohttp import web

from api.auth import RateLimiter
from api.console.common import (
    CONSOLE_ROLES,
    Route,
    Visitor,
    error_json,
    error_text,
    page,
    settings,
)
from api.context import plain
from api.errors import ApiError
from api.miniapp import auth as telegram
from api.validation import check_request_text
from locales import language_for, normalize
from models.access import console as sessions
from models.access import staff
from models.store.tables import Member

log = logging.getLogger(__name__)
COOKIE = "jifen_console"
CSRF_HEADER = "X-CSRF-Token"
NO_STORE = {"Cache-Control": "no-store"}


@dataclass
class Gate:
    """What checking a caller needs: the bot token (initData) and the public origin."""

    bot_token: str
    public_url: Callable[[], str]
    limiter: RateLimiter
    bot_username: Callable[[], str | None] = lambda: None
    """The bot's @username for t.me links (the runner learns it from getMe)."""


GATE = web.AppKey("console_gate", Gate)


def forbidden(code: str = "forbidden") -> ApiError:
    return ApiError(403, code)


async def _identify(request: web.Request, gate: Gate) -> tuple[int, str | None, str | None]:
    """(Telegram id, Telegram's language, the cookie's secret or None), else 403."""
    init_data = telegram.presented(request)
    if init_data:
        try:
            telegram_id, language = telegram.verified(
                init_data, gate.bot_token, settings(request).miniapp.max_age_seconds
            )
        except ApiError:
            raise forbidden() from None
        telegram.take_token(gate.limiter, telegram_id)
        return telegram_id, language, None
    token = request.cookies.get(COOKIE, "")
    idle = timedelta(minutes=settings(request).console.session_idle_minutes)
    telegram_id = await sessions.session_of(token, idle) if token else None
    if telegram_id is None:
        raise forbidden()
    return telegram_id, None, token


def _own_origin(request: web.Request, gate: Gate) -> set[str]:
    hosts = {request.host.lower()}
    public = urlparse(gate.public_url())
    if public.netloc:
        hosts.add(public.netloc.lower())
    return hosts


def check_same_origin(request: web.Request, gate: Gate) -> None:
    """A cookie-carrying write from another site (or a sibling subdomain) is refused."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None and fetch_site != "same-origin":
        raise forbidden("cross_site")
    origin = request.headers.get("Origin")
    if origin is not None and urlparse(origin).netloc.lower() not in _own_origin(request, gate):
        raise forbidden("cross_site")


async def visitor_of(request: web.Request, route: Route | None = None) -> Visitor:
    """The checked visitor of ``request`` for ``route`` (see the module docstring)."""
    gate = request.app[GATE]
    telegram_id, telegram_language, token = await _identify(request, gate)
    if route is not None and route.is_write and token is not None:
        check_same_origin(request, gate)
        if not sessions.csrf_matches(token, request.headers.get(CSRF_HEADER, "")):
            raise forbidden("csrf")
    grant = await staff.role_of(telegram_id, settings(request).access.admins)
    if grant is None or grant.role not in CONSOLE_ROLES:
        raise forbidden()
    if route is not None and not staff.may(grant.role, route.role):
        raise forbidden("admins_only")
    member = await Member.get_or_none(telegram_id=telegram_id)
    default = settings(request).bot.default_language
    if member is not None and member.deleted_at is None:
        language, name = normalize(member.language), member.display_name
    else:
        language, name = language_for(telegram_language, default), str(telegram_id)
    return Visitor(telegram_id, grant, language, name, token)


def serve(route: Route) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """The aiohttp handler of ``route``: check, run, answer (JSON or a page)."""

    async def handle(request: web.Request) -> web.StreamResponse:
        language = settings(request).bot.default_language
        try:
            visitor = await visitor_of(request, route)
            language = visitor.language
            check_request_text(request)
            result = await route.handler(request, visitor)
            if isinstance(result, web.StreamResponse):
                return result
            return web.json_response(plain(result), headers=NO_STORE)
        except ApiError as error:
            return refusal(request, route.is_api, error, language)
        except web.HTTPException:
            raise
        except Exception:
            log.exception("console %s %s failed", request.method, request.path)
            return refusal(request, route.is_api, ApiError(500, "internal_error"), language)

    handle.__name__ = getattr(route.handler, "__name__", "console")
    return handle


def refusal(request: web.Request, is_api: bool, error: ApiError, language: str) -> web.Response:
    """An error as JSON (API) or as a page that says what to do (and nothing more)."""
    if is_api:
        response = error_json(error, language)
    else:
        response = page(
            request,
            None,
            "error.html",
            status=error.status,
            language=language,
            message=error_text(error, language),
        )
        response.set_status(error.status)
        response.headers.update(error.headers)
    response.headers.update(NO_STORE)
    return response
