"""/broadcast: a marketer messages a segment; each reachable opted-in member gets one copy."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.emulator import Player
from models.access import staff
from models.marketing import broadcasts
from models.store import clock
from models.store.tables import Broadcast, BroadcastStatus, Member, Role
from tests.chat.conftest import Rig

MARKETER = 1500


async def _crowd(rig: Rig, n: int = 30) -> tuple[list[Player], list[Player]]:
    """``n`` members who started the bot; every third opted out of marketing."""
    opted_in, opted_out = [], []
    for i in range(n):
        player = rig.member(2000 + i, f"M{i}")
        await player.send("/start")
        (opted_out if i % 3 == 0 else opted_in).append(player)
    await Member.filter(telegram_id__in=[p.user_id for p in opted_in]).update(marketing_opt_in=True)
    return opted_in, opted_out


def _copies(player: Player, text: str) -> int:
    return sum(1 for m in player.messages if text in m)


async def _marketer(rig: Rig) -> Player:
    await staff.grant_role(MARKETER, Role.MARKETER, granted_by=None)
    return rig.person(MARKETER, "Mia")


async def _report(rig: Rig, broadcast_id: int) -> None:
    """Have the sender write the final report now (it does so every 2 s by itself)."""
    sender = rig.app.bot_data["scheduler"].sender
    for _ in range(200):
        await rig.emu.settle()
        await sender.update_progress()
        if (await Broadcast.get(id=broadcast_id)).finished_at is not None:
            await rig.emu.settle()
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"broadcast {broadcast_id} did not finish")


async def test_marketer_broadcasts_to_all_opted_in_members_with_exact_report(rig: Rig) -> None:
    opted_in, opted_out = await _crowd(rig)
    blocked = opted_in[0]
    rig.emu.block(blocked.user_id)
    mia = await _marketer(rig)
    await mia.send("/broadcast")
    await mia.press("New broadcast")
    await mia.send("Coffee <b>half price</b> & more")
    await mia.press("Add a button")
    await mia.send("Order | http://insecure.example")
    assert "https://" in mia.last_text
    await mia.send("Order | https://shop.example/menu")
    await mia.press("Everyone opted in")
    assert f"Recipients now: {len(opted_in)}" in mia.last_text
    await mia.press("Preview")
    preview = next(m for m in mia.messages if "Coffee" in m)
    assert preview.visible_text.startswith("Coffee <b>half price</b> & more\n")  # as typed
    assert preview.visible_text.endswith(
        "Stop offers only: /stopoffers (receipts and reminders keep coming)."
    )
    assert preview.buttons[0]["url"] == "https://shop.example/menu"
    await mia.press("Send now")
    assert f"to {len(opted_in)} members now?" in mia.last_text
    await mia.press("Confirm")
    broadcast = await Broadcast.get(created_by=MARKETER)
    # progress edits keep the Cancel button; the final report drops it
    assert broadcast.progress_buttons and "Cancel" in broadcast.progress_buttons[0][0]["text"]
    await _report(rig, broadcast.id)

    for player in opted_in[1:]:
        assert _copies(player, "Coffee <b>half price</b> & more") == 1, player
        assert player.last_message.buttons[0]["url"] == "https://shop.example/menu"
    for player in opted_out:
        assert _copies(player, "Coffee") == 0
    await broadcast.refresh_from_db()
    assert broadcast.status == BroadcastStatus.DONE
    report = rig.emu.get_message(MARKETER, broadcast.progress_message_id)
    assert "is finished" in report
    assert report.buttons == []
    assert f"Recipients: {len(opted_in)}" in report
    assert f"Delivered: {len(opted_in) - 1}" in report
    assert "Blocked the bot: 1" in report
    assert not (await Member.get(telegram_id=blocked.user_id)).reachable

    await mia.send("/broadcast")  # the list shows it with its counts
    assert f"#{broadcast.id}" in mia.last_text
    assert f"{len(opted_in) - 1}/{len(opted_in)} delivered" in mia.last_text


async def test_scheduled_broadcast_starts_when_due_and_can_be_cancelled(rig: Rig) -> None:
    opted_in, _ = await _crowd(rig, 6)
    clock.freeze(datetime(2030, 1, 1, 1, 0, tzinfo=UTC))  # 09:00 in Asia/Shanghai
    mia = await _marketer(rig)
    await mia.send("/broadcast New year menu")
    await mia.press("No button")
    await mia.press("A tier")
    await mia.press("Member")
    await mia.press("Schedule")
    await mia.send("2030-01-01 08:00")
    assert "already passed" in mia.last_text
    await mia.send("2030-01-01 09:30")
    assert "scheduled for 2030-01-01 09:30" in mia.last_text
    scheduled = await Broadcast.get(created_by=MARKETER)
    assert scheduled.status == BroadcastStatus.SCHEDULED

    assert await broadcasts.start_due(clock.now()) == []
    clock.advance(timedelta(minutes=31))
    started = await broadcasts.start_due(clock.now())
    assert [s.broadcast_id for s in started] == [scheduled.id]
    await _report(rig, scheduled.id)
    await scheduled.refresh_from_db()
    for player in opted_in:
        assert _copies(player, "New year menu") == 1
    report = rig.emu.get_message(MARKETER, scheduled.progress_message_id)
    assert f"Delivered: {len(opted_in)}" in report

    # a second one, cancelled before its time, never goes out
    await mia.send("/broadcast Never sent")
    await mia.press("No button")
    await mia.press("Birthday this month")
    await mia.press("Schedule")
    await mia.send("2030-01-02 10:00")
    await mia.press("Cancel broadcast")
    assert "is cancelled" in mia.last_text
    clock.advance(timedelta(days=2))
    assert await broadcasts.start_due(clock.now()) == []


async def test_members_and_staff_cannot_broadcast(rig: Rig) -> None:
    bob = rig.member(2101, "Bob")
    await bob.send("/broadcast hello")
    assert "only for marketers" in bob.last_text
    assert await Broadcast.all().count() == 0


async def test_photo_broadcast_preview_shows_the_photo_and_caption(rig: Rig) -> None:
    from handlers.qr import qr_png

    mia = await _marketer(rig)
    await mia.send("/broadcast")
    await mia.press("New broadcast")
    await mia.send_photo(await qr_png("https://shop.example"), caption="Our new menu")
    await mia.press("No button")
    await mia.press("Everyone opted in")
    await mia.press("Preview")
    preview = next(m for m in mia.messages if m.photo is not None)
    assert (preview.caption or "").startswith("Our new menu\n") and "/stopoffers" in preview.caption
    assert "With a photo" in mia.last_text
