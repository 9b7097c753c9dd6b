"""The API's error shape: ``{"error": {"code", "message", ...details}}`` with its status.

``code`` is for machines and never changes; ``message`` is for the person reading a log
or a POS screen, in the language of ``Accept-Language`` (``locales/*/api.ftl``, key
``api-error-<code>``). Handlers raise :class:`ApiError`; the middleware renders it.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from locales import language_for, translator


class ApiError(Exception):
    """An HTTP answer other than success (an expected outcome, rendered by the middleware)."""

    def __init__(
        self,
        status: int,
        code: str,
        *,
        headers: dict[str, str] | None = None,
        **details: Any,
    ) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.details = details
        self.headers = headers or {}


def message_key(code: str) -> str:
    return f"api-error-{code.replace('_', '-')}"


STATUS_CODES: dict[int, str] = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    500: "internal_error",
}
"""Codes of errors raised by aiohttp itself (unknown route, wrong method, …)."""

CODES: tuple[str, ...] = (
    *STATUS_CODES.values(),
    *("unauthorized", "invalid_key", "rate_limited", "too_many_failures"),  # api.auth
    *("invalid_json", "invalid_field", "payload_too_large"),  # api.validation
    *("idempotency_key_required", "invalid_idempotency_key"),
    *("idempotency_conflict", "request_in_progress"),  # api.idempotency
    *("location_mismatch", "member_deleted", "phone_taken", "invalid_period"),
    *("invalid_amount", "unknown_currency", "amount_too_large", "below_minimum_purchase"),
    *("member_not_found", "ambiguous_member", "purchase_not_found", "ambiguous_order"),
    *("refund_exceeds_purchase", "voucher_not_found", "already_used", "expired", "voided"),
)
"""Every ``code`` ``/api/v1`` answers with (``tests/test_runtime_locale_keys.py`` checks
that each ``ApiError`` its modules raise uses one, and that each has its sentence)."""
LOCALE_KEYS = tuple(message_key(code) for code in CODES)


def request_language(request: web.Request) -> str:
    """The first language of ``Accept-Language`` we speak (``zh*`` → zh-Hans), else en."""
    header = request.headers.get("Accept-Language", "")
    for part in header.split(","):
        tag = part.split(";", 1)[0].strip()
        if tag.lower().startswith(("zh", "en")):
            return language_for(tag)
    return "en"


def message(code: str, language: str, details: dict[str, Any]) -> str:
    args = {k: v for k, v in details.items() if isinstance(v, str | int)}
    return translator(language)(message_key(code), **args)


def error_response(request: web.Request, error: ApiError) -> web.Response:
    body = {
        "error": {
            "code": error.code,
            "message": message(error.code, request_language(request), error.details),
            **error.details,
        }
    }
    return web.json_response(body, status=error.status, headers=error.headers)
