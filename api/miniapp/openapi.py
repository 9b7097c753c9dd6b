"""The Mini App's JSON endpoints as OpenAPI 3.1 (``GET /app/api/openapi.json``).

``tests/miniapp/test_schemathesis.py`` holds the app to it: every answer (errors and
``null`` fields included) matches, and nothing the document allows is called malformed.
Request bodies are read by :mod:`api.validation`, so text fields share ``/api/v1``'s
pattern (no control characters, not only spaces).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from api.openapi import PRINTABLE_PATTERN, SAFE_MAX, TEXT_PATTERN
from api.validation import MAX_STORED_INTEGER, MAX_TEXT

_ERROR = {"$ref": "#/components/schemas/Error"}
_INT = {"type": "integer"}
_STR = {"type": "string"}
_NULLABLE_STR = {"type": ["string", "null"]}
_ID = {"type": "integer", "minimum": 1, "maximum": MAX_STORED_INTEGER}
_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": True,
    "description": "one per confirmation screen: a retry answers the first result "
    "(replayed: true); the same key with another request is 409 idempotency_conflict "
    "and writes nothing",
    "schema": {"type": "string", "pattern": "^[A-Za-z0-9_.:-]{8,64}$"},
}


def _text(max_length: int) -> dict[str, Any]:
    return {"type": "string", "minLength": 1, "maxLength": max_length, "pattern": TEXT_PATTERN}


def _obj(required: list[str] | None = None, **props: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": props}
    if required:
        schema["required"] = required
    return schema


_LINES = {
    "type": "array",
    "items": {"type": "string"},
    "description": "a line per stamp card the purchase stamps (also at the end of text)",
}


def _body(required: list[str], **props: Any) -> dict[str, Any]:
    """A request body: exactly these fields (an unknown one is 422 invalid_field)."""
    return {**_obj(required, **props), "additionalProperties": False}


_ERRORS = {
    400: "invalid_json: the body is not a JSON object",
    401: "init_data_missing, init_data_invalid or init_data_expired",
    403: "staff_only",
    404: "not_a_member, unknown_code, reward_unavailable, ...",
    409: "a refusal of the store (insufficient_points, out_of_stock, already_used, ...)",
    413: "too_large: the body is larger than 4 KiB",
    422: "invalid_field (with field and reason), below_minimum, amount_too_large, ...",
    429: "rate_limited (see Retry-After)",
}


def _error(status: int, *, keyed: bool = False) -> dict[str, Any]:
    description = _ERRORS.get(status, "error")
    if keyed and status == 409:
        description += "; idempotency_conflict: the Idempotency-Key was used for another request"
    return {"description": description, "content": {"application/json": {"schema": _ERROR}}}


def _op(
    summary: str,
    ok: dict[str, Any],
    *,
    errors: tuple[int, ...] = (401, 429),
    body: dict[str, Any] | None = None,
    params: list[dict[str, Any]] | None = None,
    public: bool = False,
) -> dict[str, Any]:
    responses: dict[str, Any] = {
        "200": {"description": "OK", "content": {"application/json": {"schema": ok}}}
    }
    keyed = any(p.get("name") == _KEY["name"] for p in params or ())
    for status in (*errors, *((400, 413) if body is not None else ())):
        responses[str(status)] = _error(status, keyed=keyed)
    op: dict[str, Any] = {"summary": summary, "responses": responses}
    if public:
        op["security"] = []
    if body is not None:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": body}},
        }
    if params:
        op["parameters"] = params
    return op


_TIER = _obj(
    key=_STR,
    name=_STR,
    next={"type": ["object", "null"]},
    qualifying=_INT,
    needed=_INT,
    basis={"enum": ["points", "spend"]},
    percent=_INT,
    text=_STR,
)
_LINE = _obj(
    kind=_STR,
    points=_INT,
    balance_after=_INT,
    at=_STR,
    date=_STR,
    receipt={**_NULLABLE_STR, "description": "the purchase's receipt code; null for others"},
    text=_STR,
)
_VOUCHER = _obj(
    code=_STR,
    status=_STR,
    reward=_STR,
    cost_points=_INT,
    valid_until=_STR,
    until=_STR,
    redeemed_at=_NULLABLE_STR,
    qr={**_NULLABLE_STR, "description": "SVG data URI; null unless the voucher is usable"},
    link=_STR,
)
_ME = _obj(
    ["balance", "tier", "card"],
    member=_obj(code=_STR, name=_STR),
    balance=_INT,
    tier=_TIER,
    card=_obj(payload=_STR, link=_STR, qr={"type": "string", "description": "SVG data URI"}),
    expiring={"type": ["object", "null"]},
    history={"type": "array", "items": _LINE},
    tier_up={
        "type": ["object", "null"],
        "description": "a tier reached since the last view, shown once (null after)",
        "properties": {
            "tier": _STR,
            "name": _STR,
            "perks": {"type": "array", "items": _STR},
            "text": _STR,
        },
    },
    stamps={
        "type": "array",
        "description": "stamp cards: draw `needed` cups, the first `stamps` of them filled",
        "items": _obj(
            name=_STR, icon=_STR, stamps=_INT, needed=_INT, ready={"type": ["string", "null"]}
        ),
    },
)
_PURCHASE = _body(
    ["member", "amount_minor"],
    member={**_text(64), "description": "member code or card payload (m-…)"},
    amount_minor={"type": "integer", "minimum": 1, "maximum": SAFE_MAX},
    category={
        "type": ["string", "null"],
        "minLength": 1,
        "maxLength": MAX_TEXT,
        "pattern": TEXT_PATTERN,
        "description": "one of the shop's categories with a multiplier (422 otherwise)",
    },
)
_REWARD_ID = {"name": "reward_id", "in": "path", "required": True, "schema": _ID}
_STAFF_ERRORS = (401, 403, 404, 409, 422, 429)


@cache
def document() -> dict[str, Any]:
    """The whole document (static: built once)."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "jifen Mini App",
            "version": "1",
            "description": "JSON behind the Telegram Mini App. Authenticate with "
            "`Authorization: tma <initData>` (Telegram's signed launch data, younger than "
            "miniapp.max_age_seconds). Errors: {error: {code, message}}; message in the "
            "caller's language.",
        },
        "servers": [{"url": "/app/api"}],
        "security": [{"tma": []}],
        "components": {
            "securitySchemes": {"tma": {"type": "apiKey", "in": "header", "name": "Authorization"}},
            "schemas": {
                "Error": _obj(["error"], error=_obj(["code", "message"], code=_STR, message=_STR))
            },
        },
        "paths": {
            "/texts": {
                "get": _op(
                    "the page's sentences in a language",
                    _obj(language=_STR, texts={"type": "object"}),
                    errors=(422,),
                    public=True,
                    params=[
                        {
                            "name": "lang",
                            "in": "query",
                            "schema": {"type": "string", "pattern": PRINTABLE_PATTERN},
                        }
                    ],
                )
            },
            "/session": {
                "get": _op(
                    "who is calling: language, membership, staff role, the page's texts",
                    _obj(user_id=_INT, language=_STR, member={"type": "boolean"}),
                )
            },
            "/me": {
                "get": _op(
                    "the member's card, balance, tier progress, expiring points, history",
                    _ME,
                    errors=(401, 404, 429),
                )
            },
            "/history": {
                "get": _op(
                    "the member's journal, newest first",
                    _obj(page=_INT, pages=_INT, lines={"type": "array", "items": _LINE}),
                    errors=(401, 404, 422, 429),
                    params=[
                        {
                            "name": "page",
                            "in": "query",
                            "schema": {
                                "type": "integer",
                                "minimum": 0,
                                "maximum": MAX_STORED_INTEGER,
                            },
                        }
                    ],
                )
            },
            "/rewards": {
                "get": _op(
                    "the catalogue the member may see",
                    _obj(balance=_INT, rewards={"type": "array"}),
                    errors=(401, 404, 429),
                )
            },
            "/rewards/{reward_id}/photo": {
                "get": {
                    "summary": "a reward's photo",
                    "security": [],
                    "parameters": [_REWARD_ID],
                    "responses": {
                        "200": {"description": "image", "content": {"image/*": {}}},
                        "404": {"description": "no photo"},
                    },
                }
            },
            "/rewards/{reward_id}/redeem": {
                "post": _op(
                    "spend points on a reward: a voucher with its QR",
                    _obj(replayed={"type": "boolean"}, balance=_INT, voucher=_VOUCHER),
                    errors=(401, 404, 409, 422, 429),
                    params=[_REWARD_ID, _KEY],
                )
            },
            "/vouchers": {
                "get": _op(
                    "the member's vouchers",
                    _obj(
                        active={"type": "array", "items": _VOUCHER},
                        used={"type": "array", "items": _VOUCHER},
                        expired={"type": "array", "items": _VOUCHER},
                    ),
                    errors=(401, 404, 429),
                )
            },
            "/scan": {
                "post": _op(
                    "staff: what a scanned or typed code is (changes nothing)",
                    _obj(["kind"], kind={"enum": ["member", "voucher"]}),
                    errors=_STAFF_ERRORS,
                    body=_body(["text"], text=_text(512)),
                )
            },
            "/scan/photo": {
                "post": {
                    "summary": "staff: what the QR code in a picture is (changes nothing)",
                    "requestBody": {"required": True, "content": {"image/*": {}}},
                    "responses": {
                        "200": {
                            "description": "as /scan",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        },
                        **{str(status): _error(status) for status in (*_STAFF_ERRORS, 413)},
                    },
                }
            },
            "/purchases/quote": {
                "post": _op(
                    "staff: the points a purchase would earn now (changes nothing)",
                    _obj(points=_INT, text=_STR, breakdown=_STR, stamps=_LINES),
                    errors=_STAFF_ERRORS,
                    body=_PURCHASE,
                )
            },
            "/purchases": {
                "post": _op(
                    "staff: record a purchase; the member gets a receipt in chat",
                    _obj(
                        ["replayed", "receipt_code", "points"],
                        replayed={"type": "boolean"},
                        receipt_code=_STR,
                        points=_INT,
                        balance=_INT,
                        text=_STR,
                        stamps=_LINES,
                    ),
                    errors=_STAFF_ERRORS,
                    body=_PURCHASE,
                    params=[_KEY],
                )
            },
            "/vouchers/redeem": {
                "post": _op(
                    "staff: use a voucher (exactly one of simultaneous attempts wins; "
                    "409 already_used / expired / voided)",
                    _obj(redeemed={"type": "boolean"}, voucher={"type": "object"}),
                    errors=_STAFF_ERRORS,
                    body=_body(["voucher"], voucher=_text(512)),
                )
            },
        },
    }
