"""A coupon batch of 100,000 codes and its CSV, beside a bare ``executemany``, SQLite.

    .venv/bin/python -m bench.coupons [--size 100000] [--postgres URL]

Times ``coupons.generate_batch`` (codes, tokens, rows, the audit row: one transaction) and
``coupons.iter_csv`` (the CSV streamed a page at a time), next to the bare baseline: as
many (batch, code, token) rows, random codes and tokens made beforehand, written by one
``executemany`` in one transaction. Target: generate ≤ 5 s on SQLite (the first table).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time

from tortoise.transactions import in_transaction

from bench import report, scratch
from models.catalogue import coupons
from models.codes import tokens
from models.store import clock, db
from models.store.tables import Coupon, CouponBatch, Reward

Timing = tuple[float, float]
"""(wall seconds, CPU seconds of this process: the figure a loaded machine disturbs less)."""


async def measure(url: str, size: int) -> list[tuple[str, Timing]]:
    await db.open_fresh_store(url)
    try:
        reward = await Reward.create(
            names={"en": "Cookie"}, kind="gift", cost_points=0, created_at=clock.now()
        )
        bare_batch = await CouponBatch.create(
            name="bare", reward_id=reward.id, size=size, created_at=clock.now()
        )
        # the same rows as a batch writes: random codes and tokens (random keys cost more
        # in a unique index than sequential ones would)
        rows = [[bare_batch.id, code, tokens.token()] for code in tokens.human_codes(size)]
        started, cpu = time.perf_counter(), time.process_time()
        async with in_transaction() as conn:
            await conn.execute_many(
                "INSERT INTO coupon (batch_id, code, token) VALUES (?, ?, ?)"
                if db.dialect() == "sqlite"
                else "INSERT INTO coupon (batch_id, code, token) VALUES ($1, $2, $3)",
                rows,
            )
        bare = time.perf_counter() - started, time.process_time() - cpu
        await Coupon.filter(batch_id=bare_batch.id).delete()  # the batch starts as bare did
        started, cpu = time.perf_counter(), time.process_time()
        batch = await coupons.generate_batch(reward.id, size, actor_telegram_id=1)
        generated = time.perf_counter() - started, time.process_time() - cpu
        assert isinstance(batch, coupons.BatchCreated), batch
        started, cpu = time.perf_counter(), time.process_time()
        written = 0
        async for chunk in coupons.iter_csv(batch.batch_id, "https://t.me/bot?start="):
            written += len(chunk)
        exported = time.perf_counter() - started, time.process_time() - cpu
        print(f"  CSV: {written / 1e6:.1f} MB")
        return [
            (f"bare executemany of {size:,} rows", bare),
            (f"generate_batch({size:,})", generated),
            ("iter_csv (streamed)", exported),
        ]
    finally:
        await db.close_store()


def _table(title: str, rows: list[tuple[str, Timing]]) -> None:
    report.ratio_table(title, "step", ("seconds", "CPU s"), rows, decimals=2)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=coupons.MAX_BATCH)
    parser.add_argument("--postgres", default=os.environ.get("JIFEN_TEST_POSTGRES_URL", ""))
    args = parser.parse_args()
    async for label, url in scratch.databases(args.postgres):
        _table(label, await measure(url, args.size))


if __name__ == "__main__":
    asyncio.run(main())
