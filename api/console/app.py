"""The console as an aiohttp sub-application, mounted at ``/console`` (see the package doc).

Every section route goes through :func:`api.console.guard.serve`; three things are open
to anyone: the login link (which refuses what it cannot spend with a 403 of its own),
the static files (our CSS and script, the vendored htmx and ECharts) and the OpenAPI
document. Every answer carries the strict Content-Security-Policy.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from api.auth import RateLimiter
from api.console import (
    audit_log,
    broadcasts,
    campaigns,
    coupons,
    dashboard,
    integrations,
    members,
    people,
    rewards,
    rules,
    stamps,
)
from api.console.common import BOT_USERNAME, PREFIX, SECTIONS_KEY, SETTINGS, Route, Section
from api.console.guard import GATE, Gate, serve
from api.console.openapi import document
from api.console.session import LOGIN_PATH, login
from api.console.session import ROUTES as SESSION_ROUTES
from bot.settings import Settings

HERE = Path(__file__).parent
STATIC = HERE / "static"
TEMPLATES = HERE / "templates"
SECTIONS: tuple[Section, ...] = (
    dashboard.SECTION,
    members.SECTION,
    rules.SECTION,
    campaigns.SECTION,
    broadcasts.SECTION,
    rewards.SECTION,
    coupons.SECTION,
    people.SECTION,
    integrations.SECTION,
    audit_log.SECTION,
    stamps.SECTION,
)
"""The console's sections, in navigation order: a new section adds itself here."""

STATIC_TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'self' https://web.telegram.org https://*.telegram.org"
)
"""Our own files only: no inline script or style, no other origin (htmx and ECharts are
served from here, pinned in ``static/vendor``)."""
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


async def _headers(request: web.Request, response: web.StreamResponse) -> None:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)


def _static_file(name: str) -> Path | None:
    """A file under ``static/`` by its relative name, never outside it."""
    path = (STATIC / name).resolve()
    if STATIC.resolve() not in path.parents or path.suffix not in STATIC_TYPES:
        return None
    return path if path.is_file() else None


async def static(request: web.Request) -> web.Response:
    path = _static_file(request.match_info["name"])
    if path is None:
        raise web.HTTPNotFound()
    return web.Response(
        body=path.read_bytes(),
        content_type=STATIC_TYPES[path.suffix],
        headers={"Cache-Control": "public, max-age=300"},
    )


def all_routes() -> list[Route]:
    return [*SESSION_ROUTES, *(r for s in SECTIONS for r in s.routes)]


def build_console(
    settings: Settings,
    *,
    bot_token: str,
    public_url: Callable[[], str],
    bot_username: Callable[[], str | None] = lambda: None,
) -> web.Application:
    """The console application; ``root.add_subapp("/console", build_console(...))``.
    ``bot_username`` is read per request (for coupons' t.me links; the runner learns it
    from getMe after start)."""
    app = web.Application(client_max_size=64 * 1024)
    app[SETTINGS] = settings
    app[BOT_USERNAME] = bot_username
    app[SECTIONS_KEY] = SECTIONS
    limits = settings.miniapp
    app[GATE] = Gate(
        bot_token,
        public_url,
        RateLimiter(rate=limits.rate_per_second, burst=limits.rate_burst),
    )
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
    )
    app.on_response_prepare.append(_headers)
    spec = document(SECTIONS, SESSION_ROUTES)

    async def openapi(_: web.Request) -> web.Response:
        return web.json_response(spec)

    app.router.add_get(LOGIN_PATH, login)
    app.router.add_get("/static/{name:.+}", static)
    app.router.add_get("/api/openapi.json", openapi)
    for route in all_routes():
        app.router.add_route(route.method, route.path, serve(route))
    return app


def mount(root: web.Application, console: web.Application) -> None:
    """Serve ``console`` at ``/console/`` on ``root`` (and send ``/console`` there)."""

    async def to_console(_: web.Request) -> web.Response:
        raise web.HTTPFound(f"{PREFIX}/")

    root.router.add_get(PREFIX, to_console)
    root.add_subapp(PREFIX, console)
