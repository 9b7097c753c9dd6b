"""Backup and restore times on a large store, beside a bare copy of the same data.

    .venv/bin/python -m bench.backup [--members 100000 --entries 1000000]
                                     [--postgres-url postgres://postgres@127.0.0.1:5432/x]

For each database (SQLite, then PostgreSQL when ``--postgres-url`` or
``JIFEN_TEST_POSTGRES_URL`` names a server) it generates the ledger-consistent data set of
``tests.reports.dataset`` into a scratch database, then times ``jifen backup`` (SQLite's
online backup API / ``pg_dump -Fc``), ``jifen restore`` into a second scratch database
(migrating forward) and ``doctor`` on the result, which must find what it found in the
source (the report data set keeps no point lots, so doctor lists those on both sides).
The bare baseline, measured in the same run: a plain file copy of the SQLite database,
and for PostgreSQL ``COPY ledger_entry TO`` a file. Run it on a quiet machine
(``uptime`` below 1 before and after).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from bench import scratch
from bench.reports import generate
from models.ledger import doctor
from models.store import backup, clock, db
from tests.reports import dataset


async def _timed(work: object) -> float:
    start = time.perf_counter()
    await work  # type: ignore[misc]
    return time.perf_counter() - start


async def _baseline(url: str, folder: Path) -> float:
    start = time.perf_counter()
    if db.is_sqlite(url):
        await asyncio.to_thread(shutil.copyfile, db.sqlite_path(url), folder / "plain-copy")
    else:
        import asyncpg

        conn = await asyncpg.connect("postgresql://" + url.split("://", 1)[1])
        try:
            await conn.copy_from_table("ledger_entry", output=str(folder / "ledger.copy"))
        finally:
            await conn.close()
    return time.perf_counter() - start


async def one(label: str, url: str, target: str, args: argparse.Namespace) -> None:
    folder = Path(tempfile.mkdtemp(prefix="jifen-bench-backup-"))
    try:
        await db.open_store(url)
        clock.freeze(dataset.NOW)
        try:
            await generate(args.members, args.entries)
            rows = await db.connection().execute_query_dict(
                "SELECT (SELECT COUNT(*) FROM member) AS m,"
                " (SELECT COUNT(*) FROM ledger_entry) AS e"
            )
            before = await doctor.check()  # the report data set keeps no lots: doctor says so
        finally:
            clock.unfreeze()
            await db.close_store()
        members, entries = rows[0]["m"], rows[0]["e"]
        bare = await _baseline(url, folder)
        made = await backup.backup(url, folder / "snapshot")
        restored = await backup.restore(target, made.path)
        await db.open_store(target, apply_migrations=False)
        try:
            start = time.perf_counter()
            problems = await doctor.check()
            checked = time.perf_counter() - start
        finally:
            await db.close_store()
        same = sorted(map(repr, problems)) == sorted(map(repr, before))
        print(
            f"| {label} | {members:,} | {entries:,} | {made.bytes / 1e6:,.0f} MB"
            f" | {made.seconds:.1f} s | {restored.seconds:.1f} s | {checked:.1f} s"
            f" | {bare:.1f} s | {'same as the source' if same else 'DIFFERS'} |"
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


async def run(args: argparse.Namespace) -> None:
    print(await _uptime())
    print(
        "| database | members | entries | snapshot | backup | restore | doctor"
        " | bare copy | restored store |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    async with scratch.sqlite("source.sqlite3") as url, scratch.sqlite("target.sqlite3") as target:
        await one("SQLite", url, target, args)
    if args.postgres_url:
        pg = scratch.postgres(args.postgres_url)
        async with pg as url, scratch.postgres(args.postgres_url) as target:
            await one("PostgreSQL", url, target, args)
    print(await _uptime())


async def _uptime() -> str:
    done = await asyncio.to_thread(subprocess.run, ["uptime"], capture_output=True, text=True)
    return done.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--postgres-url", default=os.environ.get("JIFEN_TEST_POSTGRES_URL", ""))
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
