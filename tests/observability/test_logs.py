"""``log.format = "json"``: one JSON object per line with the instance and, while one is
handled, the update id or the request id; never a member's name."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.inbox import InboxWorker
from models.delivery import inbox
from observability import logs

FIELDS = {"time", "level", "logger", "message", "instance"}


@pytest.fixture
def json_logs() -> Any:
    """Logs configured as ``jifen`` does with ``log.format = "json"``; returns a reader."""
    out = io.StringIO()
    logs.configure("json", instance="till-1", stream=out)

    def lines() -> list[dict[str, Any]]:
        return [json.loads(line) for line in out.getvalue().splitlines()]

    yield lines
    logs.unconfigure()


def test_text_stays_the_default() -> None:
    from bot.settings import load_settings

    assert load_settings().log.format == "text"


def test_an_unknown_format_is_refused() -> None:
    from bot.settings import SettingsError, load_settings

    with pytest.raises(SettingsError, match=r"log\.format"):
        load_settings(log={"format": "xml"})


async def test_a_request_id_is_kept_when_sane_and_made_up_otherwise(json_logs: Any) -> None:
    async def handler(_: web.Request) -> web.Response:
        logging.getLogger("jifen.test").info("answering")
        return web.Response(text="ok")

    app = web.Application(middlewares=[logs.request_id_middleware])
    app.router.add_get("/x", handler)
    async with TestClient(TestServer(app)) as client:
        given = await client.get("/x", headers={"X-Request-Id": "proxy-42"})
        forged = await client.get("/x", headers={"X-Request-Id": 'a" {"level": "x"}'})
        assert given.headers["X-Request-Id"] == "proxy-42"
        made_up = forged.headers["X-Request-Id"]
    assert len(made_up) == 16 and made_up != "proxy-42"
    answering = [line for line in json_logs() if line["message"] == "answering"]
    assert [line["request_id"] for line in answering] == ["proxy-42", made_up]
    for line in answering:
        assert set(line) >= FIELDS and line["instance"] == "till-1" and line["level"] == "INFO"
        assert "update_id" not in line


class _Application:
    """What the inbox worker needs of PTB's Application: process_update (which logs)."""

    bot = None

    async def process_update(self, update: object) -> None:
        logging.getLogger("jifen.test").info("handling")


async def test_the_inbox_worker_names_the_update_it_handles(store: str, json_logs: Any) -> None:
    person = {"id": 5, "is_bot": False, "first_name": "Alice"}
    message = {"message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"}, "from": person}
    update = {"update_id": 77, "message": {**message, "text": "hi"}}
    await inbox.store(77, "c5", json.dumps(update))
    worker = InboxWorker(_Application(), "till-1")  # type: ignore[arg-type]
    [claimed] = await inbox.claim("till-1", 10, worker.lease)
    await asyncio.create_task(worker._process(claimed))  # as the worker's turn runs it
    [line] = [line for line in json_logs() if line["message"] == "handling"]
    assert line["update_id"] == 77 and "request_id" not in line
    assert logs.update_id.get() is None, "the id stays with the task that handled the update"
