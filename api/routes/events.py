"""``POST /events``: what other systems tell jifen members did, priced by event rules.

The event is stored whatever the rules say, in the write that awards its points
(``models.ledger.events``): 201 ``awarded``, or 202 ``no_rule`` (no rule for the type
yet; ``jifen events replay`` applies one added later) or ``capped`` (the member's caps
are reached). The event's identity is the caller's ``id`` scoped to its API key, so the
same event sent twice, under any Idempotency-Key, earns once; the Idempotency-Key
(default ``event:<id>``) makes a retry answer the first answer.
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from api import validation as v
from api.auth import api_key
from api.context import plain, refusal, respond, settings, timezone
from api.errors import ApiError
from api.idempotency import Answer, run_once
from api.openapi import SAFE_MAX
from api.routes.members import member_ref
from api.routes.purchases import member_named, parse_member_ref
from models.ledger import events
from models.ledger.config import EVENT_TYPE_PATTERN
from models.store.tables import EventStatus

EVENT_ID_LENGTH = 64
DATA_FIELDS = 50
DATA_TEXT_LENGTH = 1000
DATA_NAME_LENGTH = 64
_TYPE = re.compile(EVENT_TYPE_PATTERN)


def _data(body: dict[str, Any]) -> dict[str, Any]:
    """``data``: a flat object of short texts, safe integers (``5.0`` is 5 to JSON
    Schema), booleans and nulls; never a float or a nested value."""
    data = body.get("data", {})
    if not isinstance(data, dict):
        raise v.invalid("data", "not-an-object")
    if len(data) > DATA_FIELDS:
        raise v.invalid("data", "too-many-fields")
    kept: dict[str, Any] = {}
    for name, value in data.items():
        if len(name) > DATA_NAME_LENGTH:
            raise v.invalid(f"data.{name}", "too-long")
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = v.integer(data, name, minimum=-SAFE_MAX, maximum=SAFE_MAX, where="data.")
        elif isinstance(value, str) and len(value) > DATA_TEXT_LENGTH:
            raise v.invalid(f"data.{name}", "too-long")
        elif not (value is None or isinstance(value, str | bool)):
            raise v.invalid(f"data.{name}", "not-a-scalar")
        kept[name] = value
    return kept


def _parse(body: dict[str, Any]) -> dict[str, Any]:
    v.only(body, {"member", "type", "id", "data"})
    event_type = v.text(body, "type", required=True, max_length=64)
    if not _TYPE.fullmatch(event_type or ""):
        raise v.invalid("type", "pattern")
    return {
        "member": parse_member_ref(body),
        "type": event_type,
        "id": v.text(body, "id", required=True, max_length=EVENT_ID_LENGTH),
        "data": _data(body),
    }


async def post_event(request: web.Request) -> web.Response:
    """Record an event about a member; its points if a rule prices it (201), else 202."""
    body = await v.read_json(request, settings(request).api.max_body_bytes)
    parsed = _parse(body)
    key = v.idempotency_key(request, fallback=f"event:{parsed['id']}")
    caller = api_key(request)

    async def work() -> Answer:
        member = await member_named(parsed["member"])
        result = await events.record(
            member.id,
            parsed["type"],
            parsed["id"],
            event_key=f"api:{caller.prefix}:{parsed['id']}",
            data=parsed["data"],
            channel="api",
            api_key_id=caller.id,
            tz=timezone(request),
        )
        if not isinstance(result, events.EventRecorded):
            return refusal(ApiError(404, "member_not_found"))
        awarded = result.status == EventStatus.AWARDED
        answer = {
            "status": result.status,
            "type": result.type,
            "id": result.event_id,
            "member": member_ref(member),
            "points": result.points,
            "balance": result.balance,
        }
        details = {"api_key": caller.prefix, "type": result.type, "points": result.points}
        return Answer(
            201 if awarded else 202,
            plain(answer),
            replayed=result.replayed,
            audit=("event.record", f"member:{member.id}", details),
        )

    answer = await run_once(
        f"api:{caller.prefix}:event:{key}", "event", parsed, work, idempotent_work=True
    )
    return respond(answer)


ROUTES = [web.post("/events", post_event)]
