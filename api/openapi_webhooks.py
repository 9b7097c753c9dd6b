"""The OpenAPI 3.1 ``webhooks`` section: what jifen POSTs to endpoints (models/webhooks.py).

Kept beside :mod:`api.openapi`, which adds it to the document. Each event's ``data`` is
listed here; ``tests/webhooks/test_openapi.py`` checks that every event type is documented
and that real bodies match their schema.
"""

from __future__ import annotations

from typing import Any

from models.delivery.webhooks import EVENT_TYPES, TEST_EVENT

_INT = {"type": "integer"}
_ID = {"type": "integer", "description": "jifen's id"}
_TEXT_OR_NULL = {"type": ["string", "null"]}
_WHEN = {"type": "string", "format": "date-time"}
_MEMBER = {"member_id": _ID}

DATA: dict[str, tuple[str, dict[str, Any]]] = {
    "member.joined": (
        "A member was created (first contact with the bot). No names or phone: ask "
        "GET /members/{ref} with the member code.",
        {**_MEMBER, "member_code": {"type": "string"}, "language": {"type": "string"}},
    ),
    "member.updated": (
        "Profile fields changed; `changed` names them (birthday, phone, language, "
        "marketing_opt_in, notifications_enabled, card, deleted), never their values.",
        {**_MEMBER, "changed": {"type": "array", "items": {"type": "string"}}},
    ),
    "purchase.recorded": (
        "A purchase was recorded and earned points.",
        {
            **_MEMBER,
            "member_code": {"type": "string"},
            "receipt_code": {"type": "string"},
            "order_id": _TEXT_OR_NULL,
            "amount_minor": _INT,
            "currency": {"type": "string"},
            "points": _INT,
            "balance": _INT,
            "location": _TEXT_OR_NULL,
            "channel": {"type": "string"},
        },
    ),
    "purchase.refunded": (
        "(Part of) a purchase was refunded and its points reversed proportionally.",
        {
            **_MEMBER,
            "receipt_code": {"type": "string"},
            "refund_id": _ID,
            "amount_minor": _INT,
            "refunded_total_minor": _INT,
            "currency": {"type": "string"},
            "points_reversed": _INT,
            "balance": _INT,
        },
    ),
    "points.adjusted": (
        "An admin adjusted the balance (points signed; the reason text is not sent).",
        {**_MEMBER, "entry_id": _ID, "points": _INT, "balance": _INT},
    ),
    "points.earned_by_event": (
        "An event another system reported (POST /events) earned points by its event rule.",
        {
            **_MEMBER,
            "member_code": {"type": "string"},
            "event_type": {"type": "string"},
            "event_id": {"type": "string", "description": "the reporting system's own id"},
            "entry_id": _ID,
            "points": _INT,
            "balance": _INT,
        },
    ),
    "points.expired": (
        "The expiry sweep expired a member's due points (one event per member and sweep).",
        {**_MEMBER, "entry_id": _ID, "points": _INT, "balance": _INT},
    ),
    "voucher.issued": (
        "A voucher was issued (a redemption or a claimed coupon). Never its token or code.",
        {
            **_MEMBER,
            "voucher_id": _ID,
            "reward_id": _ID,
            "cost_points": _INT,
            "valid_until": _WHEN,
        },
    ),
    "voucher.redeemed": (
        "A voucher was used at the till.",
        {
            **_MEMBER,
            "voucher_id": _ID,
            "reward_id": _ID,
            "cost_points": _INT,
            "valid_until": _WHEN,
            "location": _TEXT_OR_NULL,
        },
    ),
    "tier.changed": (
        "A member's tier changed: `reason` earn (upgrade at once) or review (monthly).",
        {
            **_MEMBER,
            "from": {"type": "string"},
            "to": {"type": "string"},
            "reason": {"type": "string", "enum": ["earn", "review"]},
        },
    ),
    TEST_EVENT: (
        "Sent by `jifen webhook test ID` to one endpoint.",
        {"endpoint_id": _ID},
    ),
}

HEADERS = {
    "webhook-id": "msg_…: the same on every retry of one event (deduplicate on it)",
    "webhook-timestamp": "Unix seconds of this attempt",
    "webhook-signature": "v1,<base64 HMAC-SHA256 of '{id}.{timestamp}.{body}' keyed with the "
    "base64-decoded part of the whsec_ secret>",
}


def event_schema(event_type: str) -> dict[str, Any]:
    """The JSON Schema of the whole body of ``event_type``."""
    _, data = DATA[event_type]
    return {
        "type": "object",
        "required": ["type", "timestamp", "data"],
        "properties": {
            "type": {"const": event_type},
            "timestamp": _WHEN,
            "data": {
                "type": "object",
                "required": sorted(data),
                "properties": data,
                "additionalProperties": False,
            },
        },
        "additionalProperties": False,
    }


def webhooks() -> dict[str, Any]:
    """One path item per event type, as OpenAPI 3.1 describes outgoing webhooks."""
    assert set(DATA) == {*EVENT_TYPES, TEST_EVENT}
    headers = [
        {
            "name": name,
            "in": "header",
            "required": True,
            "schema": {"type": "string"},
            "description": text,
        }
        for name, text in HEADERS.items()
    ]
    return {
        event_type: {
            "post": {
                "summary": event_type,
                "description": description
                + " Signed per Standard Webhooks; retried under the same webhook-id after"
                " 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h until a 2xx answer; events of"
                " one member arrive in order.",
                "security": [],
                "parameters": headers,
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": event_schema(event_type)}},
                },
                "responses": {"2XX": {"description": "received (any other answer is retried)"}},
            }
        }
        for event_type, (description, _) in DATA.items()
    }
