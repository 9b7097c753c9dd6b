"""Backups taken while purchases flow restore to a consistent store; a restore refuses a
database with members unless forced, migrates a snapshot of the previous release forward,
and the CLI runs doctor on what it restored."""

from __future__ import annotations

import asyncio
import sqlite3
from collections import defaultdict
from pathlib import Path

import pytest
from tortoise import Tortoise
from tortoise.migrations.api import migrate as run_migrations

from bot import cli
from models import ledger
from models.ledger import doctor
from models.store import backup, db, sql
from models.store.tables import LedgerEntry, Member
from tests.conftest import POSTGRES_URL, _create_pg_database, _drop_pg_database
from tests.store.helpers import member, rules

PREVIOUS_RELEASE = "models.0008_enrolled_members_and_broadcast_versions"
"""The newest migration of the release before this one (wave 2)."""


async def _second_database(database_url: str, tmp_path: Path) -> tuple[str, str | None]:
    """Another empty database of the same kind: (url, PostgreSQL name to drop)."""
    if db.is_sqlite(database_url):
        return f"sqlite://{tmp_path}/restored.sqlite3", None
    assert POSTGRES_URL
    return await _create_pg_database()


async def _entries() -> list[tuple[int, int, int]]:
    return [
        (e.id, e.member_id, e.points)  # type: ignore[attr-defined]
        for e in await LedgerEntry.all().order_by("id")
    ]


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
async def test_a_backup_during_a_purchase_storm_restores_consistent(
    database_url: str, tmp_path: Path
) -> None:
    await db.open_store(database_url)
    people = [await member(telegram_id=700 + i) for i in range(6)]
    stop = asyncio.Event()
    done: list[int] = []

    async def storm(worker: int) -> None:
        n = 0
        while not stop.is_set():
            m = people[(worker + n) % len(people)]
            result = await ledger.earn_for_purchase(
                m.id, 1000 + n, "CNY", idempotency_key=f"storm:{worker}:{n}", rules=rules()
            )
            assert not isinstance(result, str)
            n += 1
        done.append(n)

    workers = [asyncio.create_task(storm(w)) for w in range(4)]
    await asyncio.sleep(0.5)
    snapshot = await backup.backup(database_url, tmp_path / "during-storm.bak")
    await asyncio.sleep(0.3)
    stop.set()
    await asyncio.gather(*workers)
    source = await _entries()
    await db.close_store()
    assert sum(done) > 20, "the storm wrote while the backup ran"

    target, drop = await _second_database(database_url, tmp_path)
    try:
        restored = await backup.restore(target, snapshot.path)
        assert restored.migrations == ()  # the same release: nothing to migrate
        await db.open_store(target, apply_migrations=False)
        try:
            assert await doctor.check() == []
            copied = await _entries()
            assert copied and set(copied) <= set(source)  # what the source had, unchanged
            expected: dict[int, int] = defaultdict(int)
            for _, member_id, points in copied:  # (PostgreSQL ids need not commit in order)
                expected[member_id] += points
            balances = {m.id: m.balance for m in await Member.all()}
            assert all(balances[k] == v for k, v in expected.items())
        finally:
            await db.close_store()
    finally:
        if drop:
            await _drop_pg_database(drop)


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
async def test_a_snapshot_of_the_previous_release_migrates_forward(
    database_url: str, tmp_path: Path
) -> None:
    config = db.tortoise_config(database_url)
    await run_migrations(config=config, target=PREVIOUS_RELEASE)
    await db.close_store()
    await Tortoise.init(config=config)
    try:  # a member as the previous release's schema has it
        await sql.execute(
            db.connection(),
            "INSERT INTO member (telegram_id, code, card_token, referral_code, first_name,"
            " last_name, language, marketing_opt_in, notifications_enabled, reachable, tier,"
            " balance, created_at, enrolled) VALUES (901, 'OLD1', 'tok901', 'ref901', 'Old',"
            " '', 'en', ?, ?, ?, 'member', 0, CURRENT_TIMESTAMP, ?)",
            True,
            True,
            True,
            True,
        )
    finally:
        await db.close_store()
    snapshot = await backup.backup(database_url, tmp_path / "previous.bak")
    target, drop = await _second_database(database_url, tmp_path)
    try:
        restored = await backup.restore(target, snapshot.path)
        assert restored.migrations and restored.migrations[0].startswith("0009")
        await db.open_store(target, apply_migrations=False)
        try:
            assert await Member.filter(code="OLD1").exists()
            assert await doctor.check() == []
        finally:
            await db.close_store()
    finally:
        if drop:
            await _drop_pg_database(drop)


async def test_a_restore_refuses_a_database_with_members_unless_forced(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path}/live.sqlite3"
    await db.open_store(url)
    await member(telegram_id=1)
    await db.close_store()
    snapshot = await backup.backup(url, tmp_path / "snap.bak")
    with pytest.raises(backup.BackupError, match="--force"):
        await backup.restore(url, snapshot.path)
    assert (await backup.restore(url, snapshot.path, force=True)).migrations == ()
    garbage = tmp_path / "not-a-backup.bak"
    garbage.write_bytes(b"PGDMP not really")
    with pytest.raises(backup.BackupError, match="not a SQLite backup"):
        await backup.restore(f"sqlite://{tmp_path}/empty.sqlite3", garbage)


async def test_pg_dump_missing_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backup, "PG_DUMP", "pg_dump_that_is_not_installed")
    with pytest.raises(backup.BackupError, match="is not installed: install the PostgreSQL"):
        await backup.backup("postgres://nobody@127.0.0.1:1/none", Path("/tmp/x.bak"))


def test_an_older_client_than_the_server_is_refused() -> None:
    assert backup._major("pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)") == 15
    assert backup._major("pg_restore (PostgreSQL) 9.6.24") == 9


def test_snapshots_are_kept_newest_first(tmp_path: Path) -> None:
    for day in range(1, 6):
        (tmp_path / f"jifen-202612{day:02d}-0300.sqlite3").write_bytes(b"x")
    gone = backup.prune(tmp_path, keep=3)
    assert [p.name for p in gone] == ["jifen-20261201-0300.sqlite3", "jifen-20261202-0300.sqlite3"]
    assert len(list(tmp_path.glob("jifen-*"))) == 3


def test_the_cli_backs_up_restores_and_runs_doctor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("JIFEN_DATABASE__URL", f"sqlite://{tmp_path}/cli.sqlite3")
    assert cli.main(["migrate"]) == 0
    assert cli.main(["backup", str(tmp_path / "b.bak")]) == 0
    assert "backup written" in capsys.readouterr().out
    assert (tmp_path / "b.bak").stat().st_mode & 0o077 == 0  # private, like the database
    with sqlite3.connect(tmp_path / "b.bak") as conn:
        assert conn.execute("SELECT COUNT(*) FROM tortoise_migrations").fetchone()[0] >= 9
    monkeypatch.setenv("JIFEN_DATABASE__URL", f"sqlite://{tmp_path}/fresh.sqlite3")
    assert cli.main(["restore", str(tmp_path / "b.bak")]) == 0
    out = capsys.readouterr().out
    assert "restored" in out and "the ledger is consistent" in out


async def test_the_scheduled_backup_keeps_the_newest(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from bot.settings import load_settings
    from models.store import clock
    from scheduler.jobs import Jobs

    url = f"sqlite://{tmp_path}/live.sqlite3"
    settings = load_settings(
        database={"url": url},
        backup={"schedule": "03:00", "keep": 2, "dir": str(tmp_path / "backups")},
    )
    await db.open_store(url)
    try:
        jobs = Jobs(settings)
        assert "backup" in {job.name for job in jobs.periodic}
        start = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)  # 04:00 in Shanghai
        for day in range(4):
            clock.freeze(start + timedelta(days=day))
            ran = await jobs.run_periodic("backup")
            assert ran.result["bytes"] > 0  # type: ignore[union-attr]
    finally:
        clock.unfreeze()
        await db.close_store()
    kept = sorted(p.name for p in (tmp_path / "backups").iterdir())
    assert kept == ["jifen-20261204-0400.sqlite3", "jifen-20261205-0400.sqlite3"]
    assert "backup" not in {job.name for job in Jobs(load_settings()).periodic}  # off by default
