"""Three ``jifen run`` in webhook mode on one PostgreSQL behind a round-robin balancer."""

from __future__ import annotations

import asyncio
import stat
import time
from collections import Counter
from pathlib import Path

from bot.emulator import BotApiEmulator
from models.delivery.outbox import new_message
from models.store import db
from models.store.tables import OutboxMessage, OutboxStatus, SchedulerLease
from tests.instances.cluster import Cluster, until, until_true

RECEIPTS = 90
DUPLICATE_WINDOW = 8
"""At most this many receipts may arrive twice after two kill -9s: the sender's calls in
flight plus those accepted in the last ~20 ms before it died (scheduler/sender.py)."""


async def _queue_receipts(emu: BotApiEmulator, count: int) -> list[int]:
    chats = list(range(50_000, 50_000 + count))
    for chat in chats:
        emu.add_user(chat, f"M{chat}")
    for chat in chats:  # rows as a broadcast queues them (its query chose who may be told)
        args = {"text": f"receipt {chat}"}
        await new_message(chat_id=chat, template="broadcast-text", args=args, kind="x").save()
    return chats


def first_line(text: str) -> str:
    return text.split("\n", 1)[0]


def _received(emu: BotApiEmulator, chats: list[int]) -> Counter[int]:
    return Counter(
        {
            # the first line: a broadcast text ends with how to stop marketing messages
            chat: sum(
                1 for m in emu.transcript(chat) if first_line(m.visible_text) == f"receipt {chat}"
            )
            for chat in chats
        }
    )


async def test_receipts_survive_two_kills_without_a_429(cluster: Cluster) -> None:
    emu = cluster.emu
    await cluster.start(3, JIFEN_OUTBOX__MESSAGES_PER_SECOND="30")
    emu.enforce_limits(global_per_s=30, per_chat_per_s=1)
    await db.open_store(cluster.database_url, apply_migrations=False)
    chats = await _queue_receipts(emu, RECEIPTS)
    cashier = emu.player(7002, "Cashier")
    await cashier.send("/help")  # a person talks to the bot in the middle of the burst
    await until(lambda: any(m.outgoing for m in cashier.transcript), 30)
    # replies go first: the answer came while receipts were still going out, not after
    receipts_before_reply = sum(1 for n in _received(emu, chats).values() if n)

    await until(lambda: sum(1 for n in _received(emu, chats).values() if n) >= RECEIPTS // 3, 60)
    sender = (await SchedulerLease.get(name="sender")).holder
    by_name = {i.name: i for i in cluster.instances}
    victims = [sender, next(n for n in by_name if n != sender)]
    for name in victims:
        by_name[name].kill()
    killed_at = time.monotonic()
    survivor = next(i for i in cluster.instances if i.alive)

    await until(lambda: all(_received(emu, chats).values()), 60)
    received = _received(emu, chats)
    assert set(received) == set(chats) and all(received.values())
    twice = sum(n - 1 for n in received.values())
    print(f"receipts delivered twice after two kill -9: {twice}")
    assert twice <= DUPLICATE_WINDOW, twice
    assert emu.stats.too_many_requests == 0
    assert receipts_before_reply < RECEIPTS, receipts_before_reply

    async def all_recorded() -> bool:
        return await OutboxMessage.filter(status=OutboxStatus.SENT).count() == RECEIPTS

    await until_true(all_recorded, 10)
    health = await cluster.health(survivor)
    assert health["instance"] == survivor.name and "sender" in health["leases"]
    assert time.monotonic() - killed_at < 60


async def test_a_member_talks_to_three_instances_in_order(cluster: Cluster) -> None:
    """Updates of one chat land on different instances and are answered in order."""
    emu = cluster.emu
    await cluster.start(3)
    alice = emu.player(7001, "Alice")
    await alice.send("/start")
    for _ in range(5):
        await alice.send("/help")
    await until(lambda: len([m for m in alice.transcript if m.outgoing]) >= 6, 60)
    assert cluster.forwarded >= 6
    healths = [await cluster.health(i) for i in cluster.instances]
    assert sorted(h["instance"] for h in healths) == ["i0", "i1", "i2"]
    assert all(h["inbox"]["pending"] == 0 for h in healths)


async def test_one_poller_and_a_takeover_when_it_dies(cluster: Cluster) -> None:
    """Polling mode: exactly one instance polls; kill -9 it and another polls within 10 s."""
    emu = cluster.emu
    await cluster.start(2, JIFEN_BOT__MODE="polling")
    alice = emu.player(7003, "Alice")
    await alice.send("/help")
    await until(lambda: len([m for m in alice.transcript if m.outgoing]) == 1, 30)
    healths = {i.name: await cluster.health(i) for i in cluster.instances}
    pollers = [name for name, h in healths.items() if "poller" in h["leases"]]
    assert len(pollers) == 1
    dead = next(i for i in cluster.instances if i.name == pollers[0])
    dead.kill()
    killed_at = time.monotonic()
    survivor = next(i for i in cluster.instances if i.alive)
    while "poller" not in (await cluster.health(survivor))["leases"]:
        assert time.monotonic() - killed_at < 10, "the poller lease was not taken over"
        await asyncio.sleep(0.1)
    await alice.send("/help")
    await until(lambda: len([m for m in alice.transcript if m.outgoing]) == 2, 30)


async def test_one_instance_on_sqlite_in_webhook_mode(emu: BotApiEmulator, tmp_path: Path) -> None:
    """SQLite keeps working for one instance, through the same inbox."""
    cluster = Cluster(emu, f"sqlite://{tmp_path}/data/jifen.sqlite3", tmp_path)
    try:
        await cluster.start(1)
        alice = emu.player(7004, "Alice")
        for _ in range(3):
            await alice.send("/help")
        await until(lambda: len([m for m in alice.transcript if m.outgoing]) == 3, 30)
        health = await cluster.health(cluster.instances[0])
        assert health["inbox"]["pending"] == 0 and "sender" in health["leases"]
    finally:
        await cluster.stop()
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700
