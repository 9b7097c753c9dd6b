"""Ledger throughput against a bare Tortoise baseline, and the 1M-lot expiry sweep.

Run: ``.venv/bin/python -m bench.ledger [--postgres URL] [--n N] [--lots N]``. PostgreSQL
runs too when ``--postgres`` or ``JIFEN_TEST_POSTGRES_URL`` is given (a scratch database
is created next to it and dropped). Prints one table per database.

The baseline is one ``in_transaction()`` with one ``create()``: the cheapest durable
write Tortoise can do. A store operation does more on purpose (lock the member, look
the key up, update the balance conditionally, append the entry, write the lot/draws, the
receipt), so the ratio says what the bookkeeping costs, measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta

from tortoise.transactions import in_transaction
from tqdm import tqdm

from bench import report, scratch
from models import ledger
from models.catalogue import vouchers
from models.codes import tokens
from models.ledger.config import EarningRules, RuleSet, UsageRules
from models.store import clock, db, group_commit, sql
from models.store.tables import AuditLog, Member, Reward

RULES = RuleSet(earning=EarningRules(min_purchase_minor=0), usage=UsageRules())


async def _members(n: int) -> list[Member]:
    now = clock.now()
    await Member.bulk_create(
        [
            Member(
                telegram_id=10_000 + i,
                code=f"B-{i:08d}",
                card_token=tokens.token(),
                referral_code=f"BR{i:08d}",
                created_at=now,
            )
            for i in range(n)
        ]
    )
    return await Member.all().order_by("id")


Rate = tuple[float, float]
"""(operations per second, operations per CPU-second of this process): on SQLite the
whole database runs in this process, so the second figure holds on a loaded machine."""


async def _timed(n: int, op: Callable[[int], Awaitable[object]]) -> Rate:
    """Rates of ``op(i)`` run ``n`` times in sequence."""
    return await _timed_together(n, 1, op)


async def _timed_together(n: int, callers: int, op: Callable[[int], Awaitable[object]]) -> Rate:
    """Rates of ``op(i)`` for ``i < n`` from ``callers`` concurrent callers."""
    jobs = iter(range(n))

    async def caller() -> None:
        for i in jobs:
            await op(i)

    start, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(caller() for _ in range(callers)))
    return n / (time.perf_counter() - start), n / (time.process_time() - cpu)


async def throughput(url: str, n: int, callers: int) -> list[list[tuple[str, Rate]]]:
    await db.open_fresh_store(url)
    try:
        members = await _members(50)
        reward = await Reward.create(
            names={"en": "b"}, kind="gift", cost_points=1, created_at=clock.now()
        )

        async def baseline(i: int) -> None:
            async with in_transaction():
                await AuditLog.create(actor_kind="system", action="bench", created_at=clock.now())

        async def earn(i: int) -> None:
            m = members[i % len(members)]
            await ledger.earn_for_purchase(
                m.id, 12850, "CNY", idempotency_key=f"e{i}", rules=RULES, rule_version_id=None
            )

        async def spend(i: int) -> None:
            m = members[i % len(members)]
            await ledger.spend(m.id, 1, idempotency_key=f"s{i}", reason="bench")

        issued = []

        async def issue(i: int) -> None:
            m = members[i % len(members)]
            issued.append(
                await vouchers.issue_for_reward(
                    m.id, reward.id, idempotency_key=f"v{i}", rules=RULES
                )
            )

        async def redeem(i: int) -> None:
            await vouchers.redeem(issued[i].code, staff_telegram_id=1)

        crowd = [
            (f"baseline × {callers} callers", await _timed_together(n, callers, baseline)),
            (
                f"earn_for_purchase × {callers} callers",
                await _timed_together(n, callers, lambda i: earn(n + i)),
            ),
            (
                f"spend × {callers} callers",
                await _timed_together(n, callers, lambda i: spend(n + i)),
            ),
        ]
        groups = group_commit.stats
        print(f"group commit: {groups.operations} operations in {groups.groups} transactions")
        rows = [("baseline: in_transaction + create", await _timed(n, baseline))]
        rows.append(("earn_for_purchase", await _timed(n, earn)))
        rows.append(("spend", await _timed(n, spend)))
        rows.append(("issue_for_reward", await _timed(n, issue)))
        rows.append(("redeem", await _timed(n, redeem)))
        problems = await __import__("models.ledger.doctor", fromlist=["check"]).check()
        assert not problems, problems[:5]
        return [rows, crowd]
    finally:
        await db.close_store()


async def expiry(lots: int, per_member: int = 10) -> tuple[float, float, int]:
    """Generate ``lots`` due lots set-based, then time ``expire_due``: (gen s, sweep s, pts)."""
    path = tempfile.mkdtemp(prefix="jifen-bench-")
    await db.open_fresh_store(f"sqlite://{path}/expiry.sqlite3")
    try:
        conn = db.connection()
        members = lots // per_member
        now = clock.now()
        past = now - timedelta(days=1)
        chunk = 100_000 // per_member
        start = time.perf_counter()
        with tqdm(total=lots, desc="generating lots", unit="lot") as bar:
            for first in range(0, members, chunk):
                last = min(members, first + chunk)
                seq = "WITH RECURSIVE s(n) AS (SELECT ? UNION ALL SELECT n + 1 FROM s WHERE n < ?)"
                await sql.execute(
                    conn,
                    f"{seq} INSERT INTO member (id, code, card_token, referral_code, first_name,"
                    " last_name, language, marketing_opt_in, notifications_enabled, reachable,"
                    " tier, balance, created_at) SELECT n, 'X' || n, 't' || n, 'r' || n, '', '',"
                    " 'en', 0, 1, 1, 'member', ?, ? FROM s",
                    first + 1,
                    last,
                    per_member * 10,
                    now,
                )
                await sql.execute(
                    conn,
                    f"{seq} INSERT INTO ledger_entry (id, member_id, kind, points, balance_after,"
                    " breakdown, channel, created_at) SELECT n, n, 'earn', ?, ?, '{{}}', 'bench', ?"
                    " FROM s",
                    first + 1,
                    last,
                    per_member * 10,
                    per_member * 10,
                    past,
                )
                await sql.execute(
                    conn,
                    "WITH RECURSIVE s(n) AS (SELECT ? UNION ALL SELECT n + 1 FROM s WHERE n < ?)"
                    " INSERT INTO point_lot (member_id, entry_id, points, remaining, expires_at,"
                    " created_at) SELECT (n - 1) / ? + 1, (n - 1) / ? + 1, 10, 10, ?, ? FROM s",
                    first * per_member + 1,
                    last * per_member,
                    per_member,
                    per_member,
                    past,
                    past,
                )
                bar.update((last - first) * per_member)
        generated = time.perf_counter() - start
        start = time.perf_counter()
        run = await ledger.expire_due(now)
        swept = time.perf_counter() - start
        start = time.perf_counter()
        from models.ledger import doctor

        assert not await doctor.check()
        checked = time.perf_counter() - start
        print(f"doctor over {members:,} members / {lots:,} lots: {checked:.2f} s")
        return generated, swept, run.points
    finally:
        await db.close_store()


def _table(title: str, rows: list[tuple[str, Rate]]) -> None:
    report.ratio_table(title, "operation", ("ops/s", "ops/CPU-s"), rows)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", default=os.environ.get("JIFEN_TEST_POSTGRES_URL", ""))
    parser.add_argument("--n", type=int, default=1000, help="operations per measurement")
    parser.add_argument("--callers", type=int, default=32, help="concurrent callers")
    parser.add_argument("--lots", type=int, default=1_000_000, help="lots for the sweep")
    args = parser.parse_args()
    async for label, url in scratch.databases(args.postgres):
        alone, together = await throughput(url, args.n, args.callers)
        _table(f"{label}, one caller at a time", alone)
        _table(f"{label}, concurrent callers", together)
    if args.lots:
        generated, swept, points = await expiry(args.lots)
        print(
            f"\nexpiry sweep, SQLite: {args.lots:,} lots ({points:,} points) in {swept:.2f} s"
            f" (generated in {generated:.1f} s; target ≤ 15 s)"
        )


if __name__ == "__main__":
    asyncio.run(main())
