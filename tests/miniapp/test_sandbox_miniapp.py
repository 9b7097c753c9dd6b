"""The Mini App inside the sandbox: buttons set through the emulator, panels, signed launch."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.sandbox import Sandbox
from tests.sandbox.conftest import eventually, sandbox_settings

MEMBER, CASHIER = 1002, 2001


@pytest.fixture
async def box(tmp_path: Path) -> AsyncIterator[Sandbox]:
    async with Sandbox(sandbox_settings(tmp_path), port=0, fresh_store=True) as running:
        yield running


async def test_menu_and_scan_buttons_open_the_mini_app(box: Sandbox) -> None:
    app_url = f"{box.emu.url}/app/"
    button = await eventually(lambda: box.emu.default_menu_button)
    assert button["type"] == "web_app" and button["web_app"]["url"] == app_url
    assert box.application is not None
    bot = box.application.bot
    cashier = await bot.get_chat_menu_button(chat_id=CASHIER)
    assert cashier.web_app.url == app_url + "#scan" and "Scan" in cashier.text
    member = await bot.get_chat_menu_button(chat_id=MEMBER)
    assert member.web_app.url == app_url  # the default: their card


async def test_panels_sign_launch_data_the_mini_app_accepts(box: Sandbox) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(box.miniapp_url) as page:
            assert page.status == 200 and "/miniapp/static/miniapp.js" in await page.text()
        async with http.get(f"{box.emu.url}/app/") as app:
            html = await app.text()
            assert "/miniapp/static/telegram-web-app.js" in html  # the stand-in, not telegram.org
            assert "script-src 'self';" in app.headers["Content-Security-Policy"]
        async with http.get(f"{box.emu.url}/miniapp/init-data?user={CASHIER}") as signed:
            init_data = (await signed.json())["init_data"]
        headers = {"Authorization": f"tma {init_data}"}
        async with http.get(f"{box.emu.url}/app/api/session", headers=headers) as session:
            body = await session.json()
            assert session.status == 200 and body["staff"]["role"] == "staff", body
        async with http.get(f"{box.emu.url}/miniapp/init-data?user=424242") as unknown:
            assert unknown.status == 404  # only the sandbox's own people
        async with http.get(f"{box.emu.url}/miniapp/strings?lang=zh-Hans") as strings:
            assert (await strings.json())["cancel"] == "取消"
