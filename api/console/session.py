"""Getting in and out: the one-time login link, the session API, logging out.

``GET /console/login?token=…`` spends a link from ``/console`` in chat and answers a
page that sets the session cookie and goes on to ``/console/`` by a ``<meta refresh>``
rather than a 303: a link opened from another site (Telegram Web) is a cross-site
navigation, and a ``SameSite=Strict`` cookie is not sent along a redirect of it, while
the page's own navigation is same-site. The cookie is ``HttpOnly``, ``Secure`` when the
console is reached over https, ``SameSite=Strict``, for ``/console`` only, and ends with
the browser; the session row ends sooner (idle, logout, revoke).

Inside Telegram the Mini App's *Console* entry posts its initData to
``POST /console/api/session`` and gets the same kind of session (``via`` telegram).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from api.console.common import API, PREFIX, Route, Visitor, page, settings
from api.console.guard import COOKIE, GATE, forbidden, refusal
from api.errors import ApiError
from models.access import console as sessions
from models.access import staff
from models.store.tables import Role

SESSION_SCHEMA = {
    "type": "object",
    "required": ["role", "name", "csrf_token", "language"],
    "properties": {
        "role": {"enum": ["admin", "marketer"]},
        "name": {"type": "string"},
        "csrf_token": {
            "type": "string",
            "description": "send as X-CSRF-Token with every write (empty with tma auth)",
        },
        "language": {"enum": ["en", "zh-Hans"]},
    },
}


def _cookie(request: web.Request, response: web.StreamResponse, token: str) -> None:
    https = request.secure or request.app[GATE].public_url().startswith("https://")
    response.set_cookie(COOKIE, token, httponly=True, secure=https, samesite="Strict", path=PREFIX)


def body(visitor: Visitor, token: str | None) -> dict[str, Any]:
    return {
        "role": visitor.role.value,
        "name": visitor.name,
        "csrf_token": sessions.csrf_token(token) if token else "",
        "language": visitor.language,
    }


async def login(request: web.Request) -> web.StreamResponse:
    """Spend the link, open a session for an admin or marketer, set the cookie."""
    language = settings(request).bot.default_language
    try:
        telegram_id = await sessions.use_link(request.query.get("token", ""))
        if telegram_id is None:
            raise ApiError(403, "link_used")
        grant = await staff.role_of(telegram_id, settings(request).access.admins)
        if grant is None or not staff.may(grant.role, Role.MARKETER):
            raise forbidden()
    except ApiError as error:
        return refusal(request, False, error, language)
    opened = await sessions.open_session(telegram_id, via="link")
    response = page(request, None, "login.html", language=language, target=f"{PREFIX}/")
    _cookie(request, response, opened.token)
    response.headers["Cache-Control"] = "no-store"
    return response


async def get_session(request: web.Request, visitor: Visitor) -> dict[str, Any]:
    return body(visitor, visitor.session_token)


async def open_from_telegram(request: web.Request, visitor: Visitor) -> web.StreamResponse:
    """The Mini App's entry: initData in, a session cookie out (a cookie visitor keeps
    theirs)."""
    if visitor.session_token is not None:
        return web.json_response(body(visitor, visitor.session_token))
    opened = await sessions.open_session(visitor.telegram_id, via="telegram")
    response = web.json_response(body(visitor, opened.token), status=201)
    _cookie(request, response, opened.token)
    return response


async def log_out(request: web.Request, visitor: Visitor) -> web.StreamResponse:
    """End this session (``/console logout`` in chat ends all of them)."""
    if visitor.session_token is not None:
        await sessions.end_session(visitor.session_token)
    response = web.json_response({"ok": True})
    response.del_cookie(COOKIE, path=PREFIX)
    return response


ROUTES = (
    Route(
        "GET",
        "/api/session",
        get_session,
        doc={
            "operationId": "getSession",
            "summary": "Who is signed in, and the CSRF token for writes",
            "responses": {"200": {"$ref": "#/components/responses/Session"}},
        },
    ),
    Route(
        "POST",
        "/api/session",
        open_from_telegram,
        keyed=False,
        doc={
            "operationId": "openSession",
            "summary": "Inside Telegram: trade Authorization: tma <initData> for a session "
            "cookie (the Mini App's Console entry)",
            "responses": {
                "201": {"$ref": "#/components/responses/Session"},
                "200": {"$ref": "#/components/responses/Session"},
            },
        },
    ),
    Route(
        "DELETE",
        "/api/session",
        log_out,
        keyed=False,
        doc={
            "operationId": "closeSession",
            "summary": "Log out of this session",
            "responses": {"200": {"description": "logged out"}},
        },
    ),
)
"""The session routes (the login page is outside the guard: it makes the session)."""

LOGIN_PATH = "/login"
API_SESSION = f"{API}/session"
