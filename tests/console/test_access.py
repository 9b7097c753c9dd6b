"""Nobody but admins and marketers gets anything from the console, on any route.

The routes are read from the console application itself, so a route added later is
covered here without being listed: it must refuse cashiers, members, strangers and a
revoked admin (with a session opened before the revoke), and a write must refuse a
cookie without the CSRF header or from another site, writing nothing.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from api.console import PREFIX, build_console
from models.access import staff
from models.ledger import rule_versions
from models.store import clock
from models.store.tables import Campaign, CampaignKind, CampaignStatus, Member
from tests.console.conftest import (
    ADMIN,
    CASHIER,
    MEMBER,
    PUBLIC_URL,
    REVOKED,
    STRANGER,
    Caller,
    Console,
    console_settings,
    new_member,
    session_of,
    written,
)
from tests.stamps import helpers as stamps_test

APP = build_console(console_settings(), bot_token="1:x", public_url=lambda: PUBLIC_URL)
ROUTES = sorted(
    {(r.method, r.resource.canonical) for r in APP.router.routes() if r.method != "HEAD"}
)
OPEN = {("GET", "/static/{name}"), ("GET", "/api/openapi.json"), ("GET", "/login")}
"""What anyone may fetch: our CSS and scripts, the document, and the login link (which
refuses, with a 403 of its own, any token it cannot spend)."""
GUARDED = [r for r in ROUTES if r not in OPEN]
WRITES = [r for r in GUARDED if r[0] != "GET"]


def test_only_the_known_routes_are_open() -> None:
    assert set(ROUTES) >= OPEN
    assert len(GUARDED) >= 14, "the walk must see the sections' routes"


async def _path(template: str) -> str:
    code = (await Member.filter(telegram_id=MEMBER).first()).code  # type: ignore[union-attr]
    path = re.sub(r"\{code\}", code, template)
    if "{id}" in path:  # a campaign the route may change (a paused one to resume)
        paused = path.endswith("/resume")
        found = await campaign(CampaignStatus.PAUSED if paused else CampaignStatus.ACTIVE)
        path = path.replace("{id}", str(found.id))
    if "{card_type}" in path:  # a stamp card type (any status may be paused or resumed)
        path = path.replace("{card_type}", str((await stamps_test.coffee_card()).id))
    return PREFIX + path


async def campaign(status: CampaignStatus) -> Campaign:
    now = clock.now()
    return await Campaign.create(
        names={"en": "Test"},
        kind=CampaignKind.MULTIPLIER,
        multiplier="2",
        status=status,
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(days=1),
        created_at=now,
    )


BODIES: dict[str, Any] = {
    "/api/members/{code}/adjustments": {"points": 5, "reason": "test"},
    "/api/campaigns": lambda _: {
        "name_en": "Test",
        "kind": "bonus",
        "bonus_points": 5,
        "starts_at": clock.now().strftime("%Y-%m-%d %H:%M"),
        "ends_at": (clock.now() + timedelta(days=3)).strftime("%Y-%m-%d %H:%M"),
    },
    "/api/rules/changes": lambda version: {"field": "ppu", "value": "2", "version": version},
    "/api/stamps": {"name_en": "Test", "stamps_needed": 5, "reward_points": 10},
    "/api/stamps/{card_type}": {"name_en": "Test", "stamps_needed": 5, "reward_points": 10},
}
"""A valid body per write; a function of the rules version in force when it names one."""


async def body_for(route: str) -> Any:
    body = BODIES.get(route)
    return body((await rule_versions.current())[0].id) if callable(body) else body


@pytest.mark.parametrize(("method", "route"), GUARDED, ids=[f"{m} {p}" for m, p in GUARDED])
async def test_everyone_else_gets_403_and_nothing(
    console: Console, method: str, route: str
) -> None:
    await new_member(MEMBER, points=100)
    revoked = await console.log_in(REVOKED)
    await staff.revoke_role(REVOKED, revoked_by=ADMIN)
    callers = [
        STRANGER,
        Caller("cashier (initData)", telegram_id=CASHIER),
        Caller("member (initData)", telegram_id=MEMBER),
        Caller("admin's initData signed by another bot", telegram_id=ADMIN, bot_token="1:x"),
        await session_of(CASHIER),
        await session_of(MEMBER),
        revoked,
        Caller("unknown cookie", cookie="x" * 43, csrf="y"),
    ]
    path = await _path(route)
    before = await written()
    for caller in callers:
        status, body, headers = await console.call(
            method, path, as_=caller, json=await body_for(route), idem="k-" + caller.name
        )
        assert status == 403, (caller.name, status, body)
        assert "Content-Security-Policy" in headers
        text = body if isinstance(body, str) else str(body)
        assert "Member9300" not in text and "balance" not in text
    assert await written() == before


@pytest.mark.parametrize(("method", "route"), WRITES, ids=[f"{m} {p}" for m, p in WRITES])
async def test_a_write_needs_the_csrf_header_and_our_own_origin(
    console: Console, method: str, route: str
) -> None:
    await new_member(MEMBER, points=100)
    admin = await console.log_in(ADMIN)
    path = await _path(route)
    no_token = Caller("no csrf", cookie=admin.cookie)
    wrong_token = Caller("wrong csrf", cookie=admin.cookie, csrf="0" * 64)
    before = await written()
    cases = [
        (no_token, {}, "csrf"),
        (wrong_token, {}, "csrf"),
        (admin, {"Origin": "https://evil.example"}, "cross_site"),
        (admin, {"Sec-Fetch-Site": "cross-site"}, "cross_site"),
        (admin, {"Sec-Fetch-Site": "same-site"}, "cross_site"),
    ]
    for caller, headers, code in cases:
        status, body, _ = await console.call(
            method, path, as_=caller, json=await body_for(route), idem="key-1", headers=headers
        )
        assert (status, body["error"]["code"]) == (403, code), (caller.name, headers, body)
    assert await written() == before
    # the same request from our own page goes through
    status, body, _ = await console.call(
        method,
        path,
        as_=admin,
        json=await body_for(route),
        idem="key-1",
        headers={"Origin": PUBLIC_URL, "Sec-Fetch-Site": "same-origin"},
    )
    assert status < 400, body


def test_the_document_describes_exactly_the_api_routes() -> None:
    from api.console.app import SECTIONS, all_routes
    from api.console.openapi import document
    from api.console.session import ROUTES as SESSION_ROUTES

    spec = document(SECTIONS, SESSION_ROUTES)
    documented = {(m.upper(), p) for p, ops in spec["paths"].items() for m in ops}
    served = {(m, PREFIX + p) for m, p in GUARDED if p.startswith("/api/")}
    assert documented == served
    assert all(r.doc is not None for r in all_routes() if r.is_api)
    assert spec["openapi"] == "3.1.0"
