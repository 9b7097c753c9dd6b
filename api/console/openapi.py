"""The console API's OpenAPI 3.1 document, assembled from the routes' own ``doc``.

Every ``/api/`` route of every section carries its operation, so a section documents
itself and ``tests/console`` checks that the document and the served routes agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from api.console.common import API, PREFIX, Route, Section
from api.console.session import SESSION_SCHEMA

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
        }
    },
}
COMMON_RESPONSES = {
    "403": {"$ref": "#/components/responses/Error"},
}
CSRF = {
    "name": "X-CSRF-Token",
    "in": "header",
    "schema": {"type": "string", "maxLength": 128},
    "description": "with a session cookie: the csrf_token of GET /console/api/session",
}


def _operation(route: Route) -> dict[str, Any]:
    doc = dict(route.doc or {})
    responses = {**COMMON_RESPONSES, **doc.get("responses", {})}
    parameters = list(doc.get("parameters", []))
    if route.is_write:
        parameters.append(CSRF)
    operation = {**doc, "responses": responses}
    if parameters:
        operation["parameters"] = parameters
    if route.role.value == "admin":
        operation["description"] = (operation.get("description", "") + " Admins only.").strip()
    return operation


def document(sections: Iterable[Section], extra: Iterable[Route]) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    schemas: dict[str, Any] = {"Error": ERROR_SCHEMA, "Session": SESSION_SCHEMA}
    routes = [*extra]
    for section in sections:
        routes.extend(section.routes)
        schemas.update(section.schemas)
    for route in routes:
        if route.is_api and route.doc is not None:
            path = PREFIX + route.path
            paths.setdefault(path, {})[route.method.lower()] = _operation(route)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "jifen console API",
            "version": "1",
            "description": "What the console's pages use, under "
            f"{API}. Sign in with the session cookie (a one-time link from /console in "
            "chat) or Authorization: tma <initData> inside Telegram. Admins and "
            "marketers only; everyone else gets 403. Writes with a cookie need "
            "X-CSRF-Token; keyed writes take an Idempotency-Key.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "responses": _responses(),
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "jifen_console"},
                "telegram": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "tma <initData>",
                },
            },
        },
        "security": [{"session": []}, {"telegram": []}],
    }


def _responses() -> Mapping[str, Any]:
    return {
        "Error": {
            "description": "refused: {error: {code, message}}",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        },
        "Session": {
            "description": "the session",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Session"}}},
        },
    }
