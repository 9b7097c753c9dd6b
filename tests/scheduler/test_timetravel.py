"""Time travel (the sandbox's time control) on both databases: every slot once and in
order, the frequent jobs at the very moments they have work, only under the lease."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from models.marketing import broadcasts, calendar, campaigns
from models.members.membership import set_preferences
from models.store import clock
from models.store.jobs import AlreadyRan, acquire_lease
from models.store.tables import Broadcast, Campaign, CampaignKind, JobRun
from scheduler.jobs import Schedule
from scheduler.runner import LEASE_NAME
from scheduler.timetravel import LeaseElsewhere, advance_to, due_slots, standalone_runner
from tests.scheduler.conftest import fast_settings, make_members

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2025, 3, 10, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai, a Monday


def test_the_next_slot_is_the_first_one_after() -> None:
    for schedule in (Schedule.parse("03:30"), Schedule.parse("mon 09:00")):
        after = T0
        for _ in range(20):
            slot = schedule.next_slot(after, SHANGHAI)
            assert slot > after and schedule.last_slot(slot, SHANGHAI) == slot
            assert schedule.last_slot(slot - timedelta(seconds=1), SHANGHAI) <= after
            after = slot
    monthly = Schedule(Schedule.parse("03:30").at, day=31)
    assert monthly.next_slot(T0, SHANGHAI) == datetime(2025, 3, 31, 3, 30, tzinfo=SHANGHAI)
    assert monthly.next_slot(datetime(2025, 3, 31, 3, 30, tzinfo=SHANGHAI), SHANGHAI) == datetime(
        2025, 4, 30, 3, 30, tzinfo=SHANGHAI
    )


def test_the_clock_reads_utc_in_whatever_zone_it_was_frozen() -> None:
    """SQLite compares stored times as text: a "now" in another zone compared wrongly."""
    clock.freeze(datetime(2025, 3, 10, 12, 0, tzinfo=SHANGHAI))
    assert clock.now().tzinfo is UTC and clock.now() == T0
    clock.run_from(datetime(2025, 3, 10, 12, 0, tzinfo=SHANGHAI))
    assert clock.now().tzinfo is UTC and clock.now() - T0 < timedelta(seconds=5)


async def test_a_jump_runs_every_slot_once_in_order(store: str) -> None:
    clock.freeze(T0)
    runner = standalone_runner(fast_settings(), "traveller")
    target = T0 + timedelta(days=40)
    expected = due_slots(runner.jobs, T0, target)
    assert {name for _, name in expected} == {job.name for job in runner.jobs.periodic}

    seen: list[tuple[int, int]] = []
    travelled = await advance_to(runner, target, progress=lambda d, n: seen.append((d, n)))
    assert clock.now() == target
    runs = await JobRun.filter(started_at__gt=T0).order_by("id")
    assert [r.run_key for r in runs] == [f"{name}:{at.isoformat()}" for at, name in expected]
    assert [r.started_at for r in runs] == [at for at, _ in expected]
    assert sum(travelled.ran.values()) == len(expected) and not travelled.already
    assert seen[-1] == (40, 40) and [d for d, _ in seen] == sorted(d for d, _ in seen)

    # what the real scheduler would trigger now finds every slot done
    for job in runner.jobs.periodic:
        assert isinstance(await runner.jobs.run_periodic(job.name), AlreadyRan)
    assert (await advance_to(runner, target - timedelta(days=1))).stops == 0
    await runner.release()


async def test_frequent_jobs_run_at_the_moment_they_have_work(store: str) -> None:
    """A campaign is announced as it starts and a broadcast starts at its time, between
    the periodic slots, with the slots' local time zone far from UTC."""
    clock.freeze(T0)
    (member,) = await make_members(None, 1)
    await set_preferences(member.id, marketing=True)
    starts = T0 + timedelta(days=2, hours=5, minutes=17)
    created = await campaigns.create(
        campaigns.CampaignDraft(
            names={"en": "Double", "zh-Hans": "双倍"},
            kind=CampaignKind.MULTIPLIER,
            starts_at=starts,
            ends_at=starts + timedelta(days=3),
            multiplier=Decimal(2),
        ),
        actor_telegram_id=None,
    )
    assert isinstance(created, campaigns.CampaignCreated)
    draft = await broadcasts.create_draft(1, "Hello")
    send_at = T0 + timedelta(days=1, hours=6, minutes=41)
    assert isinstance(
        await broadcasts.schedule(draft.id, send_at, actor_telegram_id=1), broadcasts.Scheduled
    )
    after = datetime(2025, 3, 11, 18, 0, tzinfo=SHANGHAI)  # before send_at, later on the wall
    assert await calendar.next_moment(after, T0 + timedelta(days=9)) == send_at

    runner = standalone_runner(fast_settings(), "traveller")
    await advance_to(runner, T0 + timedelta(days=6))
    campaign = await Campaign.get(id=created.campaign_id)
    assert campaign.announced_at == starts
    assert campaign.end_reminded_at == starts + timedelta(days=2)  # a day before the end
    assert (await Broadcast.get(id=draft.id)).started_at == send_at
    await runner.release()


async def test_only_the_holder_of_the_jobs_lease_travels(store: str) -> None:
    clock.freeze(T0)
    assert await acquire_lease(LEASE_NAME, "another-instance", timedelta(minutes=5))
    runner = standalone_runner(fast_settings(), "traveller")
    with pytest.raises(LeaseElsewhere):
        await advance_to(runner, T0 + timedelta(days=2))
    assert clock.now() == T0
    assert not await JobRun.filter(started_at__gt=T0).exists()
