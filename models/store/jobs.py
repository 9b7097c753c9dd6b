"""Bookkeeping that makes scheduled jobs idempotent and single-runner.

* :func:`run_once` claims ``(job, run_key)`` in ``job_run`` before doing the work, so a
  second instance, a duplicate trigger or a catch-up run after downtime finds the key
  taken and does nothing. A run that raised gives its key back; a run whose process died
  (``finished_at`` still empty) may be taken over after ``stale_after``.
* :func:`acquire_lease` / :func:`release_lease`: one row per lease name in
  ``scheduler_lease``; whoever holds an unexpired lease runs the jobs, the others stand by
  and take over once it expires. Acquire and renew are the same conditional upsert.

Both are single SQL statements (``INSERT … ON CONFLICT … DO UPDATE … WHERE … RETURNING``),
valid on SQLite ≥ 3.35 and PostgreSQL, so two instances can never both win.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from models.store import clock, sql
from models.store.db import connection
from models.store.tables import JobRun

JOB_STALE_AFTER = timedelta(hours=1)


@dataclass(frozen=True)
class Ran:
    """The work ran now (``result`` is what it returned)."""

    job: str
    run_key: str
    result: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AlreadyRan:
    """Someone (this or another instance) already ran, or is running, this key."""

    job: str
    run_key: str


async def claim_run(
    job: str, run_key: str, *, now: datetime | None = None, stale_after: timedelta = JOB_STALE_AFTER
) -> int | None:
    """Take ``run_key`` for this process; the JobRun id, or ``None`` if it is taken."""
    now = now or clock.now()
    rows = await sql.rows(
        connection(),
        "INSERT INTO job_run (job, run_key, started_at, result) VALUES (?, ?, ?, '{}') "
        "ON CONFLICT (run_key) DO UPDATE SET started_at = excluded.started_at "
        "WHERE job_run.finished_at IS NULL AND job_run.started_at < ? "
        "RETURNING id",
        job,
        run_key,
        now,
        now - stale_after,
    )
    return int(rows[0]["id"]) if rows else None


async def run_once(
    job: str,
    run_key: str,
    work: Callable[[], Awaitable[dict[str, Any] | None]],
    *,
    stale_after: timedelta = JOB_STALE_AFTER,
) -> Ran | AlreadyRan:
    """Run ``work`` unless ``run_key`` already ran; record when it finished and its result."""
    run_id = await claim_run(job, run_key, stale_after=stale_after)
    if run_id is None:
        return AlreadyRan(job, run_key)
    try:
        result = await work() or {}
    except BaseException:
        await JobRun.filter(id=run_id).delete()
        raise
    await JobRun.filter(id=run_id).update(finished_at=clock.now(), result=result)
    return Ran(job, run_key, result)


async def acquire_lease(name: str, holder: str, ttl: timedelta) -> bool:
    """Take or renew lease ``name`` for ``ttl``; ``True`` if ``holder`` now holds it."""
    now = clock.now()
    rows = await sql.rows(
        connection(),
        "INSERT INTO scheduler_lease (name, holder, expires_at) VALUES (?, ?, ?) "
        "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, "
        "expires_at = excluded.expires_at "
        "WHERE scheduler_lease.holder = excluded.holder OR scheduler_lease.expires_at <= ? "
        "RETURNING holder",
        name,
        holder,
        now + ttl,
        now,
    )
    return bool(rows) and rows[0]["holder"] == holder


async def release_lease(name: str, holder: str) -> bool:
    """Give the lease up at once (on a clean stop), so a standby need not wait for expiry."""
    count = await sql.execute(
        connection(),
        "UPDATE scheduler_lease SET expires_at = ? WHERE name = ? AND holder = ?",
        clock.now(),
        name,
        holder,
    )
    return count > 0


async def latest_start() -> datetime | None:
    """When the latest job run started: the furthest the store's clock has been (the
    sandbox, whose clock may run ahead of the real one, resumes from here)."""
    found = await JobRun.all().order_by("-started_at").limit(1).values_list("started_at", flat=True)
    return found[0] if found else None
