"""The HTTP API over real HTTP (aiohttp's TestServer) on the ``store`` fixture.

``api`` is a client holding a fresh key; ``api.call(method, path, json=..., key=...)``
returns ``(status, body, headers)``. The app is mounted at ``/api/v1`` exactly as
``bot.runners`` mounts it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from multidict import CIMultiDictProxy

from api.app import PREFIX, build_api
from bench.trips import Trips, counting
from bot.settings import Settings
from models import ledger
from models.access import api_keys
from models.ledger import rule_versions
from models.members import membership
from models.store.tables import (
    AuditLog,
    IdempotencyRecord,
    LedgerEntry,
    Member,
    Purchase,
    Refund,
    Voucher,
    VoucherStatus,
)


@dataclass
class Api:
    client: TestClient
    key: str
    settings: Settings

    async def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        data: bytes | str | None = None,
        key: str | None = None,
        idem: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any, CIMultiDictProxy[str]]:
        sent = dict(headers or {})
        if key != "":
            sent.setdefault("Authorization", f"Bearer {key or self.key}")
        if idem is not None:
            sent["Idempotency-Key"] = idem
        async with self.client.request(
            method, PREFIX + path, json=json, data=data, headers=sent
        ) as response:
            body = await response.json() if response.content_type == "application/json" else None
            return response.status, body, response.headers


def api_settings(**api: Any) -> Settings:
    generous = {"rate_per_second": 1000, "rate_burst": 1000, "auth_failure_burst": 1000}
    return Settings(api={**generous, **api})


async def start_api(settings: Settings) -> TestClient:
    root = web.Application()
    root.add_subapp(PREFIX, build_api(settings))
    client = TestClient(TestServer(root))
    await client.start_server()
    return client


@pytest.fixture
async def api(store: str) -> AsyncIterator[Api]:
    rule_versions.invalidate()
    settings = api_settings()
    created = await api_keys.create("POS till 1")
    assert isinstance(created, api_keys.ApiKeyCreated)
    client = await start_api(settings)
    try:
        yield Api(client, created.key, settings)
    finally:
        await client.close()
        rule_versions.invalidate()


async def new_member(telegram_id: int, points: int = 0, **fields: Any) -> Member:
    """A member as the bot makes them (real code and card token), with ``points`` to spend."""
    member, _ = await membership.ensure_member(telegram_id, first_name=f"Member{telegram_id}")
    if fields:
        await Member.filter(id=member.id).update(**fields)
    if points:
        await ledger.grant_bonus(member.id, points, idempotency_key=f"seed{member.id}", reason="t")
    return await Member.get(id=member.id)


async def written() -> dict[str, int]:
    """Row counts of everything a write could touch (key creation's audit rows included)."""
    return {
        "purchases": await Purchase.all().count(),
        "refunds": await Refund.all().count(),
        "entries": await LedgerEntry.all().count(),
        "audit": await AuditLog.all().count(),
        "idempotency": await IdempotencyRecord.all().count(),
        "redeemed": await Voucher.filter(status=VoucherStatus.REDEEMED).count(),
    }


def purchase(member: Member, amount: int = 12850, order: str = "A-1", **extra: Any) -> dict:
    return {
        "member": {"code": member.code},
        "amount_minor": amount,
        "currency": "CNY",
        "order_id": order,
        **extra,
    }


async def warm_purchase_trips(api: Api, member: Member, label: str, tries: int = 3) -> Trips:
    """The round trips of one API purchase with the caches warm (rules, campaigns, stamp
    card types: each re-read once a second per instance): the fewest of ``tries``
    purchases, each right after a warm-up one, so a slow machine's second between the two
    does not count a cache's re-read."""
    found = []
    for n in range(tries):
        warm = purchase(member, order=f"{label}-w{n}")
        await api.call("POST", "/purchases", json=warm, idem=f"{label}-w{n}")
        with counting() as trips:
            body = purchase(member, order=f"{label}-{n}")
            status, answer, _ = await api.call("POST", "/purchases", json=body, idem=f"{label}-{n}")
        assert status == 201, answer
        found.append(trips)
    return min(found, key=lambda t: t.trips)
