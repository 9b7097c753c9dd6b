"""One keyed console write: the ``Idempotency-Key`` read, the work run once per key and
visitor (a retry gets the first answer; a refusal stores nothing), the answer sent."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from api import validation as v
from api.console.common import Visitor
from api.context import respond
from api.idempotency import Answer, run_once


def key_of(request: web.Request) -> str:
    """The request's key, read before its body (400 when missing or malformed)."""
    return v.idempotency_key(request)


async def once_answer(
    key: str,
    visitor: Visitor,
    scope: str,
    request_body: Any,
    work: Callable[[], Awaitable[Answer]],
) -> Answer:
    """``work`` once for this visitor's ``key`` in ``scope`` (a reused key with another
    body is 409 ``idempotency_conflict``)."""
    return await run_once(
        f"console:{visitor.telegram_id}:{scope}:{key}",
        f"console.{scope}",
        request_body,
        work,
        idempotent_work=False,
    )


async def once(
    key: str,
    visitor: Visitor,
    scope: str,
    request_body: Any,
    work: Callable[[], Awaitable[Answer]],
) -> web.Response:
    """:func:`once_answer`, answered."""
    return respond(await once_answer(key, visitor, scope, request_body, work))


def with_secret(answer: Answer, secret: dict[str, str]) -> web.Response:
    """A creation's answer with its secret added only when it was made just now: the
    stored answer (what a retry replays) never holds it, so it is shown once."""
    if answer.replayed or answer.status >= 400 or not secret:
        return respond(answer)
    return web.json_response({**answer.body, **secret}, status=answer.status)
