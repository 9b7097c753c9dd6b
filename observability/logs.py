"""Log lines for people (``log.format = "text"``) or for machines (``"json"``).

JSON lines carry ``time``, ``level``, ``logger``, ``message``, ``instance`` and, when the
line was written while handling one, ``update_id`` (the inbox worker) or ``request_id``
(the HTTP servers, from :func:`request_id_middleware`). The context travels in
contextvars, so every ``log.info`` under a handler gets it without being passed anything.
What goes into a message is the caller's business: jifen's log calls name ids, never
people's names or what they wrote.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import secrets
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import IO

from aiohttp import web

update_id: contextvars.ContextVar[int | None] = contextvars.ContextVar("update_id", default=None)
request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

REQUEST_ID_HEADER = "X-Request-Id"
SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
"""A proxy's id is kept when it could not smuggle anything into a log line or a header."""

QUIET = {
    "httpx": logging.WARNING,
    "tortoise": logging.WARNING,
    "aiosqlite": logging.WARNING,  # its DEBUG prints parameters
    "apscheduler": logging.WARNING,  # eight INFO lines per start
    # raw request lines carry query strings: member codes, console login tokens; requests
    # are counted by route pattern in /metrics and failures are logged by their handlers
    "aiohttp.access": logging.WARNING,
}
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """One JSON object per line; a traceback goes in ``exc`` (still one line)."""

    def __init__(self, instance: str = "") -> None:
        super().__init__()
        self.instance = instance

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "instance": self.instance,
        }
        if (update := update_id.get()) is not None:
            line["update_id"] = update
        if (request := request_id.get()) is not None:
            line["request_id"] = request
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure(
    fmt: str = "text", *, verbose: bool = False, instance: str = "", stream: IO[str] | None = None
) -> None:
    """One handler on the root logger writing ``fmt`` to ``stream`` (stderr).

    Like :func:`logging.basicConfig`, a root logger someone else has equipped (a test
    runner's capture) is left alone unless a ``stream`` is asked for; calling again
    replaces only the handler this function installed.
    """
    for name, level in QUIET.items():
        logging.getLogger(name).setLevel(level)
    root = logging.getLogger()
    ours = [h for h in root.handlers if getattr(h, "jifen", False)]
    if stream is None and len(root.handlers) > len(ours):
        return
    for old in ours:
        root.removeHandler(old)
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.jifen = True  # type: ignore[attr-defined]
    handler.setFormatter(
        JsonFormatter(instance) if fmt == "json" else logging.Formatter(TEXT_FORMAT)
    )
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)


def unconfigure() -> None:
    """Remove the handler :func:`configure` installed (tests)."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "jifen", False)]:
        root.removeHandler(old)


def new_request_id(given: str | None) -> str:
    """The proxy's ``X-Request-Id`` when sane, else a fresh random one."""
    if given and SANE_REQUEST_ID.match(given):
        return given
    return secrets.token_hex(8)


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def request_id_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every line logged while answering carries the request's id; the answer says it too."""
    rid = new_request_id(request.headers.get(REQUEST_ID_HEADER))
    token = request_id.set(rid)
    try:
        try:
            response = await handler(request)
        except web.HTTPException as answer:
            answer.headers[REQUEST_ID_HEADER] = rid
            raise
        if not response.prepared:
            response.headers[REQUEST_ID_HEADER] = rid
        return response
    finally:
        request_id.reset(token)
