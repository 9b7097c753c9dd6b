"""Backups and restores of the whole store, consistent while jifen runs.

The points are money the merchant owes; losing the database loses that record. SQLite is
copied with its online backup API (pages copied under SQLite's own locking, so writers may
go on and the copy is one consistent moment); PostgreSQL with ``pg_dump --format=custom``
(one snapshot transaction). A restore refuses a database that holds members unless told
``force``, migrates forward what an older release wrote, and answers what ``doctor``
finds, so a restored store is checked before anyone trusts it.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from models.store import db

PG_DUMP = "pg_dump"
PG_RESTORE = "pg_restore"


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class BackedUp:
    path: Path
    bytes: int
    seconds: float


@dataclass(frozen=True)
class Restored:
    path: Path
    seconds: float
    migrations: tuple[str, ...]
    """What migrating forward applied (a snapshot from an earlier release)."""


def _pg_dsn(url: str) -> str:
    return "postgresql://" + url.split("://", 1)[1]


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not installed: install the PostgreSQL client of the server's major"
            " version (Debian: apt-get install postgresql-client-15)"
        )
    return found


def _major(version_text: str) -> int:
    match = re.search(r"(\d+)(?:\.\d+)?", version_text)
    if match is None:
        raise BackupError(f"cannot read a version from {version_text!r}")
    return int(match.group(1))


async def _server_major(url: str) -> int:
    import asyncpg

    conn = await asyncpg.connect(_pg_dsn(url))
    try:
        number = int(await conn.fetchval("SHOW server_version_num"))
    finally:
        await conn.close()
    return number // 10_000


async def _check_client(url: str, tool: str) -> str:
    """``tool``'s path, refusing one older than the server (it cannot read newer dumps or
    servers: its error would otherwise come mid-way)."""
    path = _tool(tool)
    found = await asyncio.to_thread(
        subprocess.run, [path, "--version"], capture_output=True, text=True, check=False
    )
    client, server = _major(found.stdout), await _server_major(url)
    if client < server:
        raise BackupError(
            f"{tool} is version {client}, the server is PostgreSQL {server}: install"
            f" postgresql-client-{server} (a newer client works, an older one does not)"
        )
    return path


def _sqlite_copy(source: Path, target: Path) -> None:
    """Copy one SQLite database into another with the online backup API."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


async def backup(url: str, path: Path) -> BackedUp:
    """Write a consistent snapshot of ``url`` to ``path`` (a file; its folder is created)."""
    started = _monotonic()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")  # a crash never leaves half a backup
    partial.unlink(missing_ok=True)
    if db.is_sqlite(url):
        source = db.sqlite_path(url)
        if not source.exists():
            raise BackupError(f"no database at {source}")
        await asyncio.to_thread(_sqlite_copy, source, partial)
    else:
        tool = await _check_client(url, PG_DUMP)
        done = await asyncio.to_thread(
            subprocess.run,
            [tool, "--format=custom", "--no-owner", f"--file={partial}", _pg_dsn(url)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            partial.unlink(missing_ok=True)
            raise BackupError(f"pg_dump failed: {done.stderr.strip()[-500:]}")
    size = await asyncio.to_thread(_publish, partial, path)
    return BackedUp(path, size, _monotonic() - started)


def _publish(partial: Path, path: Path) -> int:
    """Move the finished snapshot into place, private (members' data, like the database)."""
    partial.replace(path)
    path.chmod(0o600)
    return path.stat().st_size


async def holds_members(url: str) -> bool:
    """Whether the database has a member table with rows (a restore would overwrite them)."""
    if db.is_sqlite(url):
        file = db.sqlite_path(url)
        if not file.exists() or file.stat().st_size == 0:
            return False
        with sqlite3.connect(file) as conn:
            exists = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'member'"
            ).fetchone()
            count = conn.execute("SELECT COUNT(*) FROM member").fetchone() if exists else (0,)
        conn.close()
        return bool(count[0])
    import asyncpg

    conn = await asyncpg.connect(_pg_dsn(url))
    try:
        exists = await conn.fetchval("SELECT to_regclass('public.member') IS NOT NULL")
        return bool(exists and await conn.fetchval("SELECT EXISTS (SELECT 1 FROM member)"))
    finally:
        await conn.close()


async def restore(url: str, path: Path, *, force: bool = False) -> Restored:
    """Replace ``url``'s contents with the snapshot at ``path``, then migrate forward.

    Refuses a database that holds members unless ``force``. The caller runs ``doctor``
    on the result (:mod:`models.ledger.doctor` lives in a room above this one).
    """
    started = _monotonic()
    if not await asyncio.to_thread(path.is_file):
        raise BackupError(f"no backup at {path}")
    if not force and await holds_members(url):
        raise BackupError(
            "the database holds members: restoring would replace them; add --force to do it"
        )
    if db.is_sqlite(url):
        if not _is_sqlite_file(path):
            raise BackupError(f"{path} is not a SQLite backup (this database is SQLite)")
        await asyncio.to_thread(_replace_sqlite, path, db.sqlite_path(url))
    else:
        if _is_sqlite_file(path):
            raise BackupError(f"{path} is a SQLite backup; this database is PostgreSQL")
        tool = await _check_client(url, PG_RESTORE)
        await _empty_postgres(url)
        done = await asyncio.to_thread(
            subprocess.run,
            [tool, "--no-owner", "--exit-on-error", f"--dbname={_pg_dsn(url)}", str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise BackupError(f"pg_restore failed: {done.stderr.strip()[-500:]}")
    applied = await db.migrate(url)
    return Restored(path, _monotonic() - started, tuple(applied))


def _replace_sqlite(snapshot: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("-wal", "-shm"):  # the old database's journal must not be replayed
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    _sqlite_copy(snapshot, target)


async def _empty_postgres(url: str) -> None:
    """Drop what the database holds in ``public`` (the snapshot brings everything back)."""
    import asyncpg

    conn = await asyncpg.connect(_pg_dsn(url))
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    finally:
        await conn.close()


def _is_sqlite_file(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(16) == b"SQLite format 3\x00"


def snapshot_name(url: str, at: datetime) -> str:
    """``jifen-20261206-0330.sqlite3`` or ``….pgdump``: sortable by time."""
    suffix = "sqlite3" if db.is_sqlite(url) else "pgdump"
    return f"jifen-{at:%Y%m%d-%H%M}.{suffix}"


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` snapshots in ``folder``; what was deleted."""
    snapshots = sorted(folder.glob("jifen-*.*"))
    snapshots = [p for p in snapshots if not p.name.endswith(".partial")]
    gone = snapshots[:-keep] if keep > 0 else []
    for old in gone:
        old.unlink(missing_ok=True)
    return gone


def _monotonic() -> float:
    import time

    return time.monotonic()
