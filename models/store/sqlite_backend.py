"""SQLite engine for Tortoise whose write transactions start with ``BEGIN IMMEDIATE``.

A plain ``BEGIN`` takes the write lock only at the first write, so two processes that
both read first can deadlock and one gets "database is locked". Taking the lock up front
(and waiting up to ``busy_timeout``) serializes writers across processes; within one
process Tortoise already serializes them on its connection lock.

Every statement aiosqlite runs is a round trip to its worker thread (~60 µs, more than
the statement itself on a small write), so the transaction begins in one trip, and
:meth:`ImmediateTransactionWrapper.execute_batch` runs several statements in one.

WAL checkpoints (copying committed pages back into the database file, with an fsync)
are taken off the write path: with ``wal_autocheckpoint=0`` (``models.store.db`` sets it) the
committing writer never checkpoints; a :class:`Checkpointer` thread of this process runs
``PRAGMA wal_checkpoint(PASSIVE)`` on its own connection every
:data:`CHECKPOINT_INTERVAL` seconds. PASSIVE never waits for or blocks a writer or a
reader; a page written many times between two checkpoints is copied once. Under a
steady stream of writes a PASSIVE checkpoint seldom catches up with the last frame, so
the WAL would never start over; past :data:`WAL_RESTART_FRAMES` frames a RESTART
checkpoint (which holds writers off while it copies the few frames written since the
PASSIVE one, and gives up at once if a writer or reader is busy) makes the next writer
start the WAL from its beginning. Measured on
an earn (~20 pages): COMMIT 480 µs with auto-checkpoints every 1,000 frames, 140 µs
without.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Sequence
from typing import Any

from tortoise.backends.sqlite.client import (
    SqliteClient,
    SqliteTransactionContext,
    SqliteTransactionWrapper,
)
from tortoise.exceptions import IntegrityError, OperationalError, TransactionManagementError

log = logging.getLogger(__name__)
Step = tuple[str, Sequence[Any]]
CHECKPOINT_INTERVAL = 0.1
"""Seconds between two background checkpoints."""
WAL_RESTART_FRAMES = 1000
"""WAL length (pages) past which the checkpointer restarts the WAL (SQLite's own default)."""


def _begin_immediate(raw: sqlite3.Connection) -> None:
    raw.commit()  # a no-op unless sqlite3 left an implicit transaction open
    raw.execute("BEGIN IMMEDIATE")


def _run_steps(raw: sqlite3.Connection, steps: Sequence[Step]) -> list[list[dict[str, Any]]]:
    return [list(map(dict, raw.execute(sql, params).fetchall())) for sql, params in steps]


class ImmediateTransactionWrapper(SqliteTransactionWrapper):
    async def begin(self) -> None:
        try:
            await self._connection._execute(_begin_immediate, self._connection._conn)
        except sqlite3.OperationalError as exc:  # pragma: no cover - sqlite3 said why
            raise TransactionManagementError(exc) from exc

    async def execute_batch(self, steps: Sequence[Step]) -> list[list[dict[str, Any]]]:
        """Run ``steps`` in order in ONE trip to the worker thread; rows of each step.

        Statements use ``?`` placeholders and SQLite-ready values (see ``models.store.sql``).
        A failing step raises like Tortoise would; the caller's transaction rolls back.
        """
        async with self.acquire_connection() as connection:
            try:
                return await connection._execute(_run_steps, connection._conn, steps)
            except sqlite3.IntegrityError as exc:
                raise IntegrityError(exc) from exc
            except sqlite3.OperationalError as exc:
                raise OperationalError(exc) from exc


class Checkpointer:
    """A daemon thread that checkpoints the WAL of ``path`` until :meth:`stop`."""

    def __init__(self, path: str, interval: float = CHECKPOINT_INTERVAL) -> None:
        self._path, self._interval = path, interval
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        try:
            # never wait: a RESTART that finds a writer or a reader on the WAL gives up at
            # once (it would hold the write lock while waiting for a reader) and is retried
            conn.execute("PRAGMA busy_timeout=0")
            while not self._stopped.wait(self._interval):
                try:
                    [(_, frames, _)] = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                    if frames > WAL_RESTART_FRAMES:
                        conn.execute("PRAGMA wal_checkpoint(RESTART)").fetchall()
                except sqlite3.Error:
                    # Never let the thread die: with auto-checkpoints off, the WAL would
                    # then grow without bound. The next tick tries again.
                    log.warning("WAL checkpoint of %s failed", self._path, exc_info=True)
        finally:
            conn.close()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join()


class ImmediateSqliteClient(SqliteClient):
    _checkpointer: Checkpointer | None = None

    def _in_transaction(self) -> SqliteTransactionContext:
        return SqliteTransactionContext(ImmediateTransactionWrapper(self), self._lock)

    def _checkpoints_itself(self) -> bool:
        """Auto-checkpoints are off on a WAL file, so this process must checkpoint."""
        return (
            str(self.pragmas.get("wal_autocheckpoint")) == "0"
            and str(self.pragmas.get("journal_mode", "")).upper() == "WAL"
            and self.filename not in ("", ":memory:")
        )

    async def create_connection(self, with_db: bool) -> None:
        await super().create_connection(with_db)
        if self._checkpointer is None and self._checkpoints_itself():
            self._checkpointer = Checkpointer(self.filename)

    async def close(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.stop()
            self._checkpointer = None
        await super().close()


client_class = ImmediateSqliteClient
