"""``jifen import members`` throughput against a bare ``executemany`` of the same rows.

Run: ``.venv/bin/python -m bench.import [--n N] [--postgres URL]``. Writes a CSV of N
members (phone, name, language, birthday, a tier for one in ten, an opening balance for
six in seven), then on a fresh database each time:

- baseline: the member, entry and lot rows the import ends up with, already encoded,
  inserted by three ``executemany`` in one transaction (no parsing, no checks, no reads);
- import: the whole ``import_members`` (read, check every row, normalise phones, look
  the store up per batch, write);
- re-run: the same file again (nothing to write: every row is found unchanged);
- dry run: the same file checked against an empty store.

Target (DESIGN): 100,000 rows in ≤ 20 s on SQLite.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from pathlib import Path

from bench.scratch import create_postgres, drop_postgres
from models import importing
from models.ledger import doctor
from models.ledger.config import RuleSet, TierLevel, Tiers
from models.store import clock, db, sql
from models.store.tables import Member

Scratch = Callable[[], Awaitable[tuple[str, Callable[[], Awaitable[None]]]]]
"""A fresh database: its URL and how to drop it."""
HEADER = "external_id,phone,name,language,birthday,tier,points,points_expire_on,joined_on"


def write_csv(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER + "\n")
        for i in range(n):
            tier = "gold" if i % 10 == 0 else ""
            language = "zh-Hans" if i % 2 else "en"
            out.write(
                f"OLD-{i},138{i:08d},Member {i},{language},1985-03-04,{tier},"
                f"{i % 7 * 150},,2020-01-01\n"
            )


async def baseline(n: int) -> float:
    """Seconds for three bare ``executemany`` of the same rows in one transaction."""
    now, later = clock.now(), clock.now() + timedelta(days=365)
    born = date(1985, 3, 4) if sql.pg() else "1985-03-04"
    members = [
        [i + 1, f"OLD-{i}", f"C{i:07d}", f"t{i:021d}", f"R{i:07d}", f"Member {i}", "",
         f"+86138{i:08d}", born, "en", False, True, True, "member", i % 7 * 150, now]
        for i in range(n)
    ]  # fmt: skip
    points = [(i + 1, i % 7 * 150) for i in range(n) if i % 7]
    entries = [
        [k, k, "opening", p, p, f"opening:{k}", '{"source": "bench"}', "import", now]
        for k, p in points
    ]
    lots = [[k, k, p, p, later, now] for k, p in points]
    start = time.perf_counter()
    async with db.write_transaction() as conn:
        await sql.execute_many(
            conn,
            "INSERT INTO member (id, external_id, code, card_token, referral_code, first_name,"
            " last_name, phone, birthday, language, marketing_opt_in, notifications_enabled,"
            " reachable, tier, balance, created_at) VALUES"
            " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            members,
        )
        await sql.execute_many(
            conn,
            "INSERT INTO ledger_entry (id, member_id, kind, points, balance_after,"
            " idempotency_key, breakdown, channel, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            entries,
        )
        await sql.execute_many(
            conn,
            "INSERT INTO point_lot (member_id, entry_id, points, remaining, expires_at,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?)",
            lots,
        )
    return time.perf_counter() - start


async def _import(path: Path, rules: RuleSet, *, dry_run: bool = False) -> float:
    start = time.perf_counter()
    report = await importing.import_members(
        path,
        rules=rules,
        default_country="CN",
        timezone="Asia/Shanghai",
        now=clock.now(),
        dry_run=dry_run,
    )
    assert report.exit_code == 0, report.rejections[:3]
    return time.perf_counter() - start


async def measure(url_for: Scratch, path: Path, n: int) -> list[tuple[str, float, float]]:
    rules = RuleSet(
        tiers=Tiers(
            levels=(
                TierLevel(key="member", names={"en": "Member"}),
                TierLevel(key="gold", names={"en": "Gold"}, threshold=1000),
            )
        )
    )
    rows: list[tuple[str, float, float]] = []
    for name in ("baseline: bare executemany", "import", "re-run (no change)", "dry run"):
        url, cleanup = await url_for()
        await db.open_fresh_store(url)
        try:
            if name.startswith("re-run"):
                await _import(path, rules)
            cpu = time.process_time()
            if name.startswith("baseline"):
                wall = await baseline(n)
            elif name == "dry run":
                wall = await _import(path, rules, dry_run=True)
            else:
                wall = await _import(path, rules)
            rows.append((name, wall, time.process_time() - cpu))
            if name == "import":
                assert not await doctor.check()
                assert await Member.all().count() == n
        finally:
            await db.close_store()
            await cleanup()
    return rows


def _table(title: str, n: int, rows: list[tuple[str, float, float]]) -> None:
    """Wall seconds, and CPU seconds of this process (all its threads: SQLite's too),
    which a loaded machine disturbs far less."""
    base, base_cpu = rows[0][1], rows[0][2]
    print(f"\n{title}: {n:,} rows")
    print(f"{'step':<28}{'wall s':>8}{'rows/s':>9}{'× base':>8}{'cpu s':>8}{'× base':>8}")
    for name, wall, cpu in rows:
        print(
            f"{name:<28}{wall:>8.2f}{n / wall:>9.0f}{wall / base:>8.1f}"
            f"{cpu:>8.2f}{cpu / base_cpu:>8.1f}"
        )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000, help="rows in the file")
    parser.add_argument("--postgres", default=os.environ.get("JIFEN_TEST_POSTGRES_URL", ""))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "members.csv"
        write_csv(path, args.n)
        counter = iter(range(1_000_000))

        async def sqlite_url() -> tuple[str, Callable[[], Awaitable[None]]]:
            async def nothing() -> None:
                return None

            return f"sqlite://{tmp}/bench{next(counter)}.sqlite3", nothing

        _table("SQLite", args.n, await measure(sqlite_url, path, args.n))
        if args.postgres:

            async def pg_url() -> tuple[str, Callable[[], Awaitable[None]]]:
                url, name = await create_postgres(args.postgres)

                async def drop() -> None:
                    await drop_postgres(args.postgres, name)

                return url, drop

            _table("PostgreSQL", args.n, await measure(pg_url, path, args.n))


if __name__ == "__main__":
    asyncio.run(main())
