"""What every route needs: settings, rules in force, the caller's location, JSON answers."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from aiohttp import web

from api.auth import api_key
from api.errors import ApiError
from api.idempotency import Answer
from bot.settings import Settings
from models.ledger import rule_versions
from models.ledger.config import RuleSet

SETTINGS = web.AppKey("settings", Settings)
REPLAYED_HEADER = "Idempotent-Replayed"


def settings(request: web.Request) -> Settings:
    return request.app[SETTINGS]


def timezone(request: web.Request) -> str:
    return settings(request).scheduler.timezone


async def rules_in_force() -> RuleSet:
    return (await rule_versions.current())[1]


def location(request: web.Request, asked: str | None) -> str | None:
    """The location a write happens at: a key bound to one records there, and only there."""
    bound = api_key(request).location
    if bound is None:
        return asked
    if asked is not None and asked != bound:
        raise ApiError(403, "location_mismatch", location=bound)
    return bound


def plain(value: Any) -> Any:
    """JSON-ready: datetimes/dates as ISO 8601, decimals as strings (never floats)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [plain(v) for v in value]
    return value


def refusal(error: ApiError, *, final: bool = False) -> Answer:
    """An error as an answer of keyed work (``final``: stored and replayed on retry)."""
    return Answer(
        error.status, {"error": {"code": error.code, **plain(error.details)}}, final=final
    )


def respond(answer: Answer) -> web.Response:
    """The answer; a replayed success is 200 with ``Idempotent-Replayed: true``.

    Errors go through the error middleware, so their message is in the caller's language.
    """
    if answer.status >= 400:
        error = dict(answer.body["error"])
        headers = {REPLAYED_HEADER: "true"} if answer.replayed else None
        raise ApiError(answer.status, error.pop("code"), headers=headers, **error)
    if not answer.replayed:
        return web.json_response(answer.body, status=answer.status)
    status = 200 if answer.status < 300 else answer.status
    return web.json_response(answer.body, status=status, headers={REPLAYED_HEADER: "true"})
