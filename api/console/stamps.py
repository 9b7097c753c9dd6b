"""Stamp cards in the console: the card types with their figures (cards started, filled,
redeemed, time to fill over the last 30 days), a form to create one, and pause/resume.

The same store operations as the chat's ``/stampcards`` (:mod:`models.stamps.card_types`:
validated, audited with actor kind ``console``); writes are keyed by ``Idempotency-Key``
and a refused write leaves nothing.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from aiohttp import web

from api import validation as v
from api.console.common import (
    ACTOR_KIND,
    ERROR,
    IDEMPOTENCY,
    Route,
    Section,
    Visitor,
    created_responses,
    json_doc,
    page,
    status_changed_responses,
)
from api.context import refusal, respond
from api.errors import ApiError
from api.idempotency import Answer, run_once
from api.openapi import PRINTABLE_PATTERN, SAFE_MAX
from locales import localized
from models.catalogue import rewards
from models.reports.stamps import stamp_figures
from models.stamps import card_types, stamping
from models.stamps.card_types import InvalidCardType
from models.store import clock
from models.store.tables import CardTypeStatus, StampCardType

MAX_BODY = 16 * 1024
WINDOW = timedelta(days=30)
TEXT = {"type": "string", "maxLength": 64, "pattern": PRINTABLE_PATTERN}
OPTIONAL_TEXT = {**TEXT, "type": ["string", "null"]}
"""A blank form field is sent as null or "" and means none."""
NUMBER = {"type": ["integer", "null"], "minimum": 0, "maximum": SAFE_MAX}
PROPERTIES: dict[str, Any] = {
    "name_en": TEXT,
    "name_zh": OPTIONAL_TEXT,
    "icon": {"type": ["string", "null"], "maxLength": 8, "pattern": PRINTABLE_PATTERN},
    "stamps_needed": {"type": "integer", "minimum": 2, "maximum": card_types.MAX_STAMPS},
    "per_item": {"type": ["boolean", "string"], "enum": [True, False, "true", "false"]},
    "min_amount_minor": NUMBER,
    "category": OPTIONAL_TEXT,
    "sku": OPTIONAL_TEXT,
    "reward_id": NUMBER,
    "reward_points": NUMBER,
    "lifetime_days": NUMBER,
    "daily_limit": NUMBER,
}


def _text(body: dict[str, Any], name: str, limit: int = 64) -> str | None:
    """A form's text: blank is none (the form sends every field)."""
    raw = body.get(name)
    if raw is None:
        return None
    if not isinstance(raw, str) or len(raw) > limit:
        raise v.invalid(name, "length")
    return raw.strip() or None


def _whole(raw: Any) -> Any:
    """JSON's ``12.0`` is the integer 12 (JSON Schema says so too)."""
    return int(raw) if isinstance(raw, float) and raw.is_integer() else raw


CARD_TYPE_BODY = {
    "type": "object",
    "required": ["name_en", "stamps_needed"],
    "additionalProperties": False,
    "properties": PROPERTIES,
}
CARD_TYPE = {
    "name": "card_type",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 1, "maximum": SAFE_MAX},
}


def _values(body: dict[str, Any]) -> dict[str, Any]:
    """The form's JSON as :func:`card_types.create` takes it (blank texts and zeros: none)."""
    v.only(body, set(PROPERTIES))
    names = {
        "en": _text(body, "name_en") or "",
        "zh-Hans": _text(body, "name_zh") or "",
    }
    names["zh-Hans"] = names["zh-Hans"] or names["en"]
    numbers = {}
    for name in ("min_amount_minor", "reward_id", "reward_points", "lifetime_days", "daily_limit"):
        raw = _whole(body.get(name))
        if raw is not None and (isinstance(raw, bool) or not isinstance(raw, int) or raw < 0):
            raise v.invalid(name, "not-an-integer")
        if raw is not None and raw > SAFE_MAX:  # as the document says (and JSON can carry)
            raise v.invalid(name, "range")
        numbers[name] = raw or None
    needed = _whole(body.get("stamps_needed"))
    if isinstance(needed, bool) or not isinstance(needed, int):
        raise v.invalid("stamps_needed", "not-an-integer")
    per_item = {"true": True, "false": False}.get(body.get("per_item"), body.get("per_item", False))  # type: ignore[arg-type]
    if not isinstance(per_item, bool):
        raise v.invalid("per_item", "not-a-boolean")
    values = {
        "names": names,
        "stamps_needed": needed,
        "per_item": per_item,
        "min_amount_minor": numbers["min_amount_minor"] or 0,
        "category": _text(body, "category"),
        "sku": _text(body, "sku"),
        "reward_id": numbers["reward_id"],
        "reward_points": numbers["reward_points"] or 0,
        "lifetime_days": numbers["lifetime_days"],
        "daily_limit": numbers["daily_limit"],
    }
    icon = _text(body, "icon", 8)
    return values | ({"icon": icon} if icon else {})


async def list_json(visitor: Visitor) -> list[dict[str, Any]]:
    now = clock.now()
    figures = {f.card_type_id: f for f in await stamp_figures(now - WINDOW, now)}
    out = []
    for row in await card_types.list_types():
        f = figures.get(row.id)
        reward = await rewards.get(row.reward_id) if row.reward_id else None  # type: ignore[attr-defined]
        out.append(
            {
                "id": row.id,
                "name": stamping.type_name(row, visitor.language),
                "cups": stamping.cups(0, row.stamps_needed, row.icon),
                "stamps_needed": row.stamps_needed,
                "per_item": row.per_item,
                "min_amount_minor": row.min_amount_minor,
                "category": row.category,
                "sku": row.sku,
                "reward": localized(reward.names, visitor.language) if reward else None,
                "reward_points": row.reward_points,
                "lifetime_days": row.lifetime_days,
                "daily_limit": row.daily_limit,
                "status": row.status.value,
                "started": f.started if f else 0,
                "filled": f.filled if f else 0,
                "redeemed": f.redeemed if f else 0,
                "median_days_to_fill": f.median_days_to_fill if f else None,
            }
        )
    return out


async def stamps_page(request: web.Request, visitor: Visitor) -> web.Response:
    v.only(request.query, set())
    return page(
        request,
        visitor,
        "stamps.html",
        cards=await list_json(visitor),
        rewards=[
            {"id": r.id, "name": localized(r.names, visitor.language)}
            for r in await rewards.list_rewards(limit=50)
        ],
        idempotency_key=uuid.uuid4().hex,
    )


async def list_card_types(request: web.Request, visitor: Visitor) -> dict[str, Any]:
    v.only(request.query, set())
    return {"items": await list_json(visitor)}


def _refused(made: InvalidCardType) -> Answer:
    return refusal(ApiError(422, "invalid_card_type", field=made.field, reason=made.reason))


async def create_card_type(request: web.Request, visitor: Visitor) -> web.Response:
    """The form as JSON → 201 with the new card type's id (audited ``stampcard.create``)."""
    key = v.idempotency_key(request)
    body = await v.read_json(request, MAX_BODY)
    values = _values(body)

    async def work() -> Answer:
        made = await card_types.create(values, visitor.telegram_id, actor_kind=ACTOR_KIND)
        if isinstance(made, InvalidCardType):
            return _refused(made)
        return Answer(201, {"id": made.id})

    answer = await run_once(
        f"console:{visitor.telegram_id}:stampcard:{key}",
        "console.stampcard",
        body,
        work,
        idempotent_work=False,
    )
    return respond(answer)


async def edit_card_type(request: web.Request, visitor: Visitor) -> web.Response:
    """The same fields as creating, for an existing card type (audited ``stampcard.edit``);
    stamps from then on follow the new rules, cards already full keep what they gave."""
    type_id = _card_type_id(request)
    key = v.idempotency_key(request)
    body = await v.read_json(request, MAX_BODY)
    values = _values(body)

    async def work() -> Answer:
        made = await card_types.edit(type_id, values, visitor.telegram_id, actor_kind=ACTOR_KIND)
        if made is None:
            return refusal(ApiError(404, "card_type_not_found"))
        if isinstance(made, InvalidCardType):
            return _refused(made)
        return Answer(200, {"id": made.id})

    answer = await run_once(
        f"console:{visitor.telegram_id}:stampcard-edit:{key}",
        "console.stampcard.edit",
        {"id": type_id, **body},
        work,
        idempotent_work=False,
    )
    return respond(answer)


def _card_type_id(request: web.Request) -> int:
    return v.whole_number(request.match_info["card_type"], "card_type", minimum=1, maximum=SAFE_MAX)


def mover(status: CardTypeStatus, verb: str) -> Any:
    """``POST /api/stamps/{id}/<verb>``: pause or resume (cards keep their stamps)."""

    async def move(request: web.Request, visitor: Visitor) -> web.Response:
        type_id = _card_type_id(request)
        key = v.idempotency_key(request)

        async def work() -> Answer:
            row: StampCardType | None = await card_types.set_status(
                type_id, status, visitor.telegram_id, actor_kind=ACTOR_KIND
            )
            if row is None:
                return refusal(ApiError(404, "card_type_not_found"))
            return Answer(200, {"id": type_id, "status": row.status.value})

        answer = await run_once(
            f"console:{visitor.telegram_id}:stampcard-{verb}:{key}",
            f"console.stampcard.{verb}",
            {"id": type_id},
            work,
            idempotent_work=False,
        )
        return respond(answer)

    move.__name__ = f"{verb}_card_type"
    return move


def _move_route(status: CardTypeStatus, verb: str) -> Route:
    return Route(
        "POST",
        f"/api/stamps/{{card_type}}/{verb}",
        mover(status, verb),
        doc={
            "operationId": f"{verb}StampCard",
            "summary": f"{verb.capitalize()} a stamp card type",
            "parameters": [CARD_TYPE, IDEMPOTENCY],
            "responses": status_changed_responses(),
        },
    )


SECTION = Section(
    key="stamps",
    title="console-nav-stamps",
    path="/stamps",
    schemas={
        "StampCardType": {
            "type": "object",
            "required": ["id", "name", "stamps_needed", "status"],
            "properties": {
                "id": {"type": "integer"},
                "name": {"type": "string"},
                "cups": {"type": "string"},
                "stamps_needed": {"type": "integer"},
                "status": {"type": "string"},
                "started": {"type": "integer"},
                "filled": {"type": "integer"},
                "redeemed": {"type": "integer"},
                "median_days_to_fill": {"type": ["number", "null"]},
            },
        },
    },
    routes=(
        Route("GET", "/stamps", stamps_page),
        Route(
            "GET",
            "/api/stamps",
            list_card_types,
            doc={
                "operationId": "listStampCards",
                "summary": "Stamp card types with their last 30 days' figures",
                "responses": {
                    "200": json_doc(
                        {
                            "type": "object",
                            "properties": {
                                "items": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/StampCardType"},
                                }
                            },
                        },
                        "the card types",
                    )
                },
            },
        ),
        Route(
            "POST",
            "/api/stamps",
            create_card_type,
            doc={
                "operationId": "createStampCard",
                "summary": "Create a stamp card type (audited)",
                "parameters": [IDEMPOTENCY],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": CARD_TYPE_BODY}},
                },
                "responses": created_responses(
                    {"type": "object", "properties": {"id": {"type": "integer"}}}, "created"
                ),
            },
        ),
        Route(
            "POST",
            "/api/stamps/{card_type}",
            edit_card_type,
            doc={
                "operationId": "editStampCard",
                "summary": "Change a stamp card type (audited)",
                "parameters": [CARD_TYPE, IDEMPOTENCY],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": CARD_TYPE_BODY}},
                },
                "responses": {
                    "200": json_doc(
                        {"type": "object", "properties": {"id": {"type": "integer"}}}, "changed"
                    ),
                    "400": ERROR,
                    "404": ERROR,
                    "409": ERROR,
                    "413": ERROR,
                    "422": ERROR,
                },
            },
        ),
        _move_route(CardTypeStatus.PAUSED, "pause"),
        _move_route(CardTypeStatus.ACTIVE, "resume"),
    ),
)
