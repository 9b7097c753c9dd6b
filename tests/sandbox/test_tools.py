"""Everything a deployment serves, in the sandbox: the HTTP API with a demo key whose curl
line (shown on the page) records a purchase, and a link to the console once it is served."""

from __future__ import annotations

import asyncio
import json

import aiohttp
from aiohttp import web

from bot.sandbox import Sandbox
from bot.sandbox.timecontrol import console_link
from models.access import api_keys
from models.store.tables import Member, Purchase

from .conftest import eventually

ALICE = 1002


async def tools(http: aiohttp.ClientSession, box: Sandbox) -> dict[str, object]:
    async with http.get(f"{box.url}api/sandbox") as response:
        assert response.status == 200
        return await response.json()


async def test_the_curl_line_on_the_page_records_a_purchase(
    season_box: Sandbox, http: aiohttp.ClientSession
) -> None:
    shown = await tools(http, season_box)
    assert str(shown["api_key"]).startswith("jf_") and shown["cli"] == "jifen --sandbox doctor"
    assert shown["console"] == "/console/"  # the back office is served: the header links it
    alice = await Member.get(telegram_id=ALICE)
    curl = str(shown["curl"])
    assert alice.code in curl and str(shown["api_key"]) in curl
    before = await Purchase.filter(member_id=alice.id).count()

    process = await asyncio.create_subprocess_exec(
        "bash", "-c", curl, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await process.communicate()
    assert process.returncode == 0
    answer = json.loads(out)
    assert answer["receipt_code"].startswith("R-") and answer["points"] > 0
    purchase = await Purchase.get(receipt_code=answer["receipt_code"])
    assert (purchase.member_id, purchase.channel, purchase.location) == (  # type: ignore[attr-defined]
        alice.id,
        "api",
        "Downtown",
    )
    assert await Purchase.filter(member_id=alice.id).count() == before + 1

    def receipt() -> bool:
        return any(
            answer["receipt_code"] in (m.text or "") for m in season_box.emu.transcript(ALICE)
        )

    await eventually(receipt, 10)
    async with http.get(f"{season_box.url}api/v1/openapi.json") as response:
        assert response.status == 200 and "/purchases" in (await response.json())["paths"]


async def test_each_start_makes_a_new_key_and_revokes_the_last(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    live = [k for k in await api_keys.list_keys(include_revoked=False) if k.name == "sandbox demo"]
    assert len(live) == 1 and str((await tools(http, sandbox))["api_key"]).startswith(
        f"jf_{live[0].prefix}_"
    )
    assert (await tools(http, sandbox))["curl"]  # a demo shopper, before anyone joins


def test_the_console_is_linked_only_when_it_is_served() -> None:
    async def console(_: web.Request) -> web.Response:
        return web.Response()

    app = web.Application()
    assert console_link(app) is None
    app.router.add_get("/console/", console)
    assert console_link(app) == "/console/"
