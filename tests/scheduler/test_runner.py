"""start_scheduler wires the sender and the lease-guarded jobs on APScheduler."""

from __future__ import annotations

import asyncio

from telegram import Bot

from bot.emulator import BotApiEmulator
from models.delivery.outbox import enqueue
from models.store import clock
from models.store.tables import JobRun, OutboxMessage, SchedulerLease
from scheduler import start_scheduler
from tests.scheduler.conftest import fast_settings, make_members, strip_footer


async def test_start_sends_catches_up_and_stops(
    sqlite_store: str, emu: BotApiEmulator, bot: Bot
) -> None:
    (alice,) = await make_members(emu, 1, marketing_opt_in=True)
    await enqueue(chat_id=alice.telegram_id, template="broadcast-text", args={"text": "hello"})
    handle = await start_scheduler(bot, fast_settings(), holder="solo")
    try:
        for _ in range(400):
            caught_up = await JobRun.filter(job="weekly-report", finished_at__not_isnull=True)
            sent = await OutboxMessage.filter(status="sent").exists()
            if caught_up and sent:
                break
            await asyncio.sleep(0.025)
        assert handle.runner is not None and handle.runner.is_leader
        assert {j.id for j in handle.scheduler.get_jobs()} >= {  # type: ignore[union-attr]
            "expiry-sweep",
            "expiry-reminders",
            "birthday-bonus",
            "tier-review",
            "weekly-report",
            "campaign-alerts",
            "scheduled-broadcasts",
        }
        transcript = emu.transcript(alice.telegram_id)
        assert [strip_footer(m.visible_text) for m in transcript] == ["hello"]
    finally:
        await handle.stop()
    assert handle.sender_task is not None and handle.sender_task.done()
    for name in ("jobs", "sender"):
        lease = await SchedulerLease.get(name=name)
        assert lease.holder == "solo" and lease.expires_at <= clock.now()
    assert not handle.runner.is_leader
