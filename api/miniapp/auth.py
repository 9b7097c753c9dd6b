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
from functools import lru_cache

import init_data_py
from aiohttp import web
from init_data_py import errors as init_errors

from api.auth import RateLimiter
from api.errors import ApiError
from api.validation import MAX_STORED_INTEGER
from locales import language_for, normalize
from models.access import staff
from models.access.staff import Grant
from models.members import membership
from models.store import clock
from models.store.tables import Member, Role

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


@lru_cache(maxsize=8192)
def _signed(init_data: str, bot_token: str) -> tuple[int | None, int, str | None]:
    """(user id, auth_date, language) of init data whose hash checks out, else raises.

    Cached by the exact string: the page sends the same init data with every call of a
    session, and only a string that passed the HMAC check is ever cached (forgeries
    raise, and exceptions are not cached). Age is checked on every call by the caller.
    """
    data = init_data_py.validate_by_hash(init_data, bot_token, expires_in=None)
    user = data.user
    return (int(user.id) if user else None), data.auth_date, (user.language_code if user else None)


def verified(init_data: str, bot_token: str, max_age_seconds: int) -> tuple[int, str | None]:
    """The Telegram user ``init_data`` was signed for and their language, or 401.

    Missing, malformed, forged, signed with another bot's token, older than
    ``max_age_seconds``, or naming a user id no Telegram user has (not 1..2^63-1, which
    the store could not even look up): all are 401 (the code says which).
    """
    if not init_data:
        raise ApiError(401, "init_data_missing", headers={"WWW-Authenticate": SCHEME})
    try:
        user_id, auth_date, language = _signed(init_data, bot_token)
    except init_errors.InvalidInitDataError:
        raise ApiError(401, "init_data_invalid", headers={"WWW-Authenticate": SCHEME}) from None
    if clock.now().timestamp() - auth_date > max_age_seconds:
        raise ApiError(401, "init_data_expired", headers={"WWW-Authenticate": SCHEME})
    if user_id is None or not 1 <= user_id <= MAX_STORED_INTEGER:  # no Telegram user's id
        raise ApiError(401, "init_data_invalid", headers={"WWW-Authenticate": SCHEME})
    return user_id, language


def validate(init_data: str, bot_token: str, max_age_seconds: int) -> int:
    """The Telegram user id ``init_data`` was signed for, or :class:`ApiError` 401."""
    return verified(init_data, bot_token, max_age_seconds)[0]


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
    telegram_id, telegram_language = verified(presented(request), bot_token, max_age_seconds)
    take_token(limiter, telegram_id)
    member, grant = await membership.known(telegram_id, admins)
    if member is not None and member.deleted_at is not None:
        member = None  # a deleted account is nobody's card
    if member is not None and member.language:
        language = normalize(member.language)
    else:
        language = language_for(telegram_language, default_language)
    if member is not None and not member.enrolled:
        member = None  # staff who have not joined: their tools, not an empty card
    return Caller(telegram_id, language, member, grant)
