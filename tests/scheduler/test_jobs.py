"""Scheduled jobs with a frozen clock: once per slot, catching up, one runner at a time."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from models import ledger
from models.store import clock
from models.store.jobs import AlreadyRan, Ran, acquire_lease
from models.store.tables import (
    Campaign,
    CampaignKind,
    EntryKind,
    JobRun,
    LedgerEntry,
    Member,
    OutboxMessage,
    PointLot,
)
from scheduler.jobs import Jobs, Schedule
from scheduler.runner import JobRunner
from tests.scheduler.conftest import fast_settings, make_members

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2025, 3, 10, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai, after every daily slot


async def lot(member: Member, points: int, expires_at: datetime) -> None:
    """A lot of ``points`` that expires at ``expires_at`` (granted now, then dated)."""
    key = f"test:{member.id}:{expires_at.isoformat()}:{points}"
    result = await ledger.grant_bonus(member.id, points, idempotency_key=key, reason="test")
    await PointLot.filter(entry_id=result.entry_id).update(expires_at=expires_at)


def test_schedule_slots() -> None:
    daily = Schedule.parse("03:30")
    assert daily.last_slot(T0, SHANGHAI) == datetime(2025, 3, 10, 3, 30, tzinfo=SHANGHAI)
    early = datetime(2025, 3, 9, 19, 0, tzinfo=UTC)  # 03:00 on the 10th in Shanghai
    assert daily.last_slot(early, SHANGHAI) == datetime(2025, 3, 9, 3, 30, tzinfo=SHANGHAI)
    weekly = Schedule.parse("mon 09:00")
    assert weekly.last_slot(T0, SHANGHAI) == datetime(2025, 3, 10, 9, 0, tzinfo=SHANGHAI)
    monthly = Schedule(daily.at, day=31)
    assert monthly.last_slot(T0, SHANGHAI) == datetime(2025, 2, 28, 3, 30, tzinfo=SHANGHAI)


async def test_expiry_reminders_go_once_per_member_date_and_lead(store: str) -> None:
    clock.freeze(T0)
    alice, bob, quiet = await make_members(None, 3)
    await Member.filter(id=quiet.id).update(notifications_enabled=False)
    for m in (alice, bob, quiet):
        await lot(m, 50, T0 + timedelta(days=5))
        await lot(m, 70, T0 + timedelta(days=5, hours=2))  # same local date: one reminder
        await lot(m, 30, T0 + timedelta(days=20))
    jobs = Jobs(fast_settings())

    first = await jobs.run_periodic("expiry-reminders")
    assert isinstance(first, Ran) and first.result == {"queued": 4}
    assert isinstance(await jobs.run_periodic("expiry-reminders"), AlreadyRan)
    clock.advance(timedelta(days=1))  # next day's slot: nothing new to say
    assert (await jobs.run_periodic("expiry-reminders")).result == {"queued": 0}
    keys = sorted(
        await OutboxMessage.filter(member_id=alice.id).values_list("dedupe_key", flat=True)
    )
    assert keys == [
        f"expiry-reminder:{alice.id}:2025-03-15:7",
        f"expiry-reminder:{alice.id}:2025-03-30:30",
    ]
    soon = await OutboxMessage.get(dedupe_key=f"expiry-reminder:{alice.id}:2025-03-15:7")
    assert soon.template == "notice-expiry-reminder" and soon.args["points"] == 120
    clock.advance(timedelta(days=13))  # the 20-day lot is now within 7 days
    assert (await jobs.run_periodic("expiry-reminders")).result == {"queued": 2}
    assert not await OutboxMessage.filter(member_id=quiet.id).exists()


async def test_sweep_catches_up_after_three_days_down(store: str) -> None:
    clock.freeze(T0)
    (alice,) = await make_members(None, 1)
    for day in range(4):
        await lot(alice, 10, T0 + timedelta(days=day, hours=-1))
    await lot(alice, 5, T0 + timedelta(days=30))
    jobs = Jobs(fast_settings())
    assert isinstance(await jobs.run_periodic("expiry-sweep"), Ran)
    assert (await Member.get(id=alice.id)).balance == 35

    clock.advance(timedelta(days=3))  # the bot was down for three days
    caught_up = await jobs.catch_up()
    assert isinstance(caught_up["expiry-sweep"], Ran)
    assert (await Member.get(id=alice.id)).balance == 5
    assert isinstance((await jobs.catch_up())["expiry-sweep"], AlreadyRan)
    assert await JobRun.filter(job="expiry-sweep").count() == 2
    assert await LedgerEntry.filter(member_id=alice.id, kind=EntryKind.EXPIRE).count() == 2


async def test_two_instances_run_each_job_once(store: str) -> None:
    clock.freeze(T0)
    await make_members(None, 3, birthday=date(1990, 3, 10))
    settings = fast_settings()
    a = JobRunner(Jobs(settings), holder="a", lease_ttl=timedelta(seconds=30))
    b = JobRunner(Jobs(settings), holder="b", lease_ttl=timedelta(seconds=30))
    assert await a.renew() and not await b.renew()
    names = [j.name for j in a.jobs.periodic]
    await asyncio.gather(*(r.run(n) for n in names for r in (a, b)))
    assert a._catching_up is not None
    await a._catching_up
    for name in names:
        assert await JobRun.filter(job=name).count() == 1, name
    assert await LedgerEntry.filter(kind=EntryKind.BONUS).count() == 3

    clock.advance(timedelta(days=1, seconds=31))  # a died; its lease lapsed
    assert await b.renew()
    await b._catching_up  # type: ignore[misc]
    assert not await a.run("expiry-sweep")  # a is back but is now the standby
    assert await JobRun.filter(job="expiry-sweep").count() == 2
    assert not await acquire_lease("jobs", "a", timedelta(seconds=30))


async def test_birthday_bonus_once_a_year(store: str) -> None:
    clock.freeze(T0 - timedelta(days=400))
    (alice,) = await make_members(None, 1, birthday=date(1990, 3, 9), marketing_opt_in=True)
    (leap,) = await make_members(None, 1, first_id=20_000, birthday=date(1992, 2, 29))
    jobs = Jobs(fast_settings())
    clock.freeze(T0)  # the 10th: alice's birthday was yesterday (caught up)
    for _ in range(2):
        await jobs._birthdays(clock.now())
    bonus = LedgerEntry.filter(member_id=alice.id, kind=EntryKind.BONUS)
    assert await bonus.count() == 1 and (await Member.get(id=alice.id)).balance == 100
    notice = await OutboxMessage.get(member_id=alice.id)
    assert (notice.template, notice.dedupe_key) == (
        "notice-birthday-bonus",
        f"birthday:{alice.id}:2025",
    )
    clock.freeze(datetime(2026, 3, 9, 4, 0, tzinfo=UTC))
    await jobs._birthdays(clock.now())
    await jobs._birthdays(clock.now())
    assert await bonus.count() == 2
    clock.freeze(datetime(2025, 2, 28, 4, 0, tzinfo=UTC))  # no 29 Feb in 2025
    await jobs._birthdays(clock.now())
    assert await LedgerEntry.filter(member_id=leap.id, kind=EntryKind.BONUS).count() == 1


async def test_campaign_alerts_once(store: str) -> None:
    clock.freeze(T0)
    alice, bob = await make_members(None, 2, marketing_opt_in=True)
    await Member.filter(id=bob.id).update(marketing_opt_in=False)  # said "No, thanks"
    await Campaign.create(
        names={"en": "Double Days", "zh-Hans": "双倍积分日"},
        kind=CampaignKind.MULTIPLIER,
        multiplier="2",
        starts_at=T0 - timedelta(hours=1),
        ends_at=T0 + timedelta(days=3),
        created_at=T0,
    )
    jobs = Jobs(fast_settings())
    assert (await jobs.campaign_alerts()).queued == 1
    assert (await jobs.campaign_alerts()).queued == 0
    clock.advance(timedelta(days=2, hours=1))
    assert (await jobs.campaign_alerts()).queued == 1
    assert (await jobs.campaign_alerts()).queued == 0
    sent = await OutboxMessage.filter(member_id=alice.id).order_by("id")
    assert [m.template for m in sent] == ["notice-campaign-started", "notice-campaign-ending"]
    assert sent[0].args["name"] == "Double Days" and sent[0].args["multiplier"] == "2"
