"""The inbox: stored once, one chat at a time and in order, a dead claimer's work taken over."""

from __future__ import annotations

import asyncio
import json
import random
from collections import defaultdict
from datetime import timedelta
from typing import Any

from telegram import Update

from bot.inbox import InboxWorker, Pruner
from models.delivery import inbox, outbox_delivery
from models.delivery.outbox import new_message
from models.store import clock
from models.store.tables import InboxUpdate
from scheduler.leases import Leases
from tests.instances.cluster import until

LEASE = timedelta(seconds=6)


def _message(update_id: int, chat: int, text: str = "hi") -> dict[str, Any]:
    user = {"id": chat, "is_bot": False, "first_name": "Alice"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 0,
            "chat": {"id": chat, "type": "private", "first_name": "Alice"},
            "from": user,
            "text": text,
        },
    }


async def _store(update_id: int, chat: int) -> bool:
    return await inbox.store(update_id, f"c{chat}", json.dumps(_message(update_id, chat)))


async def test_a_redelivered_update_is_stored_once(store: str) -> None:
    assert await _store(1, 100)
    assert not await _store(1, 100)
    assert await InboxUpdate.all().count() == 1


async def test_one_chat_at_a_time_oldest_first(store: str) -> None:
    for update_id, chat in [(1, 100), (2, 200), (3, 100), (4, 100), (5, 200)]:
        await _store(update_id, chat)
    first = await inbox.claim("a", 10, LEASE)
    assert [c.update_id for c in first] == [1, 2]  # the head of each chat only
    assert await inbox.claim("b", 10, LEASE) == []  # both chats are busy
    assert await inbox.finish(1, "a")
    assert not await inbox.finish(1, "a")  # finishing twice changes nothing
    assert [c.update_id for c in await inbox.claim("b", 10, LEASE)] == [3]
    assert not await inbox.finish(2, "b")  # not b's claim
    lag = await inbox.lag()
    assert lag.pending == 4


class _App:
    """What the worker needs of PTB's Application: ``bot`` and ``process_update``."""

    def __init__(self, block: asyncio.Event | None = None) -> None:
        self.bot = None
        self.seen: list[int] = []
        self.block = block

    async def process_update(self, update: Update) -> None:
        self.seen.append(update.update_id)
        if self.block is not None:
            await self.block.wait()


async def test_a_dead_instances_claims_are_processed_once_by_another(store: str) -> None:
    clock.freeze(clock.now())
    for update_id in range(1, 7):
        await _store(update_id, 100 + update_id % 3)  # three chats, two updates each
    dead_app, live_app = _App(block=asyncio.Event()), _App()
    dead = InboxWorker(dead_app, "dead", poll_interval=0.01)  # type: ignore[arg-type]
    live = InboxWorker(live_app, "live", poll_interval=0.01)  # type: ignore[arg-type]
    await dead.start()
    await until(lambda: len(dead_app.seen) == 3, 10)
    dead._task.cancel()  # type: ignore[union-attr]  # kill -9: nothing finished or released
    await live.start()
    await asyncio.sleep(0.2)
    assert live_app.seen == []  # the claims hold until their lease lapses
    clock.advance(LEASE + timedelta(seconds=1))
    await until(lambda: len(live_app.seen) == 6, 10)
    await live.stop()
    assert sorted(live_app.seen) == [1, 2, 3, 4, 5, 6]  # each exactly once
    assert await InboxUpdate.filter(done_at__isnull=True).count() == 0
    assert set(await InboxUpdate.all().values_list("claimed_by", flat=True)) == {"live"}


async def test_concurrent_claimers_never_share_a_chat(store: str) -> None:
    chats = 8
    for update_id in range(1, 121):
        await _store(update_id, update_id % chats)
    busy: set[str] = set()
    order: dict[str, list[int]] = defaultdict(list)
    overlaps = 0

    async def claimer(name: str) -> None:
        nonlocal overlaps
        idle = 0
        while idle < 5:
            claimed = await inbox.claim(name, 3, LEASE)
            idle = 0 if claimed else idle + 1
            for item in claimed:
                key = f"c{json.loads(item.payload)['message']['chat']['id']}"
                overlaps += key in busy
                busy.add(key)
                order[key].append(item.update_id)
                await asyncio.sleep(random.random() / 200)
                busy.discard(key)
                assert await inbox.finish(item.update_id, name)
            await asyncio.sleep(0.005)

    await asyncio.gather(*(claimer(f"i{n}") for n in range(4)))
    assert overlaps == 0
    assert sum(len(ids) for ids in order.values()) == 120
    assert all(ids == sorted(ids) for ids in order.values())


async def test_finished_updates_are_forgotten_after_a_day(store: str) -> None:
    clock.freeze(clock.now())
    for update_id in (1, 2, 3):
        await _store(update_id, 100 + update_id)
    for item in await inbox.claim("a", 2, LEASE):
        await inbox.finish(item.update_id, "a")
    clock.advance(inbox.KEEP_DONE - timedelta(minutes=1))
    assert await inbox.prune() == 0
    clock.advance(timedelta(minutes=2))
    assert await inbox.prune() == 2
    assert await InboxUpdate.all().values_list("update_id", flat=True) == [3]  # unfinished


async def test_only_the_sender_lease_holder_prunes_and_not_too_often(store: str) -> None:
    clock.freeze(clock.now())
    await _store(1, 100)
    (item,) = await inbox.claim("a", 1, LEASE)
    await inbox.finish(item.update_id, "a")
    clock.advance(inbox.KEEP_DONE + timedelta(minutes=1))
    leases = Leases("a")
    pruner = Pruner(leases)
    assert await pruner() == 0  # not the holder
    leases.held.add("sender")
    assert await pruner() == 1
    await _store(2, 100)
    (item,) = await inbox.claim("a", 1, LEASE)
    await inbox.finish(item.update_id, "a")
    clock.advance(inbox.KEEP_DONE + timedelta(minutes=1))
    assert await pruner() == 0  # pruned less than ten minutes ago


async def test_a_claim_takes_no_more_than_its_limit(store: str) -> None:
    """PostgreSQL ran an ``IN (… LIMIT n FOR UPDATE SKIP LOCKED)`` subquery again and claimed
    every row; both the inbox and the outbox pick their rows once."""
    for update_id in range(1, 6):
        await _store(update_id, 100 + update_id)
        # rows as a broadcast queues them (its recipients query chose who may be told)
        row = new_message(chat_id=100 + update_id, template="broadcast-text", args={}, kind="x")
        await row.save()
    assert len(await inbox.claim("a", 2, LEASE)) == 2
    assert len(await outbox_delivery.claim_due(2, LEASE, holder="a")) == 2


async def test_the_receiving_instance_processes_at_once(store: str) -> None:
    """No waiting for the poll interval: storing an update wakes the worker."""
    app = _App()
    worker = InboxWorker(app, "i0", poll_interval=30)  # type: ignore[arg-type]
    await worker.start()
    try:
        await asyncio.sleep(0.1)  # idle, waiting
        for update_id in (1, 2, 3):
            assert await worker.receive(_message(update_id, 100))
        assert not await worker.receive(_message(3, 100))  # a redelivery
        await until(lambda: app.seen == [1, 2, 3], 5)
    finally:
        await worker.stop()
