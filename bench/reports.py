"""Time every report, segment query and export on a large generated store.

    .venv/bin/python -m bench.reports [--members 100000 --entries 1000000]
                                      [--database-url sqlite:///tmp/bench.sqlite3]
                                      [--no-exports]

Generates the seeded, ledger-consistent data set of ``tests.reports.dataset`` (bulk
``executemany`` inside one transaction per 5,000 members) into a fresh SQLite file
unless ``--database-url`` names a store that already has members (so generate once with
``--database-url`` and pass the same URL again to reuse it), then prints a table
of timings beside a bare baseline measured in the same run (``SELECT COUNT(*) FROM
ledger_entry``), and the peak Python memory of each export (tracemalloc). Target: each
report ≤ 1 s on SQLite. ``--no-exports`` skips the exports (minutes on a large store).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from tqdm import tqdm

from models.exports.datasets import ExportFormat, ExportKind, export
from models.ledger.config import TierLevel, Tiers
from models.marketing import segments
from models.reports import series, summary
from models.reports.periods import Period, parse_period
from models.store import clock, db
from tests.reports import dataset

TIERS = Tiers(
    levels=(
        TierLevel(key="member", names={"en": "Member"}),
        TierLevel(key="silver", names={"en": "Silver"}, threshold=1000),
        TierLevel(key="gold", names={"en": "Gold"}, threshold=5000),
    )
)
TZ = "Asia/Shanghai"
ENTRIES_PER_EVENT = 0.87
"""Entries the generator makes per drawn event (purchases add reversals, some spends fail)."""


async def generate(members: int, entries: int) -> None:
    generator = dataset.Generator(
        7, days=365, entries_per_member=entries / members / ENTRIES_PER_EVENT
    )
    await dataset.seed_catalogue()
    chunk_size = 5000
    with tqdm(total=members, unit="member", desc="generating") as bar:
        for chunk in generator.chunks(members, chunk_size):
            await dataset.insert(chunk)
            bar.update(len(chunk.members))
    await dataset.fix_sequences()


def translate(key: str, **_: Any) -> str:
    return key


async def timed(fn: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = await fn()
    return time.perf_counter() - start, result


async def run(args: argparse.Namespace) -> None:
    url = args.database_url or f"sqlite://{tempfile.mkdtemp(prefix='jifen-bench-')}/bench.sqlite3"
    await db.open_fresh_store(url)
    clock.freeze(dataset.NOW)
    try:
        count = await db.connection().execute_query_dict("SELECT COUNT(*) AS n FROM member")
        if not count[0]["n"]:
            seconds, _ = await timed(lambda: generate(args.members, args.entries))
            print(f"generated in {seconds:.1f} s")
        totals = {
            table: (await db.connection().execute_query_dict(f"SELECT COUNT(*) AS n FROM {table}"))[
                0
            ]["n"]
            for table in ("member", "purchase", "ledger_entry", "voucher", "tier_change")
        }
        print(", ".join(f"{k}: {v:,}" for k, v in totals.items()), f"on {db.dialect()}")
        await bench(Path(tempfile.mkdtemp(prefix="jifen-exports-")), exports=not args.no_exports)
    finally:
        await db.close_store()


def period(text: str) -> Period:
    result = parse_period(text, TZ)
    assert isinstance(result, Period), result
    return result


async def bench(out: Path, *, exports: bool = True) -> None:
    rows: list[tuple[str, float, str, str]] = []
    baseline, _ = await timed(
        lambda: db.connection().execute_query_dict("SELECT COUNT(*) AS n FROM ledger_entry")
    )
    rows.append(("baseline: SELECT COUNT(*) FROM ledger_entry", baseline, "", ""))

    def summary_of(text: str, location: str | None = None) -> Callable[[], Awaitable[Any]]:
        return lambda: summary.summary(
            period(text), location=location, point_value_minor=Decimal(1), tiers=TIERS
        )

    cases: list[tuple[str, Callable[[], Awaitable[Any]]]] = [
        ("summary today", summary_of("today")),
        ("summary 7d", summary_of("7d")),
        ("summary 30d", summary_of("30d")),
        ("summary month", summary_of("month")),
        ("summary 30d @north", summary_of("30d", "north")),
        ("summary 365d", summary_of("365d")),
        ("points_series 30d", lambda: series.points_series(period("30d"))),
        ("sales_series 30d", lambda: series.sales_series(period("30d"))),
        ("points_series 365d", lambda: series.points_series(period("365d"))),
        ("segments.thresholds", lambda: segments.thresholds()),
        ("segments.segment_counts", lambda: segments.segment_counts()),
        ("segments.at_risk_members count", lambda: segments.at_risk_members(60, 365).count()),
    ]
    for name, fn in cases:
        seconds, _ = await timed(fn)
        rows.append((name, seconds, "", ""))

    async def all_segments() -> int:
        n = 0
        async for page in segments.iter_segments():
            n += len(page)
        return n

    seconds, n = await timed(all_segments)
    rows.append(("segments.iter_segments (all)", seconds, f"{n:,}", ""))

    jobs = [
        (ExportKind.LEDGER, ExportFormat.CSV, "30d"),
        (ExportKind.LEDGER, ExportFormat.CSV, "365d"),
        (ExportKind.LEDGER, ExportFormat.XLSX, "30d"),
        (ExportKind.PURCHASES, ExportFormat.XLSX, "30d"),
        (ExportKind.VOUCHERS, ExportFormat.CSV, "30d"),
        (ExportKind.MEMBERS, ExportFormat.CSV, None),
        (ExportKind.SEGMENTS, ExportFormat.CSV, None),
    ]
    for kind, fmt, span in jobs if exports else []:
        tracemalloc.start()
        seconds, result = await timed(
            lambda kind=kind, fmt=fmt, span=span: export(
                kind,
                out / f"{kind}-{span}.{fmt}",
                fmt=fmt,
                t=translate,
                tz=period("today").tz,
                period=period(span) if span else None,
            )
        )
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        label = f"export {kind} {fmt} {span or 'all'}"
        rows.append((label, seconds, f"{result.rows:,}", f"{peak / 2**20:.1f}"))

    width = max(len(r[0]) for r in rows)
    print(f"\n{'what':<{width}}  {'seconds':>8}  {'× base':>8}  {'rows':>10}  {'peak MiB':>8}")
    for name, seconds, count, peak in rows:
        ratio = seconds / baseline if baseline else 0
        print(f"{name:<{width}}  {seconds:8.3f}  {ratio:8.1f}  {count:>10}  {peak:>8}")
    print("(export timings include tracemalloc overhead)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--no-exports", action="store_true", help="time reports and segments only")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
