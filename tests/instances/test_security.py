"""Webhook secret required and checked in constant time, localhost by default, the signing
secret agreed through the store, private data files, and logs without personal data."""

from __future__ import annotations

import asyncio
import logging
import os
import stat
from pathlib import Path
from types import SimpleNamespace

import aiohttp
import pytest
from aiohttp.test_utils import unused_port
from telegram import Update

from bot.app import _on_error, _signing_secret
from bot.inbox import InboxWorker
from bot.runners import SECRET_HEADER, WEBHOOK_PATH, _serve, webhook_routes
from bot.settings import BotSettings, SettingsError, load_settings
from models.store import db, secrets
from models.store.tables import InboxUpdate
from tests.instances.test_inbox import _message


def test_webhook_mode_refuses_to_start_without_a_secret() -> None:
    with pytest.raises(SettingsError, match="JIFEN_BOT__WEBHOOK_SECRET"):
        load_settings(bot={"mode": "webhook", "webhook_url": "https://shop.example"})
    with pytest.raises(SettingsError, match="JIFEN_BOT__WEBHOOK_SECRET"):
        load_settings(bot={"mode": "webhook", "webhook_secret": "has spaces in it"})
    assert load_settings(bot={"mode": "webhook", "webhook_secret": "s3cret_-X"}).bot.mode


def test_the_server_listens_on_localhost_unless_told() -> None:
    assert BotSettings().listen_host == "127.0.0.1"
    assert load_settings().bot.listen_host == "127.0.0.1"  # config.toml agrees


class _App:
    bot = None


async def test_the_webhook_stores_only_what_carries_the_secret(sqlite_store: str) -> None:
    worker = InboxWorker(_App(), "i0")  # type: ignore[arg-type]
    port = unused_port()
    runner = await _serve(webhook_routes(worker, "right-secret"), "127.0.0.1", port)
    body = _message(41, 700, "a forged confirmation")
    try:
        async with aiohttp.ClientSession(f"http://127.0.0.1:{port}") as http:
            for headers in ({}, {SECRET_HEADER: "wrong-secret"}, {SECRET_HEADER: "right-secre"}):
                async with http.post(WEBHOOK_PATH, json=body, headers=headers) as response:
                    assert response.status == 403
            assert await InboxUpdate.all().count() == 0
            good = {SECRET_HEADER: "right-secret"}
            async with http.post(WEBHOOK_PATH, data=b"{not json", headers=good) as response:
                assert response.status == 400
            async with http.post(WEBHOOK_PATH, json={"no": "id"}, headers=good) as response:
                assert response.status == 400
            for _ in range(2):  # Telegram's redelivery
                async with http.post(WEBHOOK_PATH, json=body, headers=good) as response:
                    assert response.status == 200
    finally:
        await runner.cleanup()
    assert await InboxUpdate.all().values_list("update_id", flat=True) == [41]


async def test_an_empty_secret_refuses_everything(sqlite_store: str) -> None:
    """Belt and braces: were the settings check bypassed, no secret still means no updates."""
    worker = InboxWorker(_App(), "i0")  # type: ignore[arg-type]
    port = unused_port()
    runner = await _serve(webhook_routes(worker, ""), "127.0.0.1", port)
    try:
        async with aiohttp.ClientSession(f"http://127.0.0.1:{port}") as http:
            for headers in ({}, {SECRET_HEADER: ""}):
                async with http.post(WEBHOOK_PATH, json=_message(1, 1), headers=headers) as r:
                    assert r.status == 403
    finally:
        await runner.cleanup()
    assert await InboxUpdate.all().count() == 0


async def test_instances_agree_on_one_generated_signing_secret(store: str) -> None:
    values = await asyncio.gather(*(secrets.shared_secret(secrets.SIGNING) for _ in range(5)))
    assert len(set(values)) == 1 and len(values[0]) == 64
    settings = load_settings(security={"secret_file": "/nonexistent/secret"})
    assert await _signing_secret(settings) == values[0].encode()
    configured = load_settings(security={"secret": "from-the-environment"})
    assert await _signing_secret(configured) == b"from-the-environment"


async def test_an_older_secret_file_seeds_the_store(store: str, tmp_path: Path) -> None:
    old = tmp_path / ".jifen-secret"
    old.write_text("ab" * 32 + "\n")
    settings = load_settings(security={"secret_file": str(old)})
    assert await _signing_secret(settings) == b"ab" * 32  # buttons already out still work


def test_the_data_folder_and_database_are_private(tmp_path: Path) -> None:
    path = tmp_path / "data" / "jifen.sqlite3"
    db.tortoise_config(f"sqlite://{path}")
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


async def test_errors_are_logged_by_update_id_and_kind_only(
    caplog: pytest.LogCaptureFixture,
) -> None:
    update = Update.de_json(_message(77, 800, "my phone is 13800001111"), None)
    context = SimpleNamespace(error=RuntimeError("boom"))
    with caplog.at_level(logging.ERROR):
        await _on_error(update, context)  # type: ignore[arg-type]
    assert "update 77 (message)" in caplog.text
    assert "13800001111" not in caplog.text and "Alice" not in caplog.text
