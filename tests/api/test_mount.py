"""The bot's own HTTP server serves /healthz and the API under /api/v1 (bot.runners)."""

from __future__ import annotations

import aiohttp
from aiohttp.test_utils import unused_port

from api.app import build_api
from bot.runners import _serve, health_routes
from tests.api.conftest import api_settings


async def test_bot_server_mounts_the_api(sqlite_store: str) -> None:
    port = unused_port()
    runner = await _serve(health_routes(), "127.0.0.1", port, api=build_api(api_settings()))
    try:
        async with aiohttp.ClientSession(f"http://127.0.0.1:{port}") as http:
            for path in ("/healthz", "/api/v1/healthz", "/api/v1/openapi.json"):
                async with http.get(path) as response:
                    assert response.status == 200, path
            async with http.get("/api/v1/members/x") as response:
                assert response.status == 401
                assert (await response.json())["error"]["code"] == "unauthorized"
    finally:
        await runner.cleanup()
