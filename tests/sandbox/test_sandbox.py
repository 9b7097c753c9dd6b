"""The sandbox's wiring: personas with roles, the page's endpoints, demo data, live events."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.sandbox import PERSONAS, Sandbox, sandbox_settings
from bot.settings import load_settings
from handlers.qr import qr_png
from models.access import staff
from models.ledger import doctor
from models.sandbox import demo
from models.store.tables import Member, Reward, Role

from .conftest import eventually

MEMBER, ALICE, CASHIER, ADMIN, MARKETER = 1001, 1002, 2001, 3001, 4001


async def snapshot(http: aiohttp.ClientSession, box: Sandbox, uid: int) -> dict[str, Any]:
    async with http.get(f"{box.url}api/chats/{uid}") as response:
        assert response.status == 200
        return await response.json()


async def post(http: aiohttp.ClientSession, box: Sandbox, path: str, **body: Any) -> Any:
    async with http.post(f"{box.url}api/{path}", json=body) as response:
        return response.status, await response.json()


async def test_personas_have_their_roles(sandbox: Sandbox, http: aiohttp.ClientSession) -> None:
    admins = sandbox.settings.access.admins
    assert (await staff.role_of(CASHIER, admins)).role is Role.STAFF
    assert (await staff.role_of(MARKETER, admins)).role is Role.MARKETER
    assert (await staff.role_of(ADMIN, admins)).role is Role.ADMIN
    assert await staff.role_of(MEMBER, admins) is None
    async with http.get(f"{sandbox.url}api/people") as response:
        people = (await response.json())["people"]
    assert [p["user_id"] for p in people] == [p.user_id for p in PERSONAS]
    assert {p["label"] for p in people} == {"member", "cashier", "admin", "marketer"}
    assert all(p["phone"].startswith("+") for p in people)


async def test_page_and_strings_are_served(sandbox: Sandbox, http: aiohttp.ClientSession) -> None:
    async with http.get(sandbox.url) as response:
        assert response.status == 200
        assert "/static/app.js" in await response.text()
    for asset in ("app.js", "style.css"):
        async with http.get(f"{sandbox.url}static/{asset}") as response:
            assert response.status == 200
    async with http.get(f"{sandbox.url}api/strings?lang=zh-Hans") as response:
        zh = await response.json()
    async with http.get(f"{sandbox.url}api/strings?lang=en") as response:
        en = await response.json()
    assert zh.keys() == en.keys()
    assert zh["sandbox-role-cashier"] == "收银员"
    assert "{name}" in en["sandbox-scan-with"]


async def test_text_from_the_page_reaches_the_bot(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    assert await post(http, sandbox, f"chats/{ALICE}/send", text="/help") == (200, {"ok": True})

    async def replied() -> bool:
        messages = (await snapshot(http, sandbox, ALICE))["messages"]
        return [m["from"] for m in messages] == ["user", "bot"]

    await eventually(replied)
    messages = (await snapshot(http, sandbox, ALICE))["messages"]
    assert messages[0]["text"] == "/help"
    assert "/start" in messages[1]["text"]
    assert await Member.filter(telegram_id=ALICE).exists()


async def test_events_stream_the_conversation(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    events: list[dict[str, Any]] = []

    async def listen() -> None:
        async with http.get(f"{sandbox.url}api/events") as response:
            assert response.headers["Content-Type"].startswith("text/event-stream")
            async for line in response.content:
                if line.startswith(b"data: "):
                    events.append(json.loads(line[6:]))
                    if any(e.get("message", {}).get("from") == "bot" for e in events):
                        return

    listener = asyncio.create_task(listen())
    await eventually(lambda: sandbox.emu.events.active)
    await post(http, sandbox, f"chats/{MEMBER}/send", text="/help")
    await asyncio.wait_for(listener, 5)
    assert [e["type"] for e in events][:2] == ["message", "message"]
    assert events[0]["chat_id"] == MEMBER and events[0]["message"]["text"] == "/help"


async def test_scanning_a_picture_opens_its_link_as_that_person(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    png = await qr_png(f"https://t.me/{sandbox.emu.bot_username}?start=m-sometoken")
    form = aiohttp.FormData()
    form.add_field("photo", png, filename="card.png", content_type="image/png")
    async with http.post(f"{sandbox.url}api/chats/{MEMBER}/photo", data=form) as response:
        assert response.status == 200
    photo = (await snapshot(http, sandbox, MEMBER))["messages"][0]["photo"]
    async with http.get(f"{sandbox.url}{photo['url'].lstrip('/')}") as response:
        assert await response.read() == png

    status, body = await post(http, sandbox, f"chats/{CASHIER}/scan", file_id=photo["file_id"])
    assert (status, body) == (200, {"ok": True})
    sent = (await snapshot(http, sandbox, CASHIER))["messages"][0]
    assert sent["from"] == "user" and sent["text"] == "/start m-sometoken"

    status, body = await post(http, sandbox, f"chats/{CASHIER}/scan", file_id="nope")
    assert status == 400 and body["error"]


async def test_contact_key_shares_the_persona_phone(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    assert await post(http, sandbox, f"chats/{MEMBER}/contact") == (200, {"ok": True})
    sent = (await snapshot(http, sandbox, MEMBER))["messages"][0]
    assert sent["contact"]["phone_number"] == "+8613800138001"
    assert sent["contact"]["user_id"] == MEMBER


async def test_demo_data_is_idempotent_and_doctor_clean(sandbox: Sandbox) -> None:
    rewards = await Reward.all().count()
    members = await Member.all().count()
    assert rewards >= 4 and members >= 5
    again = await demo.load(sandbox.settings.rules)
    assert again == demo.DemoLoaded(0, 0, 0, 0, 0)
    assert await Reward.all().count() == rewards
    assert await Member.all().count() == members
    assert await doctor.check() == []


def test_the_sandbox_never_uses_the_production_database(tmp_path: Path) -> None:
    settings = load_settings(
        database={"url": f"sqlite://{tmp_path}/jifen.sqlite3"},
        sandbox={"database_url": f"sqlite://{tmp_path}/jifen.sqlite3"},
    )
    with pytest.raises(ValueError, match="its own"):
        sandbox_settings(settings)
    separate = load_settings(sandbox={"database_url": f"sqlite://{tmp_path}/sandbox.sqlite3"})
    assert sandbox_settings(separate).database.url.endswith("sandbox.sqlite3")
    assert 3001 in sandbox_settings(separate).access.admins
