"""``/console`` in chat: admins and marketers get a one-time link; others are refused;
``/console logout`` ends every session; an adjustment in the console is in /history."""

from __future__ import annotations

import asyncio
import re

import pytest
from aiohttp.test_utils import TestClient, TestServer

from api.console import PREFIX
from models.access import staff
from models.store.tables import ConsoleLogin, ConsoleSession, Role
from tests.chat.conftest import ADMIN_ID, Rig, rig
from tests.console.conftest import console_root

__all__ = ["rig"]
URL = "https://shop.example"
LINK = re.compile(r"https://shop\.example/console/login\?token=([A-Za-z0-9_-]{40,})")


@pytest.mark.settings(bot={"public_url": URL})
async def test_console_link_logout_and_the_members_history(rig: Rig) -> None:
    admin = rig.admin()
    await admin.send("/start")
    await admin.send("/console")
    token = LINK.search(admin.last_text)
    assert token, admin.last_text
    assert "10 minutes" in admin.last_text
    assert await ConsoleLogin.filter(telegram_id=ADMIN_ID, used_at=None).count() == 1

    alice = rig.member(1001, "Alice")
    await alice.send("/start")
    await rig.earn(alice, 10000)
    client = TestClient(TestServer(console_root(rig.settings)))
    await client.start_server()
    try:
        async with client.get(f"{PREFIX}/login?token={token.group(1)}") as response:
            assert response.status == 200
        cookie = response.cookies["jifen_console"].value
        headers = {"Cookie": f"jifen_console={cookie}"}
        async with client.get(f"{PREFIX}/api/session", headers=headers) as response:
            csrf = (await response.json())["csrf_token"]
        code = (await rig.member_row(alice)).code
        async with client.post(
            f"{PREFIX}/api/members/{code}/adjustments",
            json={"points": 7, "reason": "sorry for the wait"},
            headers={**headers, "X-CSRF-Token": csrf, "Idempotency-Key": "chat-1"},
        ) as response:
            assert response.status == 201, await response.text()
        async with asyncio.timeout(15):  # the outbox watcher may not have seen the row yet
            while "sorry for the wait" not in alice.last_text:
                await rig.emu.settle()
                await asyncio.sleep(0.05)
        assert "7" in alice.last_text  # the notice
        await alice.send("/history")
        assert "sorry for the wait" in alice.last_text

        await admin.send("/console logout")
        assert "1 session" in admin.last_text
        assert await ConsoleSession.all().count() == 0
        async with client.get(f"{PREFIX}/api/session", headers=headers) as response:
            assert response.status == 403
    finally:
        await client.close()


@pytest.mark.settings(bot={"public_url": URL})
async def test_cashiers_and_members_get_no_link(rig: Rig) -> None:
    cashier = rig.person(2001, "Chen")
    await cashier.send("/start")
    await staff.grant_role(2001, Role.STAFF, granted_by=ADMIN_ID)
    await cashier.send("/console")
    assert "/console/login" not in cashier.last_text
    member = rig.member(1001, "Alice")
    await member.send("/start")
    await member.send("/console")
    assert "/console/login" not in member.last_text
    assert await ConsoleLogin.all().count() == 0


async def test_without_a_public_url_the_console_is_not_reachable(rig: Rig) -> None:
    admin = rig.admin()
    await admin.send("/console")
    assert "bot.public_url" in admin.last_text
