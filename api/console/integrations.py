"""Integrations (admins): API keys for tills and shops, webhook endpoints and their
delivery log.

A key is :func:`models.access.api_keys.create`'s: its secret exists once, in the answer
to the request that made it. The answer stored for retries (``Idempotency-Key``) holds
``"key": null``, so a retry, a reload or a second tab never shows it again. Revoking
stops the key at once. A webhook endpoint is :func:`models.delivery.webhooks.add`'s,
with its URL checks (scheme, credentials, every address public unless
``webhooks.allow_private``); its signing secret is shown once the same way. Disabling
removes it (pending deliveries cancelled). The delivery log lists each delivery with
its status, attempts and last error; *resend* queues one again by a conditional update,
so two presses queue it once. Every change is audited with actor kind ``console``.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from aiohttp import web

from api import validation as v
from api.console.audit_log import keyset
from api.console.common import (
    ACTOR_KIND,
    ERROR,
    IDEMPOTENCY,
    Route,
    Section,
    Visitor,
    json_doc,
    page,
    settings,
)
from api.console.keyed import key_of, once, once_answer, with_secret
from api.context import refusal
from api.errors import ApiError
from api.idempotency import Answer
from api.openapi import SAFE_MAX, TEXT_PATTERN
from models.access import api_keys, staff
from models.delivery import webhook_delivery, webhooks
from models.store.tables import ApiKey, Role

MAX_BODY = 64 * 1024
"""Room for the longest valid body written as JSON escapes (a URL of 2,048 astral characters)."""
MAX_URL = 2048
PAGE = 50


def key_json(row: ApiKey, names: dict[int, str]) -> dict[str, Any]:
    return {
        "prefix": row.prefix,
        "name": row.name,
        "location": row.location,
        "created_at": row.created_at,
        "created_by": None
        if row.created_by is None
        else names.get(row.created_by, str(row.created_by)),
        "last_used_at": row.last_used_at,
        "revoked_at": row.revoked_at,
    }


async def keys_json() -> list[dict[str, Any]]:
    rows = await api_keys.list_keys()
    names = await staff.names_of(r.created_by for r in rows)
    return [key_json(r, names) for r in rows]


async def endpoints_json() -> list[dict[str, Any]]:
    return [
        {
            "id": e.endpoint_id,
            "url": e.url,
            "events": list(e.events) if e.events is not None else None,
            "removed": e.removed,
            "pending": e.pending,
            "delivered": e.delivered,
            "failed": e.failed,
        }
        for e in await webhooks.list_endpoints(include_removed=True)
    ]


def delivery_json(line: webhook_delivery.DeliveryLine) -> dict[str, Any]:
    return {
        "id": line.delivery_id,
        "event": line.event_type,
        "msg_id": line.msg_id,
        "status": line.status.value,
        "attempts": line.attempts,
        "last_status": line.last_status,
        "error": line.error,
        "created_at": line.created_at,
        "next_attempt_at": line.next_attempt_at,
        "delivered_at": line.delivered_at,
    }


def _not_longer(body: dict[str, Any], limits: dict[str, int]) -> None:
    """Refuse a text longer than documented as sent (before any stripping)."""
    for name, limit in limits.items():
        value = body.get(name)
        if isinstance(value, str) and len(value) > limit:
            raise v.invalid(name, "length")


def _id(request: web.Request, name: str) -> int:
    return v.whole_number(request.match_info[name], name, minimum=1, maximum=SAFE_MAX)


async def _endpoint(endpoint_id: int) -> dict[str, Any]:
    found = next((e for e in await endpoints_json() if e["id"] == endpoint_id), None)
    if found is None:
        raise ApiError(404, "webhook_not_found")
    return found


async def _log(request: web.Request, endpoint_id: int) -> dict[str, Any]:
    v.only(request.query, {"before", "limit"})
    before_id, limit = keyset(request.query)
    endpoint = await _endpoint(endpoint_id)
    lines = await webhook_delivery.deliveries(endpoint_id, before_id=before_id, limit=limit)
    more = len(lines) == limit
    return {
        "endpoint": endpoint,
        "deliveries": [delivery_json(line) for line in lines],
        "next": lines[-1].delivery_id if more and lines else None,
    }


# ---- handlers ---------------------------------------------------------------------------


async def integrations_page(request: web.Request, visitor: Visitor) -> web.Response:
    v.only(request.query, set())
    return page(
        request,
        visitor,
        "integrations.html",
        keys=await keys_json(),
        endpoints=await endpoints_json(),
        event_types=webhooks.EVENT_TYPES,
        idempotency_key=uuid.uuid4().hex,
    )


async def deliveries_page(request: web.Request, visitor: Visitor) -> web.Response:
    log = await _log(request, _id(request, "endpoint_id"))
    return page(request, visitor, "webhook_log.html", log=log, idempotency_key=uuid.uuid4().hex)


async def list_keys(request: web.Request, visitor: Visitor) -> dict[str, Any]:
    v.only(request.query, set())
    return {"keys": await keys_json()}


async def create_key(request: web.Request, visitor: Visitor) -> web.Response:
    """``{"name", "location"?}`` → 201 with the key, shown in this answer only."""
    key = key_of(request)
    body = await v.read_json(request, MAX_BODY)
    v.only(body, {"name", "location"})
    _not_longer(body, {"name": 64, "location": 64})
    name = v.text(body, "name", required=True, max_length=64)
    # null or "" is no location; anything else must be a text (false is not "none")
    given = body.get("location")
    location = v.text(body, "location", max_length=64) if given not in (None, "") else None
    secret: dict[str, str] = {}

    async def work() -> Answer:
        made = await api_keys.create(
            name or "", location=location, created_by=visitor.telegram_id, actor_kind=ACTOR_KIND
        )
        if isinstance(made, api_keys.InvalidKeyName):
            return refusal(ApiError(422, "invalid_key_name", field="name", reason=made.reason))
        secret["key"] = made.key
        return Answer(
            201, {"prefix": made.prefix, "name": made.name, "location": location, "key": None}
        )

    answer = await once_answer(key, visitor, "api-key", {"name": name, "location": location}, work)
    return with_secret(answer, secret)


async def revoke_key(request: web.Request, visitor: Visitor) -> web.Response:
    prefix = request.match_info["prefix"]
    if not api_keys.PREFIX_PATTERN.fullmatch(prefix):
        raise v.invalid("prefix", "format")
    key = key_of(request)

    async def work() -> Answer:
        result = await api_keys.revoke(
            prefix, revoked_by=visitor.telegram_id, actor_kind=ACTOR_KIND
        )
        if isinstance(result, api_keys.UnknownKey | api_keys.AlreadyRevoked):
            return refusal(ApiError(404, "key_not_found"))
        return Answer(200, {"revoked": prefix})

    return await once(key, visitor, "api-key-revoke", {"prefix": prefix}, work)


async def list_endpoints(request: web.Request, visitor: Visitor) -> dict[str, Any]:
    v.only(request.query, set())
    return {"endpoints": await endpoints_json()}


def url_refused(problem: Any) -> ApiError:
    reason = {
        webhooks.InvalidUrl: lambda p: p.reason,
        webhooks.PrivateTarget: lambda p: "private",
        webhooks.UnresolvableHost: lambda p: "unresolvable",
    }[type(problem)](problem)
    return ApiError(422, "invalid_webhook_url", field="url", reason=reason)


async def add_endpoint(request: web.Request, visitor: Visitor) -> web.Response:
    """``{"url", "events"?}`` → 201 with the endpoint and its signing secret (once)."""
    key = key_of(request)
    body = await v.read_json(request, MAX_BODY)
    v.only(body, {"url", "events"})
    _not_longer(body, {"url": MAX_URL, "events": 1024})
    url = v.text(body, "url", required=True, max_length=MAX_URL) or ""
    events_text = body.get("events")
    events_text = None if events_text == "" else events_text  # false or {} stay wrong
    if events_text is not None and not isinstance(events_text, str):
        raise v.invalid("events", "not-a-string")
    events = webhooks.parse_events(events_text) or None  # only commas: every type
    if isinstance(events, webhooks.UnknownEventType):
        raise v.invalid("events", "unknown")
    allow_private = settings(request).webhooks.allow_private
    secret: dict[str, str] = {}

    async def work() -> Answer:
        made = await webhooks.add(
            url,
            events=events,
            allow_private=allow_private,
            actor_telegram_id=visitor.telegram_id,
            actor_kind=ACTOR_KIND,
        )
        if isinstance(made, webhooks.UnknownEventType):
            return refusal(v.invalid("events", "unknown"))
        if not isinstance(made, webhooks.EndpointAdded):
            return refusal(url_refused(made))
        secret["secret"] = made.secret
        return Answer(201, {"id": made.endpoint_id, "url": made.url, "secret": None})

    request_body = {"url": url, "events": list(events) if events else None}
    answer = await once_answer(key, visitor, "webhook", request_body, work)
    return with_secret(answer, secret)


async def disable_endpoint(request: web.Request, visitor: Visitor) -> web.Response:
    endpoint_id = _id(request, "endpoint_id")
    key = key_of(request)

    async def work() -> Answer:
        result = await webhooks.remove(
            endpoint_id, actor_telegram_id=visitor.telegram_id, actor_kind=ACTOR_KIND
        )
        if isinstance(result, webhooks.UnknownEndpoint):
            return refusal(ApiError(404, "webhook_not_found"))
        return Answer(200, {"disabled": endpoint_id, "cancelled": result.cancelled})

    return await once(key, visitor, "webhook-disable", {"id": endpoint_id}, work)


async def get_deliveries(request: web.Request, visitor: Visitor) -> dict[str, Any]:
    return await _log(request, _id(request, "endpoint_id"))


async def resend(request: web.Request, visitor: Visitor) -> web.Response:
    """Queue a delivery again (once, however often it is pressed)."""
    delivery_id = _id(request, "delivery_id")
    key = key_of(request)

    async def work() -> Answer:
        result = await webhook_delivery.resend(
            delivery_id, actor_telegram_id=visitor.telegram_id, actor_kind=ACTOR_KIND
        )
        if isinstance(result, webhook_delivery.UnknownDelivery):
            return refusal(ApiError(404, "delivery_not_found"))
        queued = isinstance(result, webhook_delivery.Requeued)
        return Answer(200, {"delivery": delivery_id, "queued": queued})

    return await once(key, visitor, "webhook-resend", {"id": delivery_id}, work)


# ---- OpenAPI ----------------------------------------------------------------------------


def _path_id(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 1, "maximum": SAFE_MAX},
    }


def _json_body(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": required,
                    "additionalProperties": False,
                    "properties": properties,
                }
            }
        },
    }


def _write(
    operation: str, summary: str, parameters: list[Any], ok: str, body: Any = None
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "operationId": operation,
        "summary": summary,
        "parameters": [*parameters, IDEMPOTENCY],
        "responses": {
            ok: json_doc({"type": "object"}, "done"),
            "200": json_doc({"type": "object"}, "done, or a replay of the first answer"),
            "400": ERROR,
            "404": ERROR,
            "409": ERROR,
            "413": ERROR,
            "422": ERROR,
        },
    }
    if body is not None:
        doc["requestBody"] = body
    return doc


TEXT64 = {"type": "string", "minLength": 1, "maxLength": 64, "pattern": TEXT_PATTERN}
OPTIONAL64 = {"type": ["string", "null"], "maxLength": 64, "pattern": f"^$|{TEXT_PATTERN}"}
_TYPE = "|".join(re.escape(e) for e in webhooks.EVENT_TYPES)
EVENTS_PATTERN = rf"^[ ,]*(?:(?:{_TYPE}) *(?:,[ ,]*|$))*$"
"""Known event types separated by commas (what :func:`webhooks.parse_events` reads)."""
NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
SCHEMAS = {
    "ApiKey": {
        "type": "object",
        "required": ["prefix", "name", "created_at"],
        "properties": {
            "prefix": {"type": "string"},
            "name": {"type": "string"},
            "location": {"type": ["string", "null"]},
            "created_at": {"type": "string", "format": "date-time"},
            "created_by": {"type": ["string", "null"]},
            "last_used_at": NULLABLE_TIME,
            "revoked_at": NULLABLE_TIME,
        },
    },
    "WebhookEndpoint": {
        "type": "object",
        "required": ["id", "url", "removed"],
        "properties": {
            "id": {"type": "integer"},
            "url": {"type": "string"},
            "events": {"type": ["array", "null"], "items": {"type": "string"}},
            "removed": {"type": "boolean"},
            "pending": {"type": "integer"},
            "delivered": {"type": "integer"},
            "failed": {"type": "integer"},
        },
    },
    "WebhookDelivery": {
        "type": "object",
        "required": ["id", "event", "status", "attempts"],
        "properties": {
            "id": {"type": "integer"},
            "event": {"type": "string"},
            "msg_id": {"type": "string"},
            "status": {"type": "string", "enum": ["pending", "delivered", "failed", "cancelled"]},
            "attempts": {"type": "integer"},
            "last_status": {"type": ["integer", "null"]},
            "error": {"type": ["string", "null"]},
            "created_at": {"type": "string", "format": "date-time"},
            "next_attempt_at": {"type": "string", "format": "date-time"},
            "delivered_at": NULLABLE_TIME,
        },
    },
}


def _list(name: str, ref: str) -> dict[str, Any]:
    return json_doc(
        {
            "type": "object",
            "properties": {
                name: {"type": "array", "items": {"$ref": f"#/components/schemas/{ref}"}}
            },
        },
        name,
    )


SECTION = Section(
    key="integrations",
    title="console-nav-integrations",
    path="/integrations",
    role=Role.ADMIN,
    schemas=SCHEMAS,
    routes=(
        Route("GET", "/integrations", integrations_page, role=Role.ADMIN),
        Route("GET", "/integrations/webhooks/{endpoint_id}", deliveries_page, role=Role.ADMIN),
        Route(
            "GET",
            "/api/api-keys",
            list_keys,
            role=Role.ADMIN,
            doc={
                "operationId": "listApiKeys",
                "summary": "API keys by prefix, with when made and last used (never secrets)",
                "responses": {"200": _list("keys", "ApiKey")},
            },
        ),
        Route(
            "POST",
            "/api/api-keys",
            create_key,
            role=Role.ADMIN,
            doc=_write(
                "createApiKey",
                "A new API key; its secret is in this answer only (a retry has key null)",
                [],
                "201",
                _json_body(
                    {"name": TEXT64, "location": OPTIONAL64},
                    ["name"],
                ),
            ),
        ),
        Route(
            "POST",
            "/api/api-keys/{prefix}/revoke",
            revoke_key,
            role=Role.ADMIN,
            doc=_write(
                "revokeApiKey",
                "Stop an API key at once",
                [
                    {
                        "name": "prefix",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "pattern": "^[0-9a-f]{8}$"},
                    }
                ],
                "200",
            ),
        ),
        Route(
            "GET",
            "/api/webhooks",
            list_endpoints,
            role=Role.ADMIN,
            doc={
                "operationId": "listWebhooks",
                "summary": "Webhook endpoints with their delivery counts",
                "responses": {"200": _list("endpoints", "WebhookEndpoint")},
            },
        ),
        Route(
            "POST",
            "/api/webhooks",
            add_endpoint,
            role=Role.ADMIN,
            doc=_write(
                "addWebhook",
                "Register an endpoint (URL checked); its signing secret is shown once",
                [],
                "201",
                _json_body(
                    {
                        "url": {
                            "type": "string",
                            "minLength": 1,
                            "maxLength": MAX_URL,
                            "pattern": TEXT_PATTERN,
                        },
                        "events": {
                            "type": ["string", "null"],
                            "maxLength": 1024,
                            "pattern": EVENTS_PATTERN,
                            "description": "comma-separated event types; empty: all",
                        },
                    },
                    ["url"],
                ),
            ),
        ),
        Route(
            "POST",
            "/api/webhooks/{endpoint_id}/disable",
            disable_endpoint,
            role=Role.ADMIN,
            doc=_write(
                "disableWebhook",
                "Stop sending to an endpoint (pending deliveries cancelled)",
                [_path_id("endpoint_id")],
                "200",
            ),
        ),
        Route(
            "GET",
            "/api/webhooks/{endpoint_id}/deliveries",
            get_deliveries,
            role=Role.ADMIN,
            doc={
                "operationId": "listWebhookDeliveries",
                "summary": "An endpoint's deliveries, newest first (keyset: before=<id>)",
                "parameters": [
                    _path_id("endpoint_id"),
                    {
                        "name": "before",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": SAFE_MAX},
                    },
                    {
                        "name": "limit",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 200},
                    },
                ],
                "responses": {
                    "200": json_doc(
                        {
                            "type": "object",
                            "properties": {
                                "endpoint": {"$ref": "#/components/schemas/WebhookEndpoint"},
                                "deliveries": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/WebhookDelivery"},
                                },
                                "next": {"type": ["integer", "null"]},
                            },
                        },
                        "the log",
                    ),
                    "404": ERROR,
                    "422": ERROR,
                },
            },
        ),
        Route(
            "POST",
            "/api/webhooks/deliveries/{delivery_id}/resend",
            resend,
            role=Role.ADMIN,
            doc=_write(
                "resendWebhookDelivery",
                "Queue a delivery again (queued: false when it was queued already)",
                [_path_id("delivery_id")],
                "200",
            ),
        ),
    ),
)
