"""Open routes: the OpenAPI document and a health check (no key needed)."""

from __future__ import annotations

from aiohttp import web

from api.auth import public
from api.openapi import document
from models.store.tables import ApiKey


@public
async def get_openapi(request: web.Request) -> web.Response:
    return web.json_response(document())


@public
async def get_health(request: web.Request) -> web.Response:
    """Up, and the database answers (one indexed lookup)."""
    await ApiKey.filter(prefix="").exists()
    return web.json_response({"ok": True})


ROUTES = [web.get("/openapi.json", get_openapi), web.get("/healthz", get_health)]
