"""Where the Mini App is mounted: only with ``bot.public_url``, with a warning unless https."""

from __future__ import annotations

import logging

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import unused_port

from api.miniapp.launch import attach
from bot.app import build_application
from bot.runners import _serve, health_routes
from bot.settings import Settings


def _app(public_url: str) -> object:
    settings = Settings(bot={"token": "1:x", "public_url": public_url})
    return build_application(settings), settings


def test_nothing_without_public_url() -> None:
    application, settings = _app("")
    before = application.post_init
    assert attach(application, settings) == []
    assert application.post_init is before  # no buttons either


def test_http_public_url_warns(caplog: pytest.LogCaptureFixture) -> None:
    application, settings = _app("http://127.0.0.1:8080")
    with caplog.at_level(logging.WARNING):
        assert attach(application, settings)
    assert "only over https" in caplog.text
    caplog.clear()
    application, settings = _app("https://shop.example")
    with caplog.at_level(logging.WARNING):
        assert attach(application, settings)
    assert "https" not in caplog.text


async def test_the_bot_server_serves_the_page_beside_healthz(sqlite_store: str) -> None:
    application, settings = _app("https://shop.example")
    port = unused_port()
    runner = await _serve(health_routes() + attach(application, settings), "127.0.0.1", port)
    try:
        async with aiohttp.ClientSession(f"http://127.0.0.1:{port}") as http:
            for path in ("/healthz", "/app/", "/app/api/openapi.json"):
                async with http.get(path) as response:
                    assert response.status == 200, path
            async with http.get("/app/api/me") as response:
                assert response.status == 401
    finally:
        await runner.cleanup()
    assert isinstance(runner, web.AppRunner)
