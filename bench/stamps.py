"""Stamping inside the purchase path: the purchase with an active stamp card type beside the
same purchase without one, and a bare Tortoise transaction, in the same run.

Run: ``.venv/bin/python -m bench.stamps [--postgres URL] [--n N]``. PostgreSQL runs too
when ``--postgres`` or ``JIFEN_TEST_POSTGRES_URL`` is given (a scratch database is
created next to it and dropped). Prints per database the latency of one purchase at a
time (p50 and p99, ms) and its ratio to the bare baseline: ``in_transaction()`` with
one ``create()``.

Both purchase rows run the same ``ledger.earn_for_purchase`` on members of their own:
"without" before any card type exists (the stamping hook costs no trip then), "with"
after a coffee card (a stamp per purchase, 10 to fill, a voucher when full) is active,
so every tenth purchase of a member also fills a card and issues its voucher.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from collections.abc import Awaitable, Callable

from tortoise.transactions import in_transaction

from bench import scratch
from bench.ledger import RULES, _members
from models import ledger
from models.stamps import card_types, doctor, stamping
from models.store import clock, db
from models.store.tables import AuditLog, Reward, StampCardType

Latency = tuple[float, float]
"""(p50, p99) in milliseconds."""


async def _latencies(n: int, op: Callable[[int], Awaitable[object]]) -> Latency:
    took = []
    for i in range(n):
        start = time.perf_counter()
        await op(i)
        took.append((time.perf_counter() - start) * 1000)
    took.sort()
    return statistics.median(took), took[min(len(took) - 1, int(len(took) * 0.99))]


async def run(url: str, n: int) -> list[tuple[str, Latency]]:
    await db.open_fresh_store(url)
    try:
        members = await _members(40)
        plain, stamped = members[:20], members[20:]

        async def baseline(i: int) -> None:
            async with in_transaction():
                await AuditLog.create(actor_kind="system", action="bench", created_at=clock.now())

        def purchase(group: list, tag: str) -> Callable[[int], Awaitable[object]]:
            async def op(i: int) -> None:
                m = group[i % len(group)]
                await ledger.earn_for_purchase(
                    m.id, 3800, "CNY", idempotency_key=f"{tag}{i}", rules=RULES
                )

            return op

        rows = [("baseline: in_transaction + create", await _latencies(n, baseline))]
        rows.append(("purchase, no card type", await _latencies(n, purchase(plain, "p"))))
        reward = await Reward.create(
            names={"en": "Free coffee"}, kind="gift", cost_points=0, created_at=clock.now()
        )
        made = await card_types.create(
            {"names": {"en": "Coffee card"}, "stamps_needed": 10, "reward_id": reward.id}, None
        )
        assert isinstance(made, StampCardType), made
        stamping.forget()
        rows.append(("purchase + stamp (coffee card)", await _latencies(n, purchase(stamped, "s"))))
        assert not await doctor.check()
        return rows
    finally:
        await db.close_store()


def _table(title: str, rows: list[tuple[str, Latency]]) -> None:
    base = rows[0][1][0]
    print(f"\n{title}")
    print(f"{'operation':<36}{'p50 ms':>9}{'p99 ms':>9}{'p50 × base':>12}")
    for name, (p50, p99) in rows:
        print(f"{name:<36}{p50:>9.2f}{p99:>9.2f}{p50 / base:>12.2f}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", default=os.environ.get("JIFEN_TEST_POSTGRES_URL", ""))
    parser.add_argument("--n", type=int, default=1000, help="purchases per measurement")
    args = parser.parse_args()
    async for label, url in scratch.databases(args.postgres):
        _table(f"{label}, one purchase at a time", await run(url, args.n))


if __name__ == "__main__":
    asyncio.run(main())
