"""Broadcast throughput of the outbox sender through the Bot API emulator.

The emulator runs in the bench's process (``--emulator-process`` puts it in its own, as
Telegram is another machine; on a busy 2-core box that adds cross-process jitter). It
enforces Telegram's flood limits (sliding one-second window) at the limit
under test, so any overshoot shows up as a provoked 429. Reported: messages/s achieved as
a fraction of the limit (target ≥ 0.95) with zero 429s, at the default 30/s and at a paid
broadcast's 1000/s, next to a bare baseline measured in the same run: a raw
``bot.send_message`` loop, no limiter, no database (run with limits off for its raw speed,
and with limits on to show what ignoring them costs). The sender's rows also show their
rate as a fraction of that bare loop (``of bare``): on a 2-core box with the emulator in
the same process the bare loop itself stays below 1000/s, so that column says how much of
the reachable speed the sender uses, the ``of limit`` column how much of the limit.
The bare loop keeps ``--bare-workers`` calls in flight (8 by default: httpcore scans every
pooled connection on each request, so 64 or more in flight is slower in process).

    .venv/bin/python -m bench.broadcast                   # ~1.5 minutes
    .venv/bin/python -m bench.broadcast --members 10000   # the full size at 30/s: ~6 minutes
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from telegram import Bot
from telegram.error import RetryAfter, TelegramError
from telegram.request import HTTPXRequest

from bot.emulator import BotApiEmulator
from bot.emulator.server import DEFAULT_TOKEN
from bot.settings import load_settings
from models.store import clock, db
from models.store.tables import Broadcast, BroadcastStatus, Member, OutboxMessage
from scheduler.sender import OutboxSender

FIRST_ID = 1_000_000


@dataclass
class Row:
    run: str
    limit: int | None
    messages: int
    seconds: float
    provoked_429: int
    bare: float | None = None  # msg/s of the same run's bare loop, limits off

    @property
    def rate(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0


async def serve_emulator(first: int, count: int, limit: int | None) -> None:
    """Child process: an emulator with ``count`` users; prints its URL, stops on stdin EOF."""
    async with BotApiEmulator() as emu:
        for tg in range(first, first + count):
            emu.add_user(tg, f"U{tg}")
        if limit is not None:
            emu.enforce_limits(global_per_s=limit, per_chat_per_s=1)
        print(emu.base_url, flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
        print(emu.stats.too_many_requests, flush=True)


SEPARATE_PROCESS = False
BARE_WORKERS = 8


@contextlib.asynccontextmanager
async def emulator_bot(first: int, count: int, limit: int | None) -> AsyncIterator[Bot]:
    """A PTB Bot talking to a fresh emulator (in this process unless ``SEPARATE_PROCESS``)."""
    request = HTTPXRequest(connection_pool_size=256, pool_timeout=30)
    if not SEPARATE_PROCESS:
        async with BotApiEmulator() as emu:
            for tg in range(first, first + count):
                emu.add_user(tg, f"U{tg}")
            if limit is not None:
                emu.enforce_limits(global_per_s=limit, per_chat_per_s=1)
            async with Bot(emu.token, base_url=emu.base_url, request=request) as bot:
                yield bot
        return
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.broadcast",
        "--serve-emulator",
        str(first),
        str(count),
        str(limit or 0),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert child.stdout is not None and child.stdin is not None
    base_url = (await child.stdout.readline()).decode().strip()
    try:
        async with Bot(DEFAULT_TOKEN, base_url=base_url, request=request) as bot:
            yield bot
    finally:
        child.stdin.close()
        await child.wait()


async def _seed(members: int, offset: int) -> int:
    """``members`` members and one pending broadcast row each; the broadcast id."""
    now = clock.now()
    first = FIRST_ID + offset
    await Member.bulk_create(
        [
            Member(
                telegram_id=tg,
                code=f"B{tg}",
                card_token=f"b{tg}",
                referral_code=f"B{tg}",
                created_at=now,
            )
            for tg in range(first, first + members)
        ],
        batch_size=1000,
    )
    ids = await Member.filter(telegram_id__gte=first).values_list("id", "telegram_id")
    broadcast = await Broadcast.create(
        created_by=1,
        text="Sale",
        status=BroadcastStatus.SENDING,
        total=members,
        created_at=now,
        started_at=now,
    )
    await OutboxMessage.bulk_create(
        [
            OutboxMessage(
                chat_id=tg,
                member_id=mid,
                kind="broadcast",
                template="broadcast-text",
                args={"text": "Spring sale: double points all week"},
                language="en",
                broadcast_id=broadcast.id,
                next_attempt_at=now,
                created_at=now,
            )
            for mid, tg in ids
        ],
        batch_size=1000,
    )
    return broadcast.id


async def outbox_run(limit: int, members: int, offset: int) -> Row:
    await _seed(members, offset)
    settings = load_settings(
        outbox={"messages_per_second": limit, "per_chat_per_second": 1, "batch_size": 10_000}
    )
    async with emulator_bot(FIRST_ID + offset, members, limit) as bot:
        sender = OutboxSender(bot, settings)
        started = time.perf_counter()
        await sender.run_until_idle()
        elapsed = time.perf_counter() - started
    return Row(
        f"outbox sender @ {limit}/s", limit, sender.stats.sent, elapsed, sender.stats.flood_waits
    )


async def bare_run(limit: int | None, members: int, offset: int) -> Row:
    """A raw send loop (``BARE_WORKERS`` in flight, so round trips overlap): no limiter, no
    database."""
    first = FIRST_ID + offset
    chats = iter(range(first, first + members))
    accepted = refused = 0

    async def worker(bot: Bot) -> None:
        nonlocal accepted, refused
        for chat in chats:
            try:
                await bot.send_message(chat, "Spring sale: double points all week")
                accepted += 1
            except RetryAfter:
                refused += 1
            except TelegramError:
                pass

    async with emulator_bot(first, members, limit) as bot:
        started = time.perf_counter()
        await asyncio.gather(*(worker(bot) for _ in range(BARE_WORKERS)))
        elapsed = time.perf_counter() - started
    label = "bare send loop, limits off" if limit is None else f"bare send loop vs {limit}/s"
    return Row(label, limit, accepted, elapsed, refused)


async def main(members: int, paid_members: int, database: str | None) -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        await db.open_fresh_store(database or f"sqlite://{Path(tmp)}/bench.sqlite3")
        try:
            rows.append(await bare_run(None, paid_members, 0))
            rows.append(await bare_run(30, min(members, 1000), paid_members))
            rows.append(await outbox_run(30, members, 2 * paid_members))
            rows.append(await outbox_run(1000, paid_members, 2 * paid_members + members))
            for row in rows[2:]:
                row.bare = rows[0].rate
        finally:
            await db.close_store()
    return rows


def print_table(rows: list[Row]) -> None:
    print(
        f"{'run':<30} {'limit/s':>8} {'messages':>9} {'seconds':>8} {'msg/s':>8}"
        f" {'of limit':>9} {'of bare':>8} {'429s':>13}"
    )
    for r in rows:
        share = f"{r.rate / r.limit:.3f}" if r.limit else "-"
        of_bare = f"{r.rate / r.bare:.3f}" if r.bare else "-"
        print(
            f"{r.run:<30} {r.limit or '-':>8} {r.messages:>9} {r.seconds:>8.2f} {r.rate:>8.1f}"
            f" {share:>9} {of_bare:>8} {r.provoked_429:>13}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--members",
        type=int,
        default=2000,
        help="recipients of the 30/s broadcast (10000 = the full size, 333 s)",
    )
    parser.add_argument(
        "--paid-members", type=int, default=10_000, help="recipients of the 1000/s paid broadcast"
    )
    parser.add_argument("--database", help="database URL (default: a fresh SQLite file)")
    parser.add_argument(
        "--emulator-process", action="store_true", help="run the emulator in a separate process"
    )
    parser.add_argument(
        "--bare-workers", type=int, default=BARE_WORKERS, help="calls in flight in the bare loop"
    )
    parser.add_argument("--serve-emulator", nargs=3, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_emulator:
        first, count, limit = args.serve_emulator
        asyncio.run(serve_emulator(first, count, limit or None))
        sys.exit()
    SEPARATE_PROCESS = args.emulator_process
    BARE_WORKERS = args.bare_workers
    print_table(asyncio.run(main(args.members, args.paid_members, args.database)))
