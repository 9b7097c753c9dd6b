"""Another site (or another tab) cannot drive the sandbox's personas: every POST must come from
the page's own script. The attack was a `text/plain` fetch with a JSON body, which browsers
send cross-site without asking."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.sandbox import Sandbox

ADMIN = 3001
PROMOTE = json.dumps({"text": "/grant 1001 admin"})


@pytest.fixture
async def bare() -> AsyncIterator[aiohttp.ClientSession]:
    """A client that sends only the headers each case gives (not the page's)."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        yield session


def own_origin(sandbox: Sandbox) -> str:
    return sandbox.url.rstrip("/")


@pytest.mark.parametrize(
    "headers",
    [
        {"Content-Type": "text/plain"},  # the simple cross-site request
        {"Content-Type": "text/plain", "Origin": "https://evil.example"},
        {"X-Jifen-Sandbox": "1", "Origin": "https://evil.example"},
        {"X-Jifen-Sandbox": "1", "Sec-Fetch-Site": "cross-site"},
        {"X-Jifen-Sandbox": "1", "Sec-Fetch-Site": "same-site"},
        {"X-Jifen-Sandbox": "0", "Sec-Fetch-Site": "same-origin"},
    ],
    ids=["plain", "plain-evil-origin", "evil-origin", "cross-site", "same-site", "wrong-value"],
)
async def test_a_post_not_from_the_page_is_refused_and_changes_nothing(
    sandbox: Sandbox, bare: aiohttp.ClientSession, headers: dict[str, str]
) -> None:
    url = f"{sandbox.url}api/chats/{ADMIN}/send"
    async with bare.post(url, data=PROMOTE, headers=headers) as response:
        assert response.status == 403
        assert await response.json() == {"ok": False, "error": "cross-site request"}
    assert sandbox.emu.transcript(ADMIN) == []


async def test_every_action_is_guarded(sandbox: Sandbox, bare: aiohttp.ClientSession) -> None:
    form = aiohttp.FormData()
    form.add_field("photo", b"x", filename="x.png", content_type="image/png")
    for action, body in [
        ("send", PROMOTE),
        ("press", json.dumps({"message_id": 1, "data": "x"})),
        ("link", json.dumps({"url": "https://t.me/jifen_bot?start=x"})),
        ("contact", "{}"),
        ("photo", form),
        ("scan", json.dumps({"file_id": "x"})),
    ]:
        async with bare.post(f"{sandbox.url}api/chats/{ADMIN}/{action}", data=body) as response:
            assert response.status == 403, action
    assert sandbox.emu.transcript(ADMIN) == []


async def test_the_page_itself_may_post(sandbox: Sandbox, bare: aiohttp.ClientSession) -> None:
    headers = {
        "X-Jifen-Sandbox": "1",
        "Origin": own_origin(sandbox),
        "Sec-Fetch-Site": "same-origin",
        "Content-Type": "application/json",
    }
    url = f"{sandbox.url}api/chats/{ADMIN}/send"
    async with bare.post(url, data=json.dumps({"text": "/help"}), headers=headers) as response:
        assert (response.status, await response.json()) == (200, {"ok": True})
    assert [m.text for m in sandbox.emu.transcript(ADMIN)][:1] == ["/help"]
