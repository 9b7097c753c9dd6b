"""The Mini App over real HTTP (aiohttp's TestServer) on the ``store`` fixture.

``mini.call(method, path, user=ID, json=..., idem=...)`` signs initData for ``user`` the
way Telegram does (:func:`telegram_sign`, written here from Telegram's documentation, not
with the library under test) and returns ``(status, body)``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from api.miniapp import routes
from bot.settings import Settings
from models.ledger import rule_versions
from models.store.tables import (
    AuditLog,
    LedgerEntry,
    OutboxMessage,
    Purchase,
    Voucher,
    VoucherStatus,
)

TOKEN = "123456:MINIAPP-test-token"
BOT = "jifen_test_bot"


def telegram_sign(
    fields: dict[str, str], token: str = TOKEN, *, auth_date: int | None = None
) -> str:
    """initData as Telegram builds it (core.telegram.org/bots/webapps, "Validating data").

    secret_key = HMAC_SHA256(key="WebAppData", msg=bot_token); hash = hex(HMAC_SHA256(
    key=secret_key, msg=data_check_string)), where data_check_string is every field but
    ``hash`` as ``key=value``, sorted by key, joined with ``\\n``.
    """
    pairs = {**fields, "auth_date": str(int(time.time()) if auth_date is None else auth_date)}
    check = "\n".join(f"{k}={v}" for k, v in sorted(pairs.items()))
    secret = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    pairs["hash"] = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    return urlencode(pairs)


def user_fields(user_id: int, language: str = "en") -> dict[str, str]:
    user = {"id": user_id, "first_name": f"U{user_id}", "language_code": language}
    return {"user": json.dumps(user, separators=(",", ":")), "query_id": "AAH-test"}


@dataclass
class Mini:
    client: TestClient
    settings: Settings

    async def call(
        self,
        method: str,
        path: str,
        *,
        user: int | None = None,
        json: Any = None,
        idem: str | None = None,
        init_data: str | None = None,
        language: str = "en",
    ) -> tuple[int, Any]:
        headers: dict[str, str] = {}
        if init_data is None and user is not None:
            init_data = telegram_sign(user_fields(user, language))
        if init_data is not None:
            headers["Authorization"] = f"tma {init_data}"
        if idem is not None:
            headers["Idempotency-Key"] = idem
        async with self.client.request(
            method, "/app/api" + path, json=json, headers=headers
        ) as response:
            if response.content_type == "application/json":
                return response.status, await response.json()
            return response.status, await response.read()


def mini_settings(**miniapp: Any) -> Settings:
    return Settings(
        miniapp={"rate_per_second": 1000, "rate_burst": 1000, **miniapp},
        access={"admins": [9001]},
    )


async def start(settings: Settings) -> TestClient:
    app = web.Application()
    app.add_routes(routes(settings, bot_token=TOKEN, bot_username=lambda: BOT))
    client = TestClient(TestServer(app))
    await client.start_server()
    return client


@pytest.fixture
async def mini(store: str) -> AsyncIterator[Mini]:
    rule_versions.invalidate()
    settings = mini_settings()
    await rule_versions.ensure_seeded(settings.rules)  # config.toml's rules, as the bot seeds
    client = await start(settings)
    try:
        yield Mini(client, settings)
    finally:
        await client.close()
        rule_versions.invalidate()


async def written() -> dict[str, int]:
    """Row counts of everything a Mini App write could touch."""
    return {
        "purchases": await Purchase.all().count(),
        "entries": await LedgerEntry.all().count(),
        "audit": await AuditLog.all().count(),
        "outbox": await OutboxMessage.all().count(),
        "vouchers": await Voucher.all().count(),
        "redeemed": await Voucher.filter(status=VoucherStatus.REDEEMED).count(),
    }
