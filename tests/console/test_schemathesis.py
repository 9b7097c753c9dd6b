"""Schemathesis against ``/console/api/openapi.json``, over real HTTP, on both databases,
as an admin with a session cookie and its CSRF token: no answer is a 5xx and every answer
matches the document. Budget: ``JIFEN_SCHEMATHESIS_EXAMPLES`` (default 25) per operation
and mode, as for ``/api/v1``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from aiohttp import web
from schemathesis.generation.meta import ParameterLocation

from api.console import PREFIX
from api.console.guard import COOKIE
from models.access import console as sessions
from tests.api import live
from tests.api.test_schemathesis import every_operation_answers_as_documented
from tests.console.conftest import ADMIN, MEMBER, console_root, console_settings, new_member


class LiveConsole(live.LiveApi):
    """The console (and the API beside it) on a loopback port, an admin signed in."""

    cookie = ""
    csrf = ""

    async def _start(self) -> None:
        await live.db.open_fresh_store(self.url)
        live.rule_versions.invalidate()
        settings = console_settings()
        await live.rule_versions.ensure_seeded(settings.rules)
        await new_member(MEMBER, points=1000)
        opened = await sessions.open_session(ADMIN, via="link")
        self.cookie, self.csrf = opened.token, sessions.csrf_token(opened.token)
        self.runner = web.AppRunner(console_root(settings))
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        host, port = self.runner.addresses[0][:2]
        self.base_url = f"http://{host}:{port}"


KEY = re.compile(r"^[\x21-\x7e]{1,80}$")


def reaches_the_server_invalid(case: schemathesis.Case) -> bool:
    """Whether a negative case is still invalid on the wire: our cookie, CSRF token and
    ``Authorization`` replace whatever it did to them, so a header mutation counts only
    when it is the ``Idempotency-Key`` of an operation that takes one; ``requests`` drops
    query values of ``None``."""
    assert case.meta is not None
    negative = {where for where, info in case.meta.components.items() if info.mode.is_negative}
    if ParameterLocation.HEADER in negative:
        takes_key = any(p.name == "Idempotency-Key" for p in case.operation.headers)
        key = (case.headers or {}).get("Idempotency-Key")
        if not takes_key or (key is not None and KEY.match(key)):
            negative.discard(ParameterLocation.HEADER)
    if ParameterLocation.QUERY in negative and None in (case.query or {}).values():
        negative.discard(ParameterLocation.QUERY)
    return bool(negative)


def document(base_url: str) -> dict[str, Any]:
    return requests.get(f"{base_url}{PREFIX}/api/openapi.json", timeout=10).json()


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_every_console_operation_answers_as_documented(kind: str, tmp_path: Path) -> None:
    with live.live_api(kind, tmp_path, 0, server=LiveConsole) as console:
        assert isinstance(console, LiveConsole)
        schema = schemathesis.openapi.from_dict(document(console.base_url))
        headers = {"X-CSRF-Token": console.csrf, "Cookie": f"{COOKIE}={console.cookie}"}
        every_operation_answers_as_documented(
            schema,
            console.base_url,
            headers,
            still_invalid=reaches_the_server_invalid,
            # logging out would end the session every later case uses
            skip=lambda operation: operation.method.upper() == "DELETE",
        )
