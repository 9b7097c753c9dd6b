"""What every console section is made of: routes with their least role, the visitor, and
the answers (pages through Jinja2 templates, JSON, localized errors).

A section module declares a :class:`Section`; :mod:`api.console.app` serves it. Handlers
receive ``(request, visitor)`` already checked (see :mod:`api.console.guard`) and return
either a page (:func:`page`) or a JSON-ready dict.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp_jinja2
from aiohttp import web

from api.context import plain
from api.errors import ApiError
from api.errors import message as api_message
from bot.settings import Settings
from locales import Translate, translator
from models.access import console as sessions
from models.access import staff
from models.access.staff import Grant
from models.ledger.config import RuleSet
from models.ledger.quotes import format_minor
from models.store.tables import Role

PREFIX = "/console"
API = f"{PREFIX}/api"
ACTOR_KIND = "console"
CONSOLE_ROLES = (Role.ADMIN, Role.MARKETER)


def role_key(role: Role) -> str:
    return f"console-role-{role.value}"


LOCALE_KEYS = tuple(role_key(role) for role in CONSOLE_ROLES)
"""Every key built at run time here (``tests/test_runtime_locale_keys.py``)."""

"""Who may enter at all; a route may ask for more (``Role.ADMIN``)."""


@dataclass(frozen=True)
class Visitor:
    """An admin or marketer, authenticated by a session cookie or by Telegram's initData."""

    telegram_id: int
    grant: Grant
    language: str
    name: str
    session_token: str | None = None
    """The cookie's secret (``None`` when the request came with ``Authorization: tma``)."""

    @property
    def role(self) -> Role:
        return self.grant.role

    @property
    def t(self) -> Translate:
        return translator(self.language)


Handler = Callable[[web.Request, Visitor], Awaitable[web.StreamResponse | dict[str, Any]]]


@dataclass(frozen=True)
class Route:
    """One console route. ``path`` is below ``/console`` (``/members``, ``/api/members``);
    ``role`` is the least role that may call it (``Role.MARKETER``: admins and marketers).
    An ``/api/`` route answers JSON and is described by ``doc`` (its OpenAPI operation);
    other routes are pages or page fragments (htmx). A write (not GET) needs the CSRF
    header with a cookie session and, when ``keyed``, an ``Idempotency-Key``."""

    method: str
    path: str
    handler: Handler
    role: Role = Role.MARKETER
    doc: Mapping[str, Any] | None = None
    keyed: bool = True

    @property
    def is_api(self) -> bool:
        return self.path.startswith("/api/")

    @property
    def is_write(self) -> bool:
        return self.method != "GET"


@dataclass(frozen=True)
class Section:
    """A part of the console: its navigation entry, routes and OpenAPI schemas."""

    key: str
    title: str
    """Locale key of its name in the navigation."""
    path: str
    """Its page below ``/console`` (the navigation links there)."""
    routes: Sequence[Route]
    role: Role = Role.MARKETER
    """Who sees it in the navigation (routes check their own role)."""
    schemas: Mapping[str, Any] = field(default_factory=dict)


# ---- OpenAPI pieces every section's ``doc`` uses -----------------------------------------

ERROR = {"$ref": "#/components/responses/Error"}
IDEMPOTENCY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": True,
    "schema": {"type": "string", "minLength": 1, "maxLength": 80, "pattern": r"^[\x21-\x7e]+$"},
}


def json_doc(schema: Mapping[str, Any], description: str) -> dict[str, Any]:
    """An OpenAPI response answering ``schema`` as JSON."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def status_changed_responses() -> dict[str, Any]:
    """The answers of a pause/resume/end-style route: the row's id and its new status."""
    changed = {
        "type": "object",
        "properties": {"id": {"type": "integer"}, "status": {"type": "string"}},
    }
    return {
        "200": json_doc(changed, "changed (or a replay)"),
        "400": ERROR,
        "404": ERROR,
        "409": ERROR,
        "422": ERROR,
    }


def created_responses(
    created: dict[str, Any], description: str, *, not_found: bool = False
) -> dict[str, Any]:
    """The answers of a write that creates: 201 with ``created``, 200 a replay of the first
    answer (same Idempotency-Key), or a refusal (404 too when it names a row)."""
    return {
        "201": json_doc(created, description),
        "200": {"description": "a replay of the first answer"},
        "400": ERROR,
        **({"404": ERROR} if not_found else {}),
        "409": ERROR,
        "413": ERROR,
        "422": ERROR,
    }


SETTINGS = web.AppKey("console_settings", Settings)


def settings(request: web.Request) -> Settings:
    return request.app[SETTINGS]


BOT_USERNAME = web.AppKey("console_bot_username", Callable[[], str | None])


def bot_username(request: web.Request) -> str:
    """The bot's username (for t.me links): as the bot learned it, else the settings'."""
    return request.app[BOT_USERNAME]() or settings(request).bot.username


def zone(request: web.Request) -> ZoneInfo:
    return ZoneInfo(settings(request).scheduler.timezone)


# ---- answers ----------------------------------------------------------------------------

CONSOLE_ERRORS = {
    "forbidden": "console-error-forbidden",
    "admins_only": "console-error-admins-only",
    "csrf": "console-error-csrf",
    "cross_site": "console-error-cross-site",
    "insufficient_points": "console-error-insufficient-points",
    "invalid_cursor": "console-error-invalid-cursor",
    "link_used": "console-error-link-used",
    "invalid_rule": "console-error-invalid-rule",
    "rules_stale": "console-error-rules-stale",
    "invalid_campaign": "console-error-invalid-campaign",
    "invalid_audience": "console-error-invalid-audience",
    "empty_audience": "console-error-empty-audience",
    "campaign_not_found": "console-error-campaign-not-found",
    "campaign_not_changeable": "console-error-campaign-not-changeable",
    # people and integrations (api/console/people.py, integrations.py)
    "not_staff": "console-error-not-staff",
    "configured_admin": "console-error-configured-admin",
    "last_admin": "console-error-last-admin",
    "key_not_found": "console-error-key-not-found",
    "invalid_key_name": "console-error-invalid-key-name",
    "webhook_not_found": "console-error-webhook-not-found",
    "invalid_webhook_url": "console-error-invalid-webhook-url",
    "delivery_not_found": "console-error-delivery-not-found",
}
CONSOLE_ERRORS |= {
    "invalid_broadcast": "console-error-invalid-broadcast",
    "broadcast_not_found": "console-error-broadcast-not-found",
    "broadcast_not_cancellable": "console-error-broadcast-not-cancellable",
}
CONSOLE_ERRORS |= {
    "invalid_reward": "console-error-invalid-reward",
    "reward_not_found": "console-error-reward-not-found",
    "reward_cannot_move": "console-error-reward-cannot-move",
    "invalid_photo": "console-error-invalid-photo",
    "invalid_batch_size": "console-error-invalid-batch-size",
    "reward_unavailable": "console-error-reward-unavailable",
    "batch_not_found": "console-error-batch-not-found",
}
CONSOLE_ERRORS |= {
    "card_type_not_found": "console-error-card-type-not-found",
    "invalid_card_type": "console-error-invalid-card-type",
}
"""Codes of the console's own refusals (the rest are the HTTP API's, in ``api.ftl``)."""


def error_text(error: ApiError, language: str) -> str:
    key = CONSOLE_ERRORS.get(error.code)
    if key is None:
        return api_message(error.code, language, error.details)
    args = {k: v for k, v in error.details.items() if isinstance(v, str | int)}
    return translator(language)(key, **args)


def error_json(error: ApiError, language: str) -> web.Response:
    body = {
        "error": {
            "code": error.code,
            "message": error_text(error, language),
            **plain(error.details),
        }
    }
    return web.json_response(body, status=error.status, headers=error.headers)


def page(
    request: web.Request,
    visitor: Visitor | None,
    template: str,
    *,
    language: str | None = None,
    **context: Any,
) -> web.Response:
    """A page (or an htmx fragment) rendered in the visitor's language."""
    if language is None:
        language = visitor.language if visitor else settings(request).bot.default_language
    sections = request.app[SECTIONS_KEY]
    shown = [s for s in sections if visitor is not None and staff.may(visitor.role, s.role)]
    here = request.path.removeprefix(PREFIX) or "/"
    active = max(
        (s for s in shown if here == s.path or here.startswith(s.path.rstrip("/") + "/")),
        key=lambda s: len(s.path),
        default=None,
    )
    say = translator(language)
    return aiohttp_jinja2.render_template(
        template,
        request,
        {
            "t": say,
            "active": active.key if active else None,
            "role_label": say(role_key(visitor.role)) if visitor else "",
            "language": language,
            "visitor": visitor,
            "sections": shown,
            "prefix": PREFIX,
            "csrf": _csrf(visitor),
            "shop": settings(request).bot.shop_name,
            "fmt": Formats(language, zone(request)),
            **context,
        },
    )


SECTIONS_KEY = web.AppKey("console_sections", tuple)


def _csrf(visitor: Visitor | None) -> str:
    if visitor is None or visitor.session_token is None:
        return ""
    return sessions.csrf_token(visitor.session_token)


@dataclass(frozen=True)
class Formats:
    """How pages write times, money and names (the shop's time zone, the reader's words)."""

    language: str
    tz: ZoneInfo

    def when(self, at: datetime | None) -> str:
        return at.astimezone(self.tz).strftime("%Y-%m-%d %H:%M") if at else "—"

    def day(self, at: datetime | date | None) -> str:
        if at is None:
            return "—"
        return (at.astimezone(self.tz).date() if isinstance(at, datetime) else at).isoformat()

    def money(self, minor: int | None, rules: RuleSet) -> str:
        return format_minor(minor or 0, rules.currency.exponent, rules.currency.symbol)

    def signed(self, points: int) -> str:
        return f"+{points}" if points > 0 else str(points)
