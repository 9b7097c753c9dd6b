"""The OpenAPI 3.1 document of ``/api/v1``, written by hand next to the routes.

``tests/api/test_openapi.py`` checks that every route the app serves is documented
(and nothing else), so the two cannot drift apart unnoticed.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from models.ledger.config import EVENT_TYPE_PATTERN

JSON = "application/json"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return _json(_ref("Error"), description)


_PRINTABLE = r"[^\u0000-\u001f\u007f-\u009f]"
TEXT_PATTERN = rf"^{_PRINTABLE}*[^\s\u0000-\u001f\u007f-\u009f]{_PRINTABLE}*$"
PRINTABLE_PATTERN = rf"^{_PRINTABLE}*$"
"""Text fields: no control characters (``api.validation.check_text``), not only spaces."""


def _string(max_length: int = 64, **extra: Any) -> dict[str, Any]:
    return {
        "type": "string",
        "minLength": 1,
        "maxLength": max_length,
        "pattern": TEXT_PATTERN,
        **extra,
    }


SAFE_MAX = 2**53 - 1
MINOR = {
    "type": "integer",
    "minimum": 1,
    "maximum": SAFE_MAX,
    "description": "integer minor units (fen, cents)",
}
NULLABLE_TEXT = {"type": ["string", "null"]}
WHEN = {"type": "string", "format": "date-time"}
STAMPS = {
    "type": "array",
    "description": "stamp cards this purchase stamped (a refund: took back, negative added)",
    "items": {
        "type": "object",
        "properties": {
            "card_type_id": {"type": "integer"},
            "added": {"type": "integer"},
            "stamps": {"type": "integer", "description": "on the member's card now"},
            "needed": {"type": "integer"},
            "filled": {"type": "integer", "description": "cards this purchase filled"},
            "voucher_codes": {"type": "array", "items": {"type": "string"}},
            "points": {"type": "integer"},
        },
    },
}
IDEMPOTENCY = {
    "name": "Idempotency-Key",
    "in": "header",
    "schema": _string(80, pattern=r"^[\x21-\x7e]+$"),
    "description": "A retry with the same key returns the first answer (200, header "
    "Idempotent-Replayed: true); the same key with another body is 409. Keys are "
    "scoped per API key.",
}


def _optional_key(default: str) -> dict[str, Any]:
    """The Idempotency-Key of a write whose body names its own default key."""
    return {
        **IDEMPOTENCY,
        "description": IDEMPOTENCY["description"] + f" Optional here: defaults to {default}.",
    }


AUTH_ERRORS = {
    "401": _error("missing, malformed, unknown or revoked API key"),
    "429": _error(
        "rate_limited (per key) or too_many_failures (failed authentication from this "
        "address); see Retry-After"
    ),
}
TEXT_ERRORS = {"422": _error("invalid_field: a control character in a path or query value")}
WRITE_ERRORS = {
    **AUTH_ERRORS,
    "400": _error("malformed JSON, missing or invalid Idempotency-Key"),
    "403": _error("location_mismatch: the key is bound to another location"),
    "409": _error("idempotency_conflict or request_in_progress"),
    "413": _error("body larger than the limit"),
    "422": _error("invalid_field, invalid_amount, unknown_currency, ..."),
}

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string", "description": "machine-readable, stable"},
                    "message": {"type": "string", "description": "by Accept-Language"},
                },
                "additionalProperties": True,
            }
        },
    },
    "MemberRef": {
        "type": "object",
        "properties": {"code": _string(), "phone": _string(), "card_token": _string()},
        "minProperties": 1,
        "maxProperties": 1,
        "additionalProperties": False,
    },
    "Item": {
        "type": "object",
        "required": ["amount_minor"],
        "properties": {
            "sku": _string(),
            "category": _string(),
            "amount_minor": {
                "type": "integer",
                "minimum": 0,
                "maximum": SAFE_MAX,
                "description": "line total",
            },
            "quantity": {"type": "integer", "minimum": 1, "maximum": 100_000, "default": 1},
        },
        "additionalProperties": False,
    },
    "PurchaseRequest": {
        "type": "object",
        "required": ["member", "amount_minor", "currency", "order_id"],
        "properties": {
            "member": _ref("MemberRef"),
            "amount_minor": MINOR,
            "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
            "order_id": _string(),
            "category": _string(),
            "items": {"type": "array", "items": _ref("Item"), "maxItems": 200},
            "location": _string(
                description="a key bound to a location records there; naming another is 403"
            ),
        },
        "additionalProperties": False,
    },
    "EventRequest": {
        "type": "object",
        "required": ["member", "type", "id"],
        "properties": {
            "member": _ref("MemberRef"),
            "type": {
                "type": "string",
                "pattern": EVENT_TYPE_PATTERN,
                "description": "what happened, e.g. review.written; priced by the event rule "
                "of that name",
            },
            "id": _string(description="your id of the event: it earns once per API key"),
            "data": {
                "type": "object",
                "description": "what you want kept with it: a flat object of texts, integers, "
                "booleans and nulls",
                "maxProperties": 50,
                "propertyNames": {"maxLength": 64, "pattern": PRINTABLE_PATTERN},
                "additionalProperties": {
                    "type": ["string", "integer", "boolean", "null"],
                    "maxLength": 1000,
                    "pattern": PRINTABLE_PATTERN,
                    "maximum": SAFE_MAX,
                    "minimum": -SAFE_MAX,
                },
            },
        },
        "additionalProperties": False,
    },
    "Event": {
        "type": "object",
        "properties": {
            "status": {
                "enum": ["awarded", "no_rule", "capped"],
                "description": "no_rule: stored, no rule prices the type (yet); capped: "
                "the member's caps for the type are reached",
            },
            "type": {"type": "string"},
            "id": {"type": "string"},
            "member": {
                "type": "object",
                "properties": {"code": {"type": "string"}, "name": {"type": "string"}},
            },
            "points": {"type": "integer"},
            "balance": {"type": ["integer", "null"], "description": "null unless awarded"},
        },
    },
    "Member": {
        "type": "object",
        "properties": {
            "code": {"type": "string"},
            "name": {"type": "string"},
            "tier": {
                "type": "object",
                "properties": {"key": {"type": "string"}, "name": {"type": "string"}},
            },
            "balance": {"type": "integer"},
            "expiring_soon": {
                "type": ["object", "null"],
                "properties": {"points": {"type": "integer"}, "on": WHEN},
            },
        },
    },
    "Purchase": {
        "type": "object",
        "properties": {
            "receipt_code": {"type": "string"},
            "order_id": {"type": "string"},
            "member": {
                "type": "object",
                "properties": {"code": {"type": "string"}, "name": {"type": "string"}},
            },
            "amount_minor": {"type": "integer"},
            "currency": {"type": "string"},
            "location": NULLABLE_TEXT,
            "points": {"type": "integer"},
            "balance": {"type": "integer"},
            "tier": {"type": "string"},
            "upgraded_to": NULLABLE_TEXT,
            "breakdown": {"type": "object", "description": "lines, factors, rounding, cap"},
            "stamps": STAMPS,
        },
    },
    "RefundRequest": {
        "type": "object",
        "required": ["amount_minor"],
        "properties": {"receipt_code": _string(32), "order_id": _string(), "amount_minor": MINOR},
        "description": "exactly one of receipt_code and order_id",
        "oneOf": [{"required": ["receipt_code"]}, {"required": ["order_id"]}],
        "additionalProperties": False,
    },
    "Refund": {
        "type": "object",
        "properties": {
            name: {"type": "integer"}
            for name in (
                "refund_id",
                "amount_minor",
                "refunded_minor_total",
                "refundable_minor",
                "points_due",
                "points_reversed",
                "balance",
            )
        }
        | {
            "receipt_code": {"type": "string"},
            "order_id": NULLABLE_TEXT,
            "currency": {"type": "string"},
            "stamps": STAMPS,
        },
    },
    "Voucher": {
        "type": "object",
        "properties": {
            "code": {"type": "string"},
            "status": {"enum": ["issued", "redeemed", "expired", "voided"]},
            "redeemable": {"type": "boolean"},
            "reward": {
                "type": "object",
                "properties": {
                    "id": {"type": ["integer", "null"]},
                    "name": {"type": "string"},
                    "cost_points": {"type": "integer"},
                },
            },
            "member": {"type": ["object", "null"]},
            "issued_at": WHEN,
            "valid_until": WHEN,
            "redeemed_at": {"type": ["string", "null"], "format": "date-time"},
            "redeemed_channel": NULLABLE_TEXT,
            "redeemed_location": NULLABLE_TEXT,
        },
    },
    "RedeemRequest": {
        "type": "object",
        "properties": {"location": _string()},
        "additionalProperties": False,
    },
    "EnrolRequest": {
        "type": "object",
        "properties": {
            "external_id": _string(description="the member's id in your system"),
            "phone": _string(
                32, description="E.164, or local to the shop's country (members.default_country)"
            ),
            "name": _string(128),
            "language": {"enum": ["en", "zh-Hans"]},
            "birthday": {"type": "string", "format": "date", "description": "YYYY-MM-DD, past"},
        },
        "description": "at least one of external_id and phone",
        "anyOf": [{"required": ["external_id"]}, {"required": ["phone"]}],
        "additionalProperties": False,
    },
    "Enrolment": {
        "type": "object",
        "properties": {
            "code": {"type": "string", "description": "the member code, for /purchases"},
            "external_id": NULLABLE_TEXT,
            "name": {"type": "string"},
            "phone": NULLABLE_TEXT,
            "created": {"type": "boolean"},
            "telegram_linked": {"type": "boolean"},
            "join_token": {
                "type": ["string", "null"],
                "description": "one-time; null once a Telegram account is linked",
            },
            "join_link": {
                "type": ["string", "null"],
                "description": "https://t.me/<bot>?start=j-<join_token>: opening it in "
                "Telegram links that account to this member",
            },
            "balance": {"type": "integer"},
            "tier": {"type": "string"},
        },
    },
    "Summary": {
        "type": "object",
        "description": "models.reports.summary.Report: figures are {current, previous, "
        "change_percent}, money in *_minor with the top-level currency, rates as decimal "
        "strings",
    },
}


def _path_param(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "string", "minLength": 1, "pattern": PRINTABLE_PATTERN},
        "description": description,
    }


def _paths() -> dict[str, Any]:
    voucher_ref = _path_param("ref", "voucher code (K7QM-4PXD) or QR token (v-… or bare)")
    return {
        "/purchases": {
            "post": {
                "operationId": "recordPurchase",
                "summary": "Record a purchase and award its points",
                "parameters": [_optional_key("the order_id")],
                "requestBody": {
                    "required": True,
                    "content": {JSON: {"schema": _ref("PurchaseRequest")}},
                },
                "responses": {
                    "201": _json(_ref("Purchase"), "recorded"),
                    "200": _json(_ref("Purchase"), "a replay of the first answer"),
                    "404": _error("member_not_found"),
                    **WRITE_ERRORS,
                },
            }
        },
        "/refunds": {
            "post": {
                "operationId": "refundPurchase",
                "summary": "Refund (part of) a purchase; points reversed proportionally",
                "parameters": [{**IDEMPOTENCY, "required": True}],
                "requestBody": {
                    "required": True,
                    "content": {JSON: {"schema": _ref("RefundRequest")}},
                },
                "responses": {
                    "201": _json(_ref("Refund"), "refunded"),
                    "200": _json(_ref("Refund"), "a replay of the first answer"),
                    "404": _error("purchase_not_found"),
                    **WRITE_ERRORS,
                    "422": _error("refund_exceeds_purchase (with refundable_minor), invalid_field"),
                },
            }
        },
        "/events": {
            "post": {
                "operationId": "recordEvent",
                "summary": "Report what a member did elsewhere (a review, a class); points "
                "by its event rule",
                "parameters": [_optional_key("the event id")],
                "requestBody": {
                    "required": True,
                    "content": {JSON: {"schema": _ref("EventRequest")}},
                },
                "responses": {
                    "201": _json(_ref("Event"), "awarded"),
                    "202": _json(_ref("Event"), "stored, nothing awarded (no_rule, capped)"),
                    "200": _json(_ref("Event"), "a replay of the first answer"),
                    "404": _error("member_not_found"),
                    **WRITE_ERRORS,
                },
            }
        },
        "/members": {
            "post": {
                "operationId": "enrolMember",
                "summary": "Find (by external_id, else phone) or create a member; a join link",
                "parameters": [{**IDEMPOTENCY, "required": True}],
                "requestBody": {
                    "required": True,
                    "content": {JSON: {"schema": _ref("EnrolRequest")}},
                },
                "responses": {
                    "201": _json(_ref("Enrolment"), "created"),
                    "200": _json(_ref("Enrolment"), "found, or a replay of the first answer"),
                    **WRITE_ERRORS,
                    "409": _error(
                        "phone_taken (with member_code), member_deleted, idempotency_conflict"
                    ),
                    "422": _error("invalid_field"),
                },
            }
        },
        "/members/{ref}": {
            "get": {
                "operationId": "getMember",
                "summary": "A member by code, phone or card token",
                "parameters": [_path_param("ref", "member code, phone number or card token")],
                "responses": {
                    "200": _json(_ref("Member"), "the member"),
                    "404": _error("member_not_found"),
                    "409": _error(
                        "ambiguous_member: several members' phones end in these digits "
                        "(nobody is named); send the member code or the full number"
                    ),
                    **TEXT_ERRORS,
                    **AUTH_ERRORS,
                },
            }
        },
        "/vouchers/{ref}": {
            "get": {
                "operationId": "getVoucher",
                "summary": "Validate a voucher (changes nothing)",
                "parameters": [voucher_ref],
                "responses": {
                    "200": _json(_ref("Voucher"), "the voucher and whether it is redeemable"),
                    "404": _error("voucher_not_found"),
                    **TEXT_ERRORS,
                    **AUTH_ERRORS,
                },
            }
        },
        "/vouchers/{ref}/redeem": {
            "post": {
                "operationId": "redeemVoucher",
                "summary": "Use a voucher: of simultaneous calls exactly one wins",
                "parameters": [voucher_ref, {**IDEMPOTENCY, "required": True}],
                "requestBody": {
                    "required": False,
                    "content": {JSON: {"schema": _ref("RedeemRequest")}},
                },
                "responses": {
                    "200": _json(_ref("Voucher"), "redeemed now (or a replay)"),
                    "404": _error("voucher_not_found"),
                    **WRITE_ERRORS,
                    "409": _error(
                        "already_used (with at, by, channel, location), "
                        "idempotency_conflict, request_in_progress"
                    ),
                    "410": _error("expired (with on) or voided (with at)"),
                },
            }
        },
        "/reports/summary": {
            "get": {
                "operationId": "getSummary",
                "summary": "The /report figures",
                "parameters": [
                    {
                        "name": "period",
                        "in": "query",
                        "schema": {"type": "string", "default": "7d", "pattern": PRINTABLE_PATTERN},
                        "description": "today, yesterday, Nd, month, last-month or "
                        "YYYY-MM-DD..YYYY-MM-DD",
                    },
                    {"name": "location", "in": "query", "schema": _string()},
                ],
                "responses": {
                    "200": _json(_ref("Summary"), "the report"),
                    "403": _error("location_mismatch"),
                    "422": _error("invalid_period, invalid_field"),
                    **AUTH_ERRORS,
                },
            }
        },
        "/openapi.json": {
            "get": {
                "operationId": "getOpenApi",
                "summary": "This document",
                "security": [],
                "responses": {"200": {"description": "OpenAPI 3.1", "content": {JSON: {}}}},
            }
        },
        "/healthz": {
            "get": {
                "operationId": "getHealth",
                "summary": "Up, and the database answers",
                "security": [],
                "responses": {"200": {"description": "ok", "content": {JSON: {}}}},
            }
        },
    }


def _webhooks() -> dict[str, Any]:
    from api.openapi_webhooks import webhooks  # what jifen POSTs out (Standard Webhooks)

    return webhooks()


@cache
def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "jifen HTTP API",
            "version": "1",
            "description": "Loyalty points for a shop's POS or web shop. Money is integer "
            "minor units plus a currency code, points are integers. Errors are "
            '{"error": {"code", "message", ...}}.',
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"apiKey": []}],
        "paths": _paths(),
        "webhooks": _webhooks(),
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "apiKey": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "jf_<prefix>_<secret>, from `jifen apikey create`",
                }
            },
        },
    }
