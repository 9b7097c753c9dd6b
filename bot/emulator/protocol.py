"""Wire format of the Bot API: errors, responses and typed access to request parameters.

PTB sends parameters form-encoded (every non-string value JSON-dumped) or as multipart when it
uploads files; other clients may send a JSON body or a query string. `Params` hides those
differences so method handlers read typed values, and `ApiError` becomes exactly the error body
Telegram sends, because PTB picks its exception class (`BadRequest`, `Forbidden`, `RetryAfter`,
…) from the HTTP status and `parameters.retry_after`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

__all__ = ["ApiError", "Params", "Upload", "error_response", "ok_response"]

_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request: injected error",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request",
    429: "Too Many Requests: retry after {retry_after}",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


class ApiError(Exception):
    """A Bot API error answer; raised by method handlers, rendered by `error_response`."""

    def __init__(self, code: int, description: str | None = None, retry_after: int | None = None):
        if description is None:
            template = _DEFAULT_DESCRIPTIONS.get(code, "Error {code}")
            description = template.format(code=code, retry_after=retry_after)
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    @classmethod
    def bad_request(cls, what: str) -> ApiError:
        return cls(400, f"Bad Request: {what}")

    @classmethod
    def too_many(cls, retry_after: int) -> ApiError:
        return cls(429, f"Too Many Requests: retry after {retry_after}", retry_after)


def ok_response(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def error_response(error: ApiError) -> web.Response:
    body: dict[str, Any] = {
        "ok": False,
        "error_code": error.code,
        "description": error.description,
    }
    if error.retry_after is not None:
        body["parameters"] = {"retry_after": error.retry_after}
    return web.json_response(body, status=error.code)


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    filename: str | None
    content_type: str | None
    data: bytes


class Params:
    """Typed, Telegram-tolerant access to one request's parameters."""

    def __init__(self, values: dict[str, Any], files: dict[str, Upload] | None = None):
        self.values = values
        self.files = files or {}
        self.request: web.Request | None = None

    @classmethod
    async def read(cls, request: web.Request) -> Params:
        values: dict[str, Any] = dict(request.query)
        files: dict[str, Upload] = {}
        if request.can_read_body:
            if request.content_type == "application/json":
                try:
                    body = await request.json()
                except ValueError as exc:
                    raise ApiError.bad_request("can't parse JSON request body") from exc
                if isinstance(body, dict):
                    values.update(body)
            else:
                form = await request.post()
                for name, value in form.items():
                    if isinstance(value, web.FileField):
                        files[name] = Upload(value.filename, value.content_type, value.file.read())
                    else:
                        values[name] = value
        params = cls(values, files)
        params.request = request
        return params

    def __contains__(self, name: str) -> bool:
        return self.values.get(name) not in (None, "")

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def get_str(self, name: str, default: str | None = None) -> str | None:
        value = self.values.get(name)
        if value is None:
            return default
        return value if isinstance(value, str) else json.dumps(value)

    def get_int(self, name: str, default: int | None = None) -> int | None:
        value = self.values.get(name)
        if value in (None, ""):
            return default
        if isinstance(value, bool):
            raise ApiError.bad_request(f"invalid {name} specified")
        try:
            return int(value)
        except (TypeError, ValueError) as exc:
            raise ApiError.bad_request(f"invalid {name} specified") from exc

    def require_int(self, name: str) -> int:
        value = self.get_int(name)
        if value is None:
            raise ApiError.bad_request(f"{name} is empty")
        return value

    def get_float(self, name: str, default: float | None = None) -> float | None:
        value = self.values.get(name)
        if value in (None, ""):
            return default
        try:
            return float(value)
        except (TypeError, ValueError) as exc:
            raise ApiError.bad_request(f"invalid {name} specified") from exc

    def get_bool(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value in (None, ""):
            return default
        if isinstance(value, bool):
            return value
        return str(value).lower() in ("true", "1")

    def get_json(self, name: str) -> Any:
        """A structured parameter (reply_markup, scope, commands, …), decoded if sent as text."""
        value = self.values.get(name)
        if not isinstance(value, str):
            return value
        if value == "":
            return None
        try:
            return json.loads(value)
        except ValueError as exc:
            raise ApiError.bad_request(f"can't parse {name} JSON object") from exc

    def upload(self, name: str) -> Upload | None:
        """The uploaded file sent for `name`, directly or through an `attach://` reference."""
        if name in self.files:
            return self.files[name]
        value = self.values.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            attached = self.files.get(value.removeprefix("attach://"))
            if attached is None:
                raise ApiError.bad_request(f"file for {value} not found in the request")
            return attached
        return None
