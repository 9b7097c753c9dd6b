"""The HTTP API as an aiohttp sub-application, mounted at ``/api/v1`` by ``bot.runners``.

Middlewares, outermost first: errors (every failure becomes ``{"error": {...}}``, an
unexpected exception a logged 500 that tells nothing), then authentication and the
per-key rate limit (failed authentication limited per client address), then the
central check of path and query text (:func:`api.validation.input_middleware`).
The store must already be open (the bot opens it).
"""

from __future__ import annotations

import logging

from aiohttp import web

from api.auth import FAILURES, LIMITER, Handler, RateLimiter, auth_middleware
from api.context import SETTINGS
from api.errors import STATUS_CODES, ApiError, error_response
from api.routes import ROUTES
from api.validation import input_middleware
from bot.settings import Settings

log = logging.getLogger(__name__)
PREFIX = "/api/v1"


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ApiError as error:
        return error_response(request, error)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        code = STATUS_CODES.get(exc.status, "bad_request")
        allow = {"Allow": exc.headers["Allow"]} if "Allow" in exc.headers else {}
        return error_response(request, ApiError(exc.status, code, headers=allow))
    except Exception:
        log.exception("API %s %s failed", request.method, request.path)
        return error_response(request, ApiError(500, "internal_error"))


def build_api(settings: Settings) -> web.Application:
    """The API application; ``app.add_subapp(PREFIX, build_api(settings))`` serves it."""
    app = web.Application(
        middlewares=[error_middleware, auth_middleware, input_middleware],
        client_max_size=settings.api.max_body_bytes,
    )
    app[SETTINGS] = settings
    app[LIMITER] = RateLimiter(rate=settings.api.rate_per_second, burst=settings.api.rate_burst)
    app[FAILURES] = RateLimiter(
        rate=settings.api.auth_failures_per_minute / 60, burst=settings.api.auth_failure_burst
    )
    app.add_routes(ROUTES)
    return app
