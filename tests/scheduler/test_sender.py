"""The outbox sender against the Bot API emulator: limits, 429, 403, crashes, reports."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from telegram import Bot

from bot.emulator import BotApiEmulator
from models.delivery import outbox_delivery
from models.delivery.outbox import enqueue
from models.store import clock
from models.store.tables import Broadcast, BroadcastStatus, Member, OutboxMessage, OutboxStatus
from scheduler.sender import OutboxSender
from tests.scheduler.conftest import fast_settings, make_broadcast, make_members, strip_footer

MARKETER = 1


def bot_messages(emu: BotApiEmulator, user_id: int) -> list[str]:
    """What the bot sent, each broadcast without its how-to-stop line (tested in chat)."""
    return [strip_footer(m.visible_text) for m in emu.transcript(user_id) if m.outgoing]


async def sent_at_least(emu: BotApiEmulator, count: int) -> None:
    for _ in range(2000):
        if emu.stats.sent["sendMessage"] >= count:
            return
        await asyncio.sleep(0.005)
    raise AssertionError(f"fewer than {count} messages sent")


async def progress_message(emu: BotApiEmulator, bot: Bot) -> tuple[int, int]:
    emu.add_user(MARKETER, "Mia")
    message = await bot.send_message(MARKETER, "Broadcast starting")
    return MARKETER, message.message_id


async def test_broadcast_to_1000_with_flood_waits_and_blocks(
    store: str, emu: BotApiEmulator, bot: Bot
) -> None:
    members = await make_members(emu, 1000)
    blocked = {m.telegram_id for m in members[::97]}  # 11 people blocked the bot
    for tg in blocked:
        emu.block(tg)
    broadcast = await make_broadcast(
        members, created_by=MARKETER, progress=await progress_message(emu, bot)
    )
    emu.enforce_limits(global_per_s=1000, per_chat_per_s=1)
    emu.fail_next("sendMessage", 429, retry_after=1, count=2)
    emu.stats.reset()

    sender = OutboxSender(bot, fast_settings())
    stats = await sender.run_until_idle()

    for m in members:
        expected = [] if m.telegram_id in blocked else ["Spring sale <today> & tomorrow"]
        assert bot_messages(emu, m.telegram_id) == expected
    assert emu.stats.too_many_requests == 2, "only the injected 429s; none provoked"
    assert stats.flood_waits == 2
    unreachable = await Member.filter(reachable=False).values_list("telegram_id", flat=True)
    assert set(unreachable) == blocked
    counts = await outbox_delivery.broadcast_counts(broadcast.id)
    assert (counts.sent, counts.blocked, counts.failed, counts.pending) == (989, 11, 0, 0)
    await broadcast.refresh_from_db()
    assert broadcast.status == BroadcastStatus.DONE and broadcast.finished_at is not None
    report = emu.transcript(MARKETER)[0].visible_text
    assert "is finished" in report
    assert "Recipients: 1,000" in report and "Delivered: 989" in report
    assert "Blocked the bot: 11" in report and "Failed: 0" in report


async def test_stopped_midway_and_restarted_sends_each_once(
    store: str, emu: BotApiEmulator, bot: Bot
) -> None:
    members = await make_members(emu, 300)
    await make_broadcast(members, created_by=MARKETER)
    emu.enforce_limits(global_per_s=300, per_chat_per_s=1)

    first = OutboxSender(bot, fast_settings(messages_per_second=300))
    task = asyncio.create_task(first.run())
    await sent_at_least(emu, 100)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert 100 <= emu.stats.sent["sendMessage"] < 300
    assert not await OutboxMessage.filter(claimed_until__not_isnull=True, status="pending").exists()

    await OutboxSender(bot, fast_settings(messages_per_second=300)).run_until_idle()
    assert all(len(bot_messages(emu, m.telegram_id)) == 1 for m in members)
    assert await OutboxMessage.filter(status=OutboxStatus.SENT).count() == 300
    assert emu.stats.too_many_requests == 0


async def test_hard_crash_loses_nothing_and_repeats_at_most_the_calls_in_flight(
    store: str, emu: BotApiEmulator, bot: Bot
) -> None:
    members = await make_members(emu, 200)
    await make_broadcast(members, created_by=MARKETER)
    lease = timedelta(seconds=1)
    crashing = OutboxSender(bot, fast_settings(), claim_lease=lease, concurrency=8)
    task = asyncio.create_task(crashing.run())
    await sent_at_least(emu, 50)
    for inflight in list(crashing._inflight):  # the process dies: nothing gets recorded
        inflight.cancel()
    crashing._held.clear()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)

    await asyncio.sleep(lease.total_seconds())  # abandoned claims lapse
    await OutboxSender(bot, fast_settings()).run_until_idle()
    copies = [len(bot_messages(emu, m.telegram_id)) for m in members]
    assert min(copies) == 1, "no loss"
    assert sum(copies) - len(members) <= crashing.concurrency + crashing.batch_size


async def test_same_chat_keeps_per_chat_limit(store: str, emu: BotApiEmulator, bot: Bot) -> None:
    (alice,) = await make_members(emu, 1, marketing_opt_in=True)
    for n in range(3):
        await enqueue(chat_id=alice.telegram_id, template="broadcast-text", args={"text": f"#{n}"})
    emu.enforce_limits(global_per_s=30, per_chat_per_s=1)
    stats = await OutboxSender(bot, fast_settings(messages_per_second=30)).run_until_idle()
    assert bot_messages(emu, alice.telegram_id) == ["#0", "#1", "#2"]
    assert emu.stats.too_many_requests == 0
    assert stats.deferred >= 2


async def test_errors_back_off_then_fail(store: str, emu: BotApiEmulator, bot: Bot) -> None:
    alice, bob = await make_members(emu, 2, marketing_opt_in=True)
    await enqueue(chat_id=alice.telegram_id, template="broadcast-text", args={"text": "hi"})
    await enqueue(chat_id=bob.telegram_id, template="broadcast-text", args={"text": "hi"})
    emu.fail_next("sendMessage", 502, chat_id=alice.telegram_id, count=1)
    emu.fail_next("sendMessage", 502, chat_id=bob.telegram_id, count=5)
    sender = OutboxSender(bot, fast_settings(max_attempts=3), retry_base=timedelta(seconds=0.05))
    await sender.run_until_idle()
    a = await OutboxMessage.get(chat_id=alice.telegram_id)
    b = await OutboxMessage.get(chat_id=bob.telegram_id)
    assert (a.status, a.attempts, a.telegram_message_id is not None) == ("sent", 2, True)
    assert (b.status, b.attempts) == ("failed", 3)
    assert bot_messages(emu, alice.telegram_id) == ["hi"]


async def test_cancelled_broadcast_stops_and_reports(
    store: str, emu: BotApiEmulator, bot: Bot
) -> None:
    members = await make_members(emu, 20)
    broadcast = await make_broadcast(
        members, created_by=MARKETER, progress=await progress_message(emu, bot)
    )
    result = await outbox_delivery.cancel_broadcast(broadcast.id)
    assert result == outbox_delivery.BroadcastCancelled(withdrawn=20)
    await OutboxSender(bot, fast_settings()).run_until_idle()
    assert all(bot_messages(emu, m.telegram_id) == [] for m in members)
    broadcast = await Broadcast.get(id=broadcast.id)
    assert broadcast.status == BroadcastStatus.CANCELLED and broadcast.finished_at
    report = emu.transcript(MARKETER)[0].visible_text
    assert "was cancelled" in report and "Not sent (cancelled): 20" in report
    again = await outbox_delivery.cancel_broadcast(broadcast.id)
    assert again == outbox_delivery.BroadcastNotCancellable("cancelled")
    clock.unfreeze()
