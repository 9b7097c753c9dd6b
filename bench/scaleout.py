"""Several instances on PostgreSQL: updates/s and latency through 1, 2 and 3 webhook
instances, and what the inbox costs one instance, in one run.

    JIFEN_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test \\
        .venv/bin/python -m bench.scaleout [--users 50] [--duration 5] [--rate 100]

1. *Scale-out*: ``jifen run`` processes in webhook mode behind a round-robin balancer
   (tests/instances/cluster.py), members sending /balance in a closed loop (each waits for
   its reply): replies/s, p50 and p99 for 1, 2 and 3 instances.
2. *The inbox on one instance*: /balance at ``--rate``/s in process, PTB's own polling
   (updates handled in memory, as before the inbox) against the inbox path of ``jifen run``
   (the poller stores, the worker claims, processes, finishes), on the same database; the
   bare PTB echo bot at the same rate is the noise floor.

Every process shares the machine's cores with the emulator, the load generator and
PostgreSQL: on a small machine adding instances cannot add throughput, it only shows that
the instances share the work without losing order or replies.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
from telegram.ext import Application

from bench.bot import QueryCounter, _jifen_factory, _seed
from bench.echo_baseline import (
    FIRST_USER_ID,
    LoadResult,
    _closed_loop,
    _ReplyClock,
    build_echo_app,
    print_table,
    run_load,
)
from bot.emulator import BotApiEmulator
from bot.inbox import InboxWorker, Poller
from bot.settings import load_settings
from models.ledger import rule_versions
from models.store import db
from tests.instances.cluster import Cluster

RATE_ENV = {"JIFEN_OUTBOX__MESSAGES_PER_SECOND": "1000", "JIFEN_SCHEDULER__ENABLED": "false"}


@contextlib.asynccontextmanager
async def _database(base: str) -> AsyncIterator[str]:
    name = f"jifen_bench_{uuid.uuid4().hex[:8]}"
    admin = "postgresql://" + base.split("://", 1)[1]
    conn = await asyncpg.connect(admin)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    try:
        yield f"{base.rpartition('/')[0]}/{name}"
    finally:
        conn = await asyncpg.connect(admin)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


async def _scale_out(url: str, users: int, duration: float, folder: Path) -> list[LoadResult]:
    results = []
    user_ids = [FIRST_USER_ID + n for n in range(users)]
    async with BotApiEmulator() as emu:
        for user_id in user_ids:
            emu.add_user(user_id, f"User{user_id}")
        for count in (1, 2, 3):
            cluster = Cluster(emu, url, folder)
            try:
                await cluster.start(count, **RATE_ENV)
                if count == 1:
                    await db.open_store(url, apply_migrations=False)
                    await _seed(emu, user_ids)
                result = LoadResult(f"{count} webhook instance(s)", users, None)
                clock = _ReplyClock(emu, result)
                collector = asyncio.create_task(clock.run())
                started = time.perf_counter()
                await _closed_loop(clock, user_ids, duration, lambda k: "/balance")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(clock.drained.wait(), 10)
                result.elapsed = time.perf_counter() - started
                collector.cancel()
                clock.close()
                results.append(result)
            finally:
                await cluster.stop()
    await db.close_store()
    return results


@contextlib.asynccontextmanager
async def _through_the_inbox(emu: BotApiEmulator, app: Application) -> AsyncIterator[None]:
    """``jifen run``'s path in process: the poller stores, the worker processes."""
    await app.initialize()
    assert app.post_init is not None and app.post_shutdown is not None
    await app.post_init(app)
    await app.start()
    worker = InboxWorker(app, "bench")
    await worker.start()
    poller = Poller(app, worker, timeout=1)
    await poller.start()
    try:
        yield
    finally:
        await poller.stop()
        await worker.stop()
        await app.stop()
        await app.shutdown()
        await app.post_shutdown(app)


async def _inbox_cost(
    url: str, users: int, rate: float, duration: float
) -> tuple[list[LoadResult], list[float]]:
    settings = load_settings(
        database={"url": url},
        scheduler={"enabled": False},
        security={"secret": "bench-secret"},
        outbox={"messages_per_second": 1000},
    )
    await db.open_store(url)
    rule_versions.invalidate()
    await rule_versions.ensure_seeded(settings.rules)

    results = [await run_load(build_echo_app, users=users, rate=rate, duration=duration)]
    common: dict[str, Any] = {
        "users": users,
        "rate": rate,
        "duration": duration,
        "text": lambda k: "/balance",
    }
    statements: list[float] = []
    try:
        for label, serve in (
            ("/balance in memory (before)", None),
            ("/balance via the inbox (after)", _through_the_inbox),
        ):

            async def prepare(emu: BotApiEmulator, user_ids: list[int]) -> None:
                await _seed(emu, user_ids)
                counter.count = 0  # the load only

            with QueryCounter() as counter:
                result = await run_load(
                    _jifen_factory(settings), label=label, serve=serve, **common, prepare=prepare
                )
            results.append(result)
            statements.append(counter.count / max(1, len(result.latencies)))
    finally:
        await db.close_store()
    return results, statements


async def _main(args: argparse.Namespace) -> None:
    base = args.database or os.environ.get("JIFEN_TEST_POSTGRES_URL", "")
    if not base:
        raise SystemExit("set JIFEN_TEST_POSTGRES_URL (or --database) to a PostgreSQL URL")
    with tempfile.TemporaryDirectory() as tmp:
        async with _database(base) as url:
            scale = await _scale_out(url, args.users, args.duration, Path(tmp))
        async with _database(base) as url:
            inbox, statements = await _inbox_cost(url, args.users, args.rate, args.duration)
    print("Scale-out: /balance, closed loop, webhook instances on one PostgreSQL")
    print_table(scale)
    print()
    print(f"One instance, /balance at {args.rate:g}/s: before vs after the inbox")
    print_table(inbox)
    before, after = statements
    print(f"statements per reply (this process): before {before:.1f}, after {after:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50, help="simulated members")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per level")
    parser.add_argument("--rate", type=float, default=30, help="/balance per second (part 2)")
    parser.add_argument("--database", default="", help="PostgreSQL URL to create databases next to")
    asyncio.run(_main(parser.parse_args()))


if __name__ == "__main__":
    main()
