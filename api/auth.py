"""Who is calling: ``Authorization: Bearer jf_<prefix>_<secret>``, and how often.

Every route needs a live key except those marked :func:`public` (the OpenAPI document
and the health check). Each key has a token bucket kept in memory (per process: with
several instances each enforces the limit on its own share), refilled at
``api.rate_per_second`` up to ``api.rate_burst``; an empty bucket answers 429 with
``Retry-After``.

Failed authentication (no key, a malformed, unknown or revoked one) is limited per
client address by a second set of buckets (``api.auth_failures_per_minute``,
``api.auth_failure_burst``): a flood of forged keys gets 429 instead of an answer per
guess. A valid key is never held back by others' failures at its address, which matters
behind a reverse proxy, where every caller shares the proxy's address.
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from api.errors import ApiError
from models.access import api_keys
from models.store.tables import ApiKey

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
    max_names: int = 100_000
    _buckets: dict[str, _Bucket] = field(default_factory=dict)

    def take(self, name: str) -> float:
        """Take one token; 0 when allowed, else the seconds until one is available."""
        now = self.now()
        bucket = self._buckets.get(name)
        if bucket is None:
            if len(self._buckets) >= self.max_names:
                self._forget_full(now)
            bucket = self._buckets[name] = _Bucket(float(self.burst), now)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.at) * self.rate)
        bucket.at = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.rate

    def __len__(self) -> int:
        """How many names (keys, client addresses) have a bucket now."""
        return len(self._buckets)

    def _forget_full(self, now: float) -> None:
        """Drop buckets that have refilled (they equal a new one), so memory stays bounded
        however many names (client addresses) are seen; if none has, drop the oldest."""
        full = [
            n for n, b in self._buckets.items() if b.tokens + (now - b.at) * self.rate >= self.burst
        ]
        for name in full or [next(iter(self._buckets))]:
            del self._buckets[name]


LIMITER = web.AppKey("rate_limiter", RateLimiter)
FAILURES = web.AppKey("auth_failure_limiter", RateLimiter)


def _bearer(request: web.Request) -> str:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if getattr(request.match_info.handler, "public", False):
        return await handler(request)
    presented = _bearer(request)
    row = await api_keys.verify(presented) if presented else None
    if row is None:
        _limit(request.app[FAILURES], f"addr:{request.remote}", "too_many_failures")
        code = "invalid_key" if presented else "unauthorized"
        raise ApiError(401, code, headers={"WWW-Authenticate": "Bearer"})
    _limit(request.app[LIMITER], row.prefix, "rate_limited")
    request[_KEY_SLOT] = row
    return await handler(request)


def _limit(limiter: RateLimiter, name: str, code: str) -> None:
    """Take a token from ``name``'s bucket or answer 429 ``code`` with ``Retry-After``."""
    wait = limiter.take(name)
    if wait > 0:
        seconds = max(1, math.ceil(wait))
        raise ApiError(429, code, headers={"Retry-After": str(seconds)}, retry_after=seconds)
