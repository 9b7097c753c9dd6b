"""One voucher, redeemed at once by cashiers pressing Confirm in the chat (the real bot
on the emulator) and cashiers confirming in the Mini App: exactly one wins, one notice."""

from __future__ import annotations

import asyncio

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from api.miniapp import routes
from models.access import staff
from models.store.tables import AuditLog, Role, Voucher, VoucherStatus
from tests.chat.conftest import Rig, rig

__all__ = ["rig"]  # the chat rig fixture, used here too
from tests.chat.test_till import voucher_for
from tests.miniapp.conftest import Mini, telegram_sign, user_fields


async def test_chat_and_mini_app_race_for_one_voucher(rig: Rig) -> None:
    alice = rig.member(1001, "Alice")
    await alice.send("/start")
    await rig.earn(alice, 10000)
    voucher = await voucher_for(rig, alice)
    chat_cashiers = []
    for i in range(5):
        await staff.grant_role(3000 + i, Role.STAFF, granted_by=None, actor_kind="cli")
        chat_cashiers.append(rig.person(3000 + i, f"Cashier{i}"))
    for i in range(5):
        await staff.grant_role(4000 + i, Role.STAFF, granted_by=None, actor_kind="cli")
    for cashier in chat_cashiers:
        await cashier.send(f"/redeem {voucher.code}")

    app = web.Application()
    app.add_routes(routes(rig.settings, bot_token=rig.emu.token, bot_username=lambda: None))
    client = TestClient(TestServer(app))
    await client.start_server()
    try:
        mini = Mini(client, rig.settings)

        async def in_app(user: int) -> int:
            signed = telegram_sign(user_fields(user), rig.emu.token)
            status, _ = await mini.call(
                "POST", "/vouchers/redeem", init_data=signed, json={"voucher": voucher.code}
            )
            return status

        chat = [c.press("Confirm") for c in chat_cashiers]
        statuses = (await asyncio.gather(*[in_app(4000 + i) for i in range(5)], *chat))[:5]
    finally:
        await client.close()
    chat_wins = sum("Redeemed" in c.last_text for c in chat_cashiers)
    app_wins = statuses.count(200)
    assert chat_wins + app_wins == 1, (statuses, [c.last_text for c in chat_cashiers])
    assert sorted(statuses) == sorted([200] * app_wins + [409] * (5 - app_wins))
    assert sum("Already used" in c.last_text for c in chat_cashiers) == 5 - chat_wins
    await alice.wait_for_text("has been used")
    assert sum("has been used" in m.visible_text for m in alice.messages) == 1
    assert await Voucher.filter(status=VoucherStatus.REDEEMED).count() == 1
    assert await AuditLog.filter(action="voucher.redeem", actor_kind="miniapp").count() == app_wins
