"""Who is calling: ``Authorization: Bearer jf_<prefix>_<secret>``, and how often.

Every route needs a live key except those marked :func:`public` (the OpenAPI document
and the health check). Each key has a token bucket kept in memory (per process: with
several instances each enforces the limit on its own share), refilled at
``api.rate_per_second`` up to ``api.rate_burst``; an empty bucket answers 429 with
``Retry-After``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from api.errors import ApiError
from models import api_keys
from models.tables import ApiKey

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_KEY_SLOT: Any = (
    web.RequestKey("api_key", ApiKey) if hasattr(web, "RequestKey") else "jifen.api_key"
)
"""Where the authenticated key lives on the request (``RequestKey`` needs aiohttp 3.12+)."""


def public(handler: Handler) -> Handler:
    """Mark a route as open to callers without a key."""
    handler.public = True  # type: ignore[attr-defined]
    return handler


def api_key(request: web.Request) -> ApiKey:
    """The key that authenticated this request (set by :func:`auth_middleware`)."""
    return request[_KEY_SLOT]  # type: ignore[no-any-return]


@dataclass
class _Bucket:
    tokens: float
    at: float


@dataclass
class RateLimiter:
    """Token buckets per key prefix; ``now`` is injectable so tests need not sleep."""

    rate: float
    burst: int
    now: Callable[[], float] = time.monotonic
    _buckets: dict[str, _Bucket] = field(default_factory=dict)

    def take(self, name: str) -> float:
        """Take one token; 0 when allowed, else the seconds until one is available."""
        now = self.now()
        bucket = self._buckets.get(name)
        if bucket is None:
            bucket = self._buckets[name] = _Bucket(float(self.burst), now)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.at) * self.rate)
        bucket.at = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.rate


LIMITER = web.AppKey("rate_limiter", RateLimiter)


def _bearer(request: web.Request) -> str:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if getattr(request.match_info.handler, "public", False):
        return await handler(request)
    presented = _bearer(request)
    if not presented:
        raise ApiError(401, "unauthorized", headers={"WWW-Authenticate": "Bearer"})
    row = await api_keys.verify(presented)
    if row is None:
        raise ApiError(401, "invalid_key", headers={"WWW-Authenticate": "Bearer"})
    wait = request.app[LIMITER].take(row.prefix)
    if wait > 0:
        seconds = max(1, math.ceil(wait))
        raise ApiError(
            429, "rate_limited", headers={"Retry-After": str(seconds)}, retry_after=seconds
        )
    request[_KEY_SLOT] = row
    return await handler(request)
