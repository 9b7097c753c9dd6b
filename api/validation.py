"""Reading requests strictly: a body that is not exactly what the OpenAPI document says is
refused before anything is looked up or written.

Malformed JSON or a body that is not an object → 400 ``invalid_json``; a missing field, a
wrong type (a fraction or a string where an integer belongs, ``true`` for a number), an
out-of-range value or an unknown field → 422 ``invalid_field`` naming the field.

Text is checked once, here, wherever it enters: every string of a JSON body (keys
included) by :func:`read_json`, every path and query parameter by :func:`input_middleware`.
A control character (NUL breaks PostgreSQL) or a lone surrogate (not encodable as UTF-8)
is 422 ``invalid_field`` with reason ``invalid-characters`` before anything is looked up.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiohttp import web

from api.errors import ApiError

IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_IDEMPOTENCY_KEY = 80
_KEY_CHARS = re.compile(r"^[\x21-\x7e]+$")
MAX_TEXT = 64
MAX_ITEMS = 200
MAX_QUANTITY = 100_000
MAX_SAFE_INTEGER = 2**53 - 1
"""The largest integer every JSON reader holds exactly (the document's ``maximum``)."""
MAX_STORED_INTEGER = 2**63 - 1
"""The largest id a BIGINT column holds (SQLite and PostgreSQL alike)."""
_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")


async def read_json(request: web.Request, limit: int) -> dict[str, Any]:
    """The body as a JSON object, at most ``limit`` bytes (413 ``payload_too_large``)."""
    if request.content_length is not None and request.content_length > limit:
        raise ApiError(413, "payload_too_large", limit=limit)
    raw = bytearray()
    async for chunk in request.content.iter_chunked(16 * 1024):
        raw += chunk
        if len(raw) > limit:
            raise ApiError(413, "payload_too_large", limit=limit)
    return parse_object(bytes(raw))


def parse_object(raw: bytes) -> dict[str, Any]:
    """``raw`` as a JSON object whose every string a database can hold, else 400/422."""
    try:
        body = json.loads(raw, parse_constant=_refuse_constant)
    except (ValueError, UnicodeDecodeError, RecursionError):  # [[[[… nested past the stack
        raise ApiError(400, "invalid_json") from None
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_json")
    if not _all_printable(body):
        _check_strings(body, "")  # again, naming the first bad field
    return body


def _all_printable(document: Any) -> bool:
    """The fast pass over every string (keys included), without building paths."""
    pending = [document]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            if not _printable(value):
                return False
        elif isinstance(value, dict):
            if not all(_printable(name) for name in value):
                return False
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return True


def _printable(value: str) -> bool:
    """No control characters (NUL, C0/C1) and no lone surrogates."""
    return value.isprintable() or all(unicodedata.category(ch) not in ("Cc", "Cs") for ch in value)


def check_text(value: str, field: str) -> str:
    """``value`` if it is text a database can hold, else 422 naming ``field``."""
    if not _printable(value):
        shown = field if _printable(field) else field.encode("ascii", "backslashreplace").decode()
        raise invalid(shown, "invalid-characters")
    return value


def _check_strings(document: Any, where: str) -> None:
    """Every string of a parsed JSON document, keys included (named by their path).

    Iterative: a body nested a thousand deep must not exhaust the stack.
    """
    pending = [(document, where)]
    while pending:
        value, path = pending.pop()
        if isinstance(value, str):
            check_text(value, path or "body")
        elif isinstance(value, dict):
            for name, inner in value.items():
                inner_path = f"{path}.{name}" if path else str(name)
                check_text(name, inner_path)
                pending.append((inner, inner_path))
        elif isinstance(value, list):
            pending.extend((inner, f"{path}[{i}]") for i, inner in enumerate(value))


@web.middleware
async def input_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Path and query parameters go through :func:`check_text` before any route sees them."""
    check_request_text(request)
    return await handler(request)


def check_request_text(request: web.Request) -> None:
    """Every path and query parameter (names too) through :func:`check_text`."""
    for name, value in request.match_info.items():
        check_text(value, name)
    for name, value in request.query.items():
        check_text(name, "query")
        check_text(value, name)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def invalid(field: str, reason: str) -> ApiError:
    return ApiError(422, "invalid_field", field=field, reason=reason)


def whole_number(
    value: str, field: str, *, minimum: int = 0, maximum: int = MAX_STORED_INTEGER
) -> int:
    """A path or query integer: ASCII digits only, within range, else 422 naming ``field``.

    ``int()`` alone would read ``"١"`` (Arabic-Indic one) or ``"１"`` (full width) as 1,
    and take signs, spaces and underscores; an id past a BIGINT fails in the database.
    """
    if not _ASCII_DIGITS.fullmatch(value):
        raise invalid(field, "not-an-integer")
    number = int(value)
    if not minimum <= number <= maximum:
        raise invalid(field, "out-of-range")
    return number


def only(body: Mapping[str, Any], allowed: set[str], where: str = "") -> None:
    """Refuse fields the API does not know (a typo in a POS would otherwise be silent)."""
    for name in body:
        if name not in allowed:
            raise invalid(where + name, "unknown")


def integer(
    body: Mapping[str, Any],
    name: str,
    *,
    minimum: int,
    maximum: int | None = None,
    default: int | None = None,
    where: str = "",
) -> int:
    value = body.get(name, default)
    if value is None:
        raise invalid(where + name, "required")
    if isinstance(value, float) and value.is_integer() and abs(value) <= MAX_SAFE_INTEGER:
        value = int(value)  # 100.0 is the integer 100 to JSON Schema; 12.5 is refused below
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid(where + name, "not-an-integer")
    if value < minimum or value > (MAX_SAFE_INTEGER if maximum is None else maximum):
        raise invalid(where + name, "out-of-range")
    return value


def text(
    body: Mapping[str, Any],
    name: str,
    *,
    required: bool = False,
    max_length: int = MAX_TEXT,
    where: str = "",
) -> str | None:
    if name not in body:
        if required:
            raise invalid(where + name, "required")
        return None
    value = body[name]
    if not isinstance(value, str):  # an explicit null too: the document says string
        raise invalid(where + name, "not-a-string")
    value = value.strip()
    if not value or len(value) > max_length:
        raise invalid(where + name, "length")
    return value


def obj(body: Mapping[str, Any], name: str) -> dict[str, Any]:
    value = body.get(name)
    if value is None:
        raise invalid(name, "required")
    if not isinstance(value, dict):
        raise invalid(name, "not-an-object")
    return value


def items(body: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Basket lines: ``[{sku?, category?, amount_minor, quantity?}]`` (line totals)."""
    value = body.get("items", [])
    if not isinstance(value, list):
        raise invalid("items", "not-a-list")
    if len(value) > MAX_ITEMS:
        raise invalid("items", "too-many")
    lines = []
    for i, line in enumerate(value):
        where = f"items[{i}]."
        if not isinstance(line, dict):
            raise invalid(f"items[{i}]", "not-an-object")
        only(line, {"sku", "category", "amount_minor", "quantity"}, where)
        lines.append(
            {
                "sku": text(line, "sku", where=where),
                "category": text(line, "category", where=where),
                "amount_minor": integer(line, "amount_minor", minimum=0, where=where),
                "quantity": integer(
                    line, "quantity", minimum=1, maximum=MAX_QUANTITY, default=1, where=where
                ),
            }
        )
    return lines


def idempotency_key(request: web.Request, fallback: str | None = None) -> str:
    """The ``Idempotency-Key`` header (1..80 visible ASCII characters), else ``fallback``."""
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        if fallback is None:
            raise ApiError(400, "idempotency_key_required")
        return fallback
    if not (0 < len(key) <= MAX_IDEMPOTENCY_KEY) or not _KEY_CHARS.match(key):
        raise ApiError(400, "invalid_idempotency_key", max_length=MAX_IDEMPOTENCY_KEY)
    return key
