"""Nobody but admins and marketers gets anything from the console, on any route.

The routes are read from the console application itself, so a route added later is
covered here without being listed: it must refuse cashiers, members, strangers and a
revoked admin (with a session opened before the revoke), and a write must refuse a
cookie without the CSRF header or from another site, writing nothing.
"""

from __future__ import annotations

import inspect
import io
import re
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from PIL import Image

from api.console import PREFIX, build_console
from models.access import staff
from models.catalogue import coupons, rewards
from models.catalogue.coupons import BatchCreated
from models.catalogue.rewards import RewardDraft, RewardSaved
from models.delivery import webhooks
from models.ledger import rule_versions
from models.store import clock
from models.store.tables import (
    ApiKey,
    Broadcast,
    BroadcastStatus,
    Campaign,
    CampaignKind,
    CampaignStatus,
    DeliveryStatus,
    Member,
    WebhookDelivery,
    WebhookEndpoint,
)
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
    for noun, make in ROWS.items():  # a row of the route's own kind
        if path.startswith(f"/api/{noun}/{{id}}"):
            path = path.replace("{id}", str(await make()))
    if "{id}" in path:  # a campaign the route may change (a paused one to resume)
        paused = path.endswith("/resume")
        found = await campaign(CampaignStatus.PAUSED if paused else CampaignStatus.ACTIVE)
        path = path.replace("{id}", str(found.id))
    for name, made in PLACES.items():
        if "{" + name + "}" in path:
            path = path.replace("{" + name + "}", str(await made()))
    return PREFIX + path


async def _delivery() -> int:
    """A failed delivery to a live endpoint (what the resend route takes)."""
    endpoint = await WebhookEndpoint.create(
        url="https://93.184.216.34/h", secret="s", created_at=clock.now()
    )
    probe = await webhooks.queue_test(endpoint.id)
    assert isinstance(probe, webhooks.ProbeQueued)
    await WebhookDelivery.filter(id=probe.delivery_id).update(status=DeliveryStatus.FAILED)
    return probe.delivery_id


async def _endpoint() -> int:
    return (await WebhookDelivery.get(id=await _delivery())).endpoint_id  # type: ignore[attr-defined]


async def _key_prefix() -> str:
    return (await ApiKey.filter(revoked_at=None).first()).prefix  # type: ignore[union-attr]


async def _cashier() -> int:
    return CASHIER


async def _form() -> str:
    return "bonuses"


async def _card_type() -> int:
    """A stamp card type (any status may be paused or resumed)."""
    return (await stamps_test.coffee_card()).id


PLACES = {
    "card_type": _card_type,
    "form": _form,
    "telegram_id": _cashier,
    "prefix": _key_prefix,
    "endpoint_id": _endpoint,
    "delivery_id": _delivery,
}
"""What the routes' path parameters name (something they may change)."""


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


async def scheduled_broadcast() -> int:
    row = await Broadcast.create(
        created_by=ADMIN,
        text="Hello",
        status=BroadcastStatus.SCHEDULED,
        scheduled_at=clock.now() + timedelta(days=1),
        created_at=clock.now(),
    )
    return row.id


async def two_rewards() -> int:
    """The first of two rewards (so it may move down)."""
    first = await rewards.add(RewardDraft({"en": "Tea"}, 10), actor_telegram_id=None)
    await rewards.add(RewardDraft({"en": "Cake"}, 20), actor_telegram_id=None)
    assert isinstance(first, RewardSaved)
    return first.reward_id


async def coupon_batch() -> int:
    made = await coupons.generate_batch(await two_rewards(), 2, actor_telegram_id=None)
    assert isinstance(made, BatchCreated)
    return made.batch_id


ROWS: dict[str, Any] = {
    "broadcasts": scheduled_broadcast,
    "rewards": two_rewards,
    "coupons": coupon_batch,
}
"""Routes on ``/api/<noun>/{id}``: a row each may act on (others get a campaign)."""


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
    "/api/staff/invites": {"role": "staff"},
    "/api/api-keys": {"name": "Till 2"},
    "/api/webhooks": {"url": "https://93.184.216.34/hook"},
    "/api/rules/forms/{form}": lambda version: {"version": version, "b_joined": "5"},
    "/api/rules/forms/{form}/preview": {"b_joined": "5"},
    "/api/stamps": {"name_en": "Test", "stamps_needed": 5, "reward_points": 10},
    "/api/stamps/{card_type}": {"name_en": "Test", "stamps_needed": 5, "reward_points": 10},
}
BODIES["/api/broadcasts"] = {"text_en": "Hi", "scheduled_at": "2999-01-01 10:00"}
BODIES["/api/rewards"] = {"name_en": "Tea", "cost_points": 10}
BODIES["/api/rewards/{id}"] = {"stock": 5}
BODIES["/api/rewards/{id}/move"] = {"direction": "down"}


async def _coupon_body(_: int) -> dict[str, Any]:
    return {"reward_id": await two_rewards(), "count": 2, "expiry_days": 30}


def _photo_form(_: int) -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("photo", PNG, filename="p.png", content_type="image/png")
    return form


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, format="PNG")
    return out.getvalue()


PNG = _png()
BODIES["/api/coupons"] = _coupon_body
BODIES["/api/rewards/{id}/photo"] = _photo_form
"""A valid body per write; a function of the rules version in force when it names one."""


async def body_for(route: str) -> Any:
    body = BODIES.get(route)
    found = body((await rule_versions.current())[0].id) if callable(body) else body
    return await found if inspect.isawaitable(found) else found


async def payload(method: str, route: str) -> Any:
    """Made once per test (rows it needs first): a function giving ``json=`` or, for an
    upload, ``data=`` (a fresh multipart form: one is spent by sending it)."""
    if method == "GET":
        return dict
    body = await body_for(route)
    if isinstance(body, aiohttp.FormData):
        return lambda: {"data": _photo_form(0)}
    return lambda: {"json": body}


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
    sent = await payload(method, route)
    before = await written()
    for caller in callers:
        status, body, headers = await console.call(
            method, path, as_=caller, **sent(), idem="k-" + caller.name
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
    sent = await payload(method, route)
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
            method, path, as_=caller, **sent(), idem="key-1", headers=headers
        )
        assert (status, body["error"]["code"]) == (403, code), (caller.name, headers, body)
    assert await written() == before
    # the same request from our own page goes through
    status, body, _ = await console.call(
        method,
        path,
        as_=admin,
        **sent(),
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
