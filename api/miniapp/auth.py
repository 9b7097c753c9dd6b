"""Who opened the Mini App: ``Authorization: tma <initData>``, checked as Telegram documents.

Telegram signs ``initData`` with the bot token: secret = HMAC-SHA256(key "WebAppData",
bot token); hash = HMAC-SHA256(secret, the ``key=value`` pairs without ``hash``, sorted,
joined by newlines), compared in constant time. ``init-data-py`` does exactly that (and
nothing else: no dependencies), so the algorithm is not written a second time here.
``auth_date`` older than ``miniapp.max_age_seconds`` is refused, which bounds replay.

Each user has a token bucket (``miniapp.rate_per_second``/``rate_burst``, per process).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import init_data_py
from aiohttp import web
from init_data_py import errors as init_errors

from api.auth import RateLimiter
from api.errors import ApiError
from locales import language_for, normalize
from models import clock, members, staff
from models.staff import Grant
from models.tables import Member, Role

SCHEME = "tma"


@dataclass(frozen=True)
class Caller:
    """The validated Telegram user, their membership (if any) and their staff role (if any)."""

    telegram_id: int
    language: str
    member: Member | None
    grant: Grant | None

    @property
    def is_staff(self) -> bool:
        return self.grant is not None and staff.may(self.grant.role, Role.STAFF)


def validate(init_data: str, bot_token: str, max_age_seconds: int) -> int:
    """The Telegram user id ``init_data`` was signed for, or :class:`ApiError` 401.

    Missing, malformed, forged, signed with another bot's token, or older than
    ``max_age_seconds``: all are 401 (the code says which, for logs and tests).
    """
    if not init_data:
        raise ApiError(401, "init_data_missing", headers={"WWW-Authenticate": SCHEME})
    try:
        data = init_data_py.validate_by_hash(
            init_data, bot_token, expires_in=max_age_seconds, now=clock.now()
        )
    except init_errors.ExpiredError:
        raise ApiError(401, "init_data_expired", headers={"WWW-Authenticate": SCHEME}) from None
    except init_errors.InvalidInitDataError:
        raise ApiError(401, "init_data_invalid", headers={"WWW-Authenticate": SCHEME}) from None
    if data.user is None:
        raise ApiError(401, "init_data_invalid", headers={"WWW-Authenticate": SCHEME})
    return int(data.user.id)


def telegram_language(init_data: str) -> str | None:
    """The ``language_code`` Telegram put in (already validated) init data."""
    try:
        user = init_data_py.parse(init_data).user
    except init_errors.InvalidInitDataError:
        return None
    return user.language_code if user else None


def presented(request: web.Request) -> str:
    """The raw initData after ``tma `` (empty when absent or another scheme)."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == SCHEME else ""


def take_token(limiter: RateLimiter, telegram_id: int) -> None:
    """One request of this user's budget, or 429 with ``Retry-After``."""
    wait = limiter.take(str(telegram_id))
    if wait > 0:
        seconds = max(1, math.ceil(wait))
        raise ApiError(
            429, "rate_limited", headers={"Retry-After": str(seconds)}, retry_after=seconds
        )


async def caller(
    request: web.Request,
    *,
    bot_token: str,
    max_age_seconds: int,
    admins: list[int],
    default_language: str,
    limiter: RateLimiter,
) -> Caller:
    """Authenticate the request and resolve the caller (one member query, one role query)."""
    raw = presented(request)
    telegram_id = validate(raw, bot_token, max_age_seconds)
    take_token(limiter, telegram_id)
    member, grant = await members.known(telegram_id, admins)
    if member is not None and member.deleted_at is not None:
        member = None  # a deleted account is nobody's card
    if member is not None and member.language:
        language = normalize(member.language)
    else:
        language = language_for(telegram_language(raw), default_language)
    return Caller(telegram_id, language, member, grant)
