"""Leases with owners: takeover within 10 s, a clean stop releases only its own, a restart
takes its own stale leases back at once, and scheduled jobs run once with three instances."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, date, datetime

from models.store import clock
from models.store.tables import EntryKind, JobRun, LedgerEntry, SchedulerLease
from scheduler.jobs import Jobs
from scheduler.leases import Leases
from scheduler.runner import JobRunner
from tests.instances.cluster import until
from tests.scheduler.conftest import fast_settings, make_members


def _kill(leases: Leases) -> None:
    """kill -9: the heartbeat stops, nothing is released."""
    assert leases._task is not None
    leases._task.cancel()


async def _held_within(leases: Leases, name: str, seconds: float) -> float:
    started = time.monotonic()
    await until(lambda: leases.holds(name), seconds)
    return time.monotonic() - started


async def test_a_dead_holders_lease_is_taken_within_ten_seconds(store: str) -> None:
    a, b = Leases("a"), Leases("b")
    for leases in (a, b):
        leases.want("jobs")
    a.start()
    await _held_within(a, "jobs", 5)
    b.start()
    await asyncio.sleep(0.5)
    assert not b.holds("jobs")
    _kill(a)
    took = await _held_within(b, "jobs", 10)
    await b.stop()
    assert took < 10


async def test_a_clean_stop_releases_only_its_own(store: str) -> None:
    a, b = Leases("a"), Leases("b")
    a.want("jobs")
    b.want("sender")
    b.want("jobs")
    await a.beat()
    await b.beat()
    assert a.held == {"jobs"} and b.held == {"sender"}
    await a.stop()
    sender = await SchedulerLease.get(name="sender")
    assert sender.holder == "b" and sender.expires_at > clock.now()
    await b.beat()
    assert b.held == {"sender", "jobs"}  # the released one is free at once


async def test_a_restarted_instance_takes_its_stale_leases_at_once(store: str) -> None:
    before = Leases("host:8080")
    before.want("sender")
    before.start()
    await _held_within(before, "sender", 5)
    _kill(before)
    after = Leases("host:8080")  # the same id: the same machine and port
    after.want("sender")
    await after.beat()
    assert after.holds("sender")


async def test_three_instances_run_each_job_once(store: str) -> None:
    clock.freeze(datetime(2025, 3, 10, 4, 0, tzinfo=UTC))  # after every daily slot
    await make_members(None, 3, birthday=date(1990, 3, 10))
    settings = fast_settings()
    runners = [JobRunner(Jobs(settings), leases=Leases(name)) for name in "abc"]
    for runner in runners:
        await runner.renew()
    assert sum(r.is_leader for r in runners) == 1
    names = [j.name for j in runners[0].jobs.periodic]
    await asyncio.gather(*(r.run(n) for n in names for r in runners))
    leader = next(r for r in runners if r.is_leader)
    if leader._catching_up is not None:
        await leader._catching_up
    for name in names:
        assert await JobRun.filter(job=name).count() == 1, name
    assert await LedgerEntry.filter(kind=EntryKind.BONUS).count() == 3
