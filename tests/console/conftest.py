"""The console over real HTTP (aiohttp's TestServer) on the ``store`` fixture.

``console.call(method, path, as_=who, ...)`` returns ``(status, body, headers)``; ``who``
is a :class:`Caller` holding a session cookie (made by opening a real login link) or a
Telegram user signing initData. The app is mounted at ``/console`` as ``bot.runners``
mounts it, beside the HTTP API at ``/api/v1`` (for the summary's equality).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from multidict import CIMultiDictProxy

from api.app import PREFIX as API_PREFIX
from api.app import build_api
from api.console import PREFIX, build_console, mount
from api.console.guard import COOKIE
from api.console.members import THRESHOLDS
from bot.settings import Settings
from models.access import api_keys, staff
from models.access import console as sessions
from models.ledger import rule_versions
from models.store.tables import (
    AuditLog,
    ConsoleSession,
    IdempotencyRecord,
    LedgerEntry,
    OutboxMessage,
    Role,
)
from tests.api.conftest import new_member
from tests.miniapp.conftest import TOKEN, telegram_sign, user_fields

ADMIN, MARKETER, CASHIER, MEMBER, REVOKED = 9001, 9100, 9200, 9300, 9400
PUBLIC_URL = "http://127.0.0.1"


def console_settings(**sections: Any) -> Settings:
    base: dict[str, Any] = {
        "access": {"admins": [ADMIN]},
        "miniapp": {"rate_per_second": 1000, "rate_burst": 1000},
        "api": {"rate_per_second": 1000, "rate_burst": 1000, "auth_failure_burst": 1000},
        "bot": {"public_url": PUBLIC_URL},
    }
    for name, values in sections.items():
        base.setdefault(name, {}).update(values)
    return Settings(**base)


def console_root(settings: Settings) -> web.Application:
    root = web.Application()
    root.add_subapp(API_PREFIX, build_api(settings))
    url = settings.bot.public_url
    mount(root, build_console(settings, bot_token=TOKEN, public_url=lambda: url))
    return root


@dataclass(frozen=True)
class Caller:
    """Who calls: a session cookie (with its CSRF token) or Telegram initData, or nobody."""

    name: str
    cookie: str | None = None
    csrf: str | None = None
    telegram_id: int | None = None
    bot_token: str = TOKEN

    def headers(self) -> dict[str, str]:
        sent: dict[str, str] = {}
        if self.cookie is not None:
            sent["Cookie"] = f"{COOKIE}={self.cookie}"
            if self.csrf is not None:
                sent["X-CSRF-Token"] = self.csrf
        if self.telegram_id is not None:
            signed = telegram_sign(user_fields(self.telegram_id), self.bot_token)
            sent["Authorization"] = "tma " + signed
        return sent


STRANGER = Caller("stranger")


@dataclass
class Console:
    client: TestClient
    settings: Settings
    api_key: str

    async def call(
        self,
        method: str,
        path: str,
        *,
        as_: Caller = STRANGER,
        json: Any = None,
        data: Any = None,
        idem: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any, CIMultiDictProxy[str]]:
        sent = {**as_.headers(), **(headers or {})}
        if idem is not None:
            sent["Idempotency-Key"] = idem
        async with self.client.request(
            method, path, json=json, data=data, headers=sent, allow_redirects=False
        ) as response:
            if response.content_type == "application/json":
                return response.status, await response.json(), response.headers
            if response.content_type.startswith("text/"):
                return response.status, await response.text(), response.headers
            return response.status, await response.read(), response.headers

    async def open_link(self, token: str) -> tuple[int, str | None, CIMultiDictProxy[str]]:
        """Open a login link: (status, the session cookie set or None, headers)."""
        async with self.client.get(f"{PREFIX}/login?token={token}") as response:
            cookie = SimpleCookie()
            for header in response.headers.getall("Set-Cookie", []):
                cookie.load(header)
            found = cookie[COOKIE].value if COOKIE in cookie else None
            return response.status, found, response.headers

    async def log_in(self, telegram_id: int, name: str = "") -> Caller:
        """Log in as the chat's link does; the CSRF token from ``GET /api/session``."""
        status, cookie, _ = await self.open_link(await sessions.create_link(telegram_id))
        assert status == 200 and cookie, status
        caller = Caller(name or str(telegram_id), cookie=cookie)
        status, body, _ = await self.call("GET", f"{PREFIX}/api/session", as_=caller)
        assert status == 200, body
        return Caller(caller.name, cookie=cookie, csrf=body["csrf_token"])


async def session_of(telegram_id: int) -> Caller:
    """A session row made straight in the store (for people the link would refuse)."""
    opened = await sessions.open_session(telegram_id, via="link")
    return Caller(
        f"session:{telegram_id}", cookie=opened.token, csrf=sessions.csrf_token(opened.token)
    )


async def start_console(settings: Settings) -> TestClient:
    client = TestClient(TestServer(console_root(settings)), cookie_jar=aiohttp.DummyCookieJar())
    await client.start_server()
    return client


@pytest.fixture
async def console(store: str) -> AsyncIterator[Console]:
    rule_versions.invalidate()
    THRESHOLDS.clear()
    settings = console_settings()
    await rule_versions.ensure_seeded(settings.rules)
    await staff.grant_role(MARKETER, Role.MARKETER, granted_by=None)
    await staff.grant_role(CASHIER, Role.STAFF, granted_by=None)
    await staff.grant_role(REVOKED, Role.ADMIN, granted_by=None)
    created = await api_keys.create("POS")
    assert isinstance(created, api_keys.ApiKeyCreated)
    client = await start_console(settings)
    try:
        yield Console(client, settings, created.key)
    finally:
        await client.close()
        rule_versions.invalidate()


async def written() -> dict[str, int]:
    """Row counts of everything a console write could touch."""
    return {
        "entries": await LedgerEntry.all().count(),
        "audit": await AuditLog.all().count(),
        "idempotency": await IdempotencyRecord.all().count(),
        "outbox": await OutboxMessage.all().count(),
        "sessions": await ConsoleSession.all().count(),
    }


__all__ = ["ADMIN", "CASHIER", "MARKETER", "MEMBER", "REVOKED", "STRANGER", "new_member"]
