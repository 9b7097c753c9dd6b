"""What every Mini App endpoint shares: its configuration, the caller, JSON in and out."""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import qrcode
from aiohttp import web
from qrcode.constants import ERROR_CORRECT_M

from api import validation as v
from api.auth import RateLimiter
from api.context import plain
from api.errors import ApiError
from api.idempotency import Actor, Answer, run_once
from api.miniapp import auth
from bot.settings import Settings
from locales import Translate, translator
from models.ledger import rule_versions
from models.ledger.config import RuleSet
from models.ledger.quotes import format_minor
from models.store import audit

log = logging.getLogger(__name__)
ACTOR_KIND = "miniapp"
IDEMPOTENCY_HEADER = "Idempotency-Key"
_KEY = re.compile(r"^[A-Za-z0-9_.:-]{8,64}$")
MAX_BODY_BYTES = 4096


@dataclass
class MiniApp:
    """One Mini App: whose token signs its initData, how deep links look, what it serves.

    ``bot_username`` is read per request (the runner learns it from getMe after start).
    """

    settings: Settings
    bot_token: str
    bot_username: Callable[[], str | None]
    telegram_js: str
    """The ``Telegram.WebApp`` script the page loads: telegram.org's, or the sandbox's."""
    limiter: RateLimiter = field(init=False)

    def __post_init__(self) -> None:
        limits = self.settings.miniapp
        self.limiter = RateLimiter(rate=limits.rate_per_second, burst=limits.rate_burst)

    def link(self, payload: str) -> str:
        return f"https://t.me/{self.bot_username() or ''}?start={payload}"

    def when(self, at: datetime | None, *, with_time: bool = True) -> str:
        """A moment in the shop's time zone, as the chat till writes it."""
        if at is None:
            return "?"
        local = at.astimezone(ZoneInfo(self.settings.scheduler.timezone))
        return local.strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")


Endpoint = Callable[[web.Request, MiniApp, auth.Caller], Awaitable[dict[str, Any]]]


def error_key(code: str) -> str:
    return f"miniapp-error-{code.replace('_', '-')}"


ERROR_CODES: tuple[str, ...] = (
    *("init_data_missing", "init_data_invalid", "init_data_expired", "rate_limited"),
    *("staff_only", "not_a_member", "internal", "too_large", "invalid_json", "invalid_field"),
    *("idempotency_conflict", "insufficient_points", "out_of_stock", "tier_too_low"),
    *("limit_member", "limit_day", "below_minimum_redemption", "reward_unavailable"),
    *("no_qr", "not_ours", "unknown_code", "below_minimum", "amount_too_large"),
    *("invalid_amount", "already_used", "expired", "voided"),
)
"""Every ``code`` the Mini App answers with (``tests/test_runtime_locale_keys.py`` checks
that each ``ApiError`` its modules raise uses one, and that each has its sentence)."""
LOCALE_KEYS = tuple(error_key(code) for code in ERROR_CODES)


def error_body(error: ApiError, language: str) -> dict[str, Any]:
    args = {k: v for k, v in plain(error.details).items() if isinstance(v, str | int)}
    text = translator(language)(error_key(error.code), **args)
    return {"error": {"code": error.code, "message": text, **plain(error.details)}}


def refused(error: ApiError, language: str) -> web.Response:
    """An error as the Mini App answers it (JSON, in the caller's language, not cached)."""
    headers = {**error.headers, **NO_STORE}
    return web.json_response(error_body(error, language), status=error.status, headers=headers)


def check_input(request: web.Request, query: frozenset[str] = frozenset()) -> None:
    """Path and query text as ``/api/v1`` checks it (:mod:`api.validation`): no control
    characters, and no query parameter but ``query`` (a typo is 422, not ignored)."""
    for name, value in request.match_info.items():
        v.check_text(value, name)
    for name, value in request.query.items():
        v.check_text(name, "query")
        v.check_text(value, name)
    v.only(request.query, set(query))


def endpoint(
    app: MiniApp,
    handler: Endpoint,
    *,
    staff_only: bool = False,
    query: frozenset[str] = frozenset(),
) -> Any:
    """An aiohttp handler: authenticate, check the role and the query, answer JSON (errors
    included)."""

    async def handle(request: web.Request) -> web.StreamResponse:
        language = app.settings.bot.default_language
        try:
            caller = await auth.caller(
                request,
                bot_token=app.bot_token,
                max_age_seconds=app.settings.miniapp.max_age_seconds,
                admins=app.settings.access.admins,
                default_language=app.settings.bot.default_language,
                limiter=app.limiter,
            )
            language = caller.language
            if staff_only and not caller.is_staff:
                raise ApiError(403, "staff_only")
            check_input(request, query)
            body = await handler(request, app, caller)
            return web.json_response(plain(body), headers=NO_STORE)
        except ApiError as error:
            return refused(error, language)
        except Exception:
            log.exception("Mini App %s %s failed", request.method, request.path)
            return refused(ApiError(500, "internal"), language)

    return handle


NO_STORE = {"Cache-Control": "no-store"}


async def read_body(request: web.Request, limit: int) -> bytes:
    """The whole body, or 413 as soon as it passes ``limit`` bytes (whatever it claims)."""
    if request.content_length is not None and request.content_length > limit:
        raise ApiError(413, "too_large")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_any():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "too_large")
        chunks.append(chunk)
    return b"".join(chunks)


async def read_json(request: web.Request, allowed: set[str]) -> dict[str, Any]:
    """A small JSON object with only ``allowed`` keys, read as strictly as ``/api/v1``
    reads its bodies (:mod:`api.validation`), else 400/422 (nothing is written)."""
    body = v.parse_object(await read_body(request, MAX_BODY_BYTES) or b"{}")
    v.only(body, allowed)
    return body


def text_field(body: dict[str, Any], name: str, *, max_length: int = 200) -> str:
    value = v.text(body, name, required=True, max_length=max_length)
    assert value is not None
    return value


def int_field(body: dict[str, Any], name: str, *, minimum: int = 1) -> int:
    return v.integer(body, name, minimum=minimum)


def idempotency_key(request: web.Request) -> str:
    """The client's key for this confirmation screen (one per screen, so a retry replays)."""
    key = request.headers.get(IDEMPOTENCY_HEADER, "")
    if not _KEY.match(key):
        raise ApiError(422, "invalid_field", field=IDEMPOTENCY_HEADER)
    return key


async def once(
    caller: auth.Caller,
    operation: str,
    key: str,
    request: dict[str, Any],
    work: Callable[[], Awaitable[Answer]],
) -> dict[str, Any]:
    """A keyed write, by the HTTP API's own mechanism (:mod:`api.idempotency`): a retry
    with the same key answers the first answer (``replayed: true``); the same key with
    another ``request`` is 409 ``idempotency_conflict`` and writes nothing; a refusal
    (an :class:`ApiError` from ``work``) leaves no record, so the key may be used again.
    Keys are the caller's own; the audit row (``Answer.audit``) names the caller."""
    answer = await run_once(
        f"{ACTOR_KIND}:{caller.telegram_id}:{operation}:{key}",
        f"{ACTOR_KIND}-{operation}",
        request,
        work,
        idempotent_work=True,
        actor=Actor(caller.telegram_id, ACTOR_KIND),
    )
    return {**answer.body, "replayed": answer.replayed}


async def rules_in_force() -> RuleSet:
    return (await rule_versions.current())[1]


def money(amount_minor: int, rules: RuleSet) -> str:
    return format_minor(amount_minor, rules.currency.exponent, rules.currency.symbol)


def t(caller: auth.Caller) -> Translate:
    return translator(caller.language)


async def audited(action: str, caller: auth.Caller, target: str, **details: Any) -> None:
    """The audit row of a Mini App write (actor: the Telegram user, kind ``miniapp``)."""
    await audit.record(
        action,
        actor_telegram_id=caller.telegram_id,
        actor_kind=ACTOR_KIND,
        target=target,
        details=plain(details),
    )


QR_MASK = 2
"""A fixed mask pattern: choosing the "best" of eight (qrcode's default) costs 6× the
encoding itself, and every mask scans; cards and vouchers are rendered once, then cached."""


def qr_matrix(text: str) -> list[list[bool]]:
    """The modules of ``text`` as a QR code (quiet zone included), dark = True."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4, mask_pattern=QR_MASK)
    code.add_data(text)
    code.make(fit=True)
    return code.get_matrix()


@lru_cache(maxsize=4096)
def qr_data_uri(text: str) -> str:
    """``text`` as a QR code: an SVG data URI (crisp at any size), one path of row runs."""
    matrix = qr_matrix(text)
    size = len(matrix)
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < size:
            if not row[x]:
                x += 1
                continue
            start = x
            while x < size and row[x]:
                x += 1
            runs.append(f"M{start} {y}h{x - start}v1h{start - x}z")
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        f'shape-rendering="crispEdges"><rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(runs)}"/></svg>'
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
