"""The console's reads on a large store: member search and pages, and the dashboard summary.

    .venv/bin/python -m bench.console [--members 100000 --entries 1000000] [--repeat 50]
                                      [--postgres postgres://…]

Generates the seeded, ledger-consistent data set of ``tests.reports.dataset`` with bulk
inserts (as ``bench.reports`` does; phone numbers added by one UPDATE) into a scratch
SQLite database and, with ``--postgres`` (default ``$JIFEN_TEST_POSTGRES_URL``), a
scratch PostgreSQL one, then times each console read ``--repeat`` times and prints p50
and p99 in milliseconds beside a bare indexed query measured in the same run (a keyset
page of ``member`` by primary key). Goal: p99 ≤ 100 ms for every member-list read and
the 7-day summary at 100,000 members and 1,000,000 ledger entries. The summaries read the
closed days kept by :mod:`models.reports.rollup` (the warm-up call keeps them, as a first
visit does); the last row drops them before every call: the price of that first visit.

Run it on a quiet machine (``uptime`` before and after): figures taken while other work
shares the cores are not results.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

from api.routes.reports import summary_body
from bench import reports as seeding
from bench import scratch
from bot.settings import Settings
from models.ledger import rule_versions
from models.members import directory
from models.reports import rollup
from models.reports.periods import Period, parse_period
from models.store import clock, db
from tests.reports import dataset

Read = Callable[[random.Random], Awaitable[Any]]


async def seed(members: int, entries: int) -> None:
    await seeding.generate(members, entries)
    phone = (
        "'+86138' || substr('00000000' || id, -8)"
        if db.dialect() == "sqlite"
        else "'+86138' || lpad(id::text, 8, '0')"
    )
    await db.connection().execute_script(f"UPDATE member SET phone = {phone}")
    if db.dialect() == "postgres":  # planner statistics, as autovacuum has them by then
        await db.connection().execute_script("VACUUM ANALYZE")


def _period(text: str) -> Period:
    found = parse_period(text, seeding.TZ)
    assert isinstance(found, Period), found
    return found


def reads(members: int) -> list[tuple[str, Read]]:
    """(name, one timed call) in table order; the first is the bare baseline."""

    async def bare(rng: random.Random) -> Any:
        start = rng.randint(1, members)
        return await db.connection().execute_query_dict(
            "SELECT id, code, balance FROM member WHERE id > ? ORDER BY id LIMIT 51"
            if db.dialect() == "sqlite"
            else "SELECT id, code, balance FROM member WHERE id > $1 ORDER BY id LIMIT 51",
            [start],
        )

    def listing(**selection: Any) -> Read:
        async def read(rng: random.Random) -> Any:
            return await directory.page(directory.Selection(**selection))

        return read

    async def deep_page(rng: random.Random) -> Any:
        first = await directory.page(
            directory.Selection(sort=directory.Sort.BALANCE), limit=rng.randint(1, 200)
        )
        return await directory.page(
            directory.Selection(sort=directory.Sort.BALANCE), after=first.next
        )

    def search(make: Callable[[random.Random], str]) -> Read:
        async def read(rng: random.Random) -> Any:
            return await directory.page(directory.Selection(text=make(rng)))

        return read

    async def summary_7d(rng: random.Random) -> Any:
        return await summary_body(_period("7d"), None)

    async def summary_30d(rng: random.Random) -> Any:
        return await summary_body(_period("30d"), None)

    async def summary_7d_cold(rng: random.Random) -> Any:
        await rollup.forget()  # every closed day computed again, as on a first visit
        return await summary_body(_period("7d"), None)

    return [
        ("bare keyset page (baseline)", bare),
        ("members, newest first", listing()),
        ("members by balance", listing(sort=directory.Sort.BALANCE)),
        ("members by last purchase", listing(sort=directory.Sort.LAST_PURCHASE)),
        ("members by name, ascending", listing(sort=directory.Sort.NAME, descending=False)),
        ("members of a tier by balance", listing(tier="gold", sort=directory.Sort.BALANCE)),
        ("members who bought within 30 days", listing(visit=directory.Visit.WITHIN)),
        ("the page after a cursor", deep_page),
        ("search: a name", search(lambda rng: f"Name{rng.randint(1, members)}")),
        ("search: a member code", search(lambda rng: f"M{rng.randint(1, members):07d}")),
        ("search: a phone's last digits", search(lambda rng: f"{rng.randint(1, members):08d}")),
        ("search: nobody", search(lambda rng: "zzqx")),
        ("dashboard summary, 7 days", summary_7d),
        ("dashboard summary, 30 days", summary_30d),
        ("dashboard summary, 7 days, no kept days", summary_7d_cold),
    ]


async def measure(read: Read, repeat: int, rng: random.Random) -> tuple[float, float]:
    """p50 and p99 in milliseconds (one warm-up call first)."""
    await read(rng)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        await read(rng)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p99 = times[min(len(times) - 1, round(0.99 * (len(times) - 1)))]
    return statistics.median(times), p99


def _settle(below: float = 0.5, at_most: float = 180.0) -> None:
    """Wait (at most ``at_most`` s) for the one-minute load to fall below ``below`` after
    seeding, so the timed reads do not share the cores with its after-effects."""
    started = time.perf_counter()
    while os.getloadavg()[0] >= below and time.perf_counter() - started < at_most:
        time.sleep(5)  # nothing else runs meanwhile: blocking the loop is the point
    print(f"load {os.getloadavg()[0]:.2f} before the timed reads")


async def run(url: str, label: str, args: argparse.Namespace) -> None:
    await db.open_fresh_store(url)
    clock.freeze(dataset.NOW)
    rule_versions.invalidate()
    try:
        await rule_versions.ensure_seeded(Settings().rules)
        started = time.perf_counter()
        await seed(args.members, args.entries)
        rows = await db.connection().execute_query_dict("SELECT COUNT(*) AS n FROM ledger_entry")
        print(
            f"\n{label}: {args.members:,} members, {rows[0]['n']:,} ledger entries "
            f"(seeded in {time.perf_counter() - started:.1f} s)"
        )
        _settle()
        print(f"{'read':<40}{'p50 ms':>9}{'p99 ms':>9}{'p99 × base':>12}")
        rng = random.Random(7)
        base_p99 = 0.0
        for name, read in reads(args.members):
            p50, p99 = await measure(read, args.repeat, rng)
            base_p99 = base_p99 or p99
            print(f"{name:<40}{p50:>9.2f}{p99:>9.2f}{p99 / base_p99:>12.1f}")
    finally:
        clock.unfreeze()
        rule_versions.invalidate()
        await db.close_store()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=50, help="timed calls per read")
    parser.add_argument("--postgres", default=os.environ.get("JIFEN_TEST_POSTGRES_URL", ""))
    args = parser.parse_args()
    async for label, url in scratch.databases(args.postgres, sqlite_name="console.sqlite3"):
        await run(url, label, args)


if __name__ == "__main__":
    asyncio.run(main())
