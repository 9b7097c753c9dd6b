"""The sandbox's time control: moving the clock runs every job that falls due on the way,
once and in order, and their messages arrive in the chats.

A small season (``season_box``: 40 members; Alice, the page's English member, is one of
them) is seeded, then time moves through the page's own endpoint.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp

from bot.sandbox import Sandbox
from bot.sandbox.timecontrol import JOB
from models.ledger import doctor
from models.marketing import birthdays
from models.sandbox import cast
from models.store import clock
from models.store.tables import (
    Broadcast,
    BroadcastStatus,
    EntryKind,
    JobRun,
    LedgerEntry,
    Member,
    OutboxMessage,
)
from scheduler import timetravel
from scheduler.timetravel import due_slots

from .conftest import eventually, sandbox_settings

ALICE, CASHIER = 1002, 2001


async def state(http: aiohttp.ClientSession, box: Sandbox) -> dict[str, Any]:
    async with http.get(f"{box.url}api/sandbox") as response:
        assert response.status == 200
        return await response.json()


async def move(http: aiohttp.ClientSession, box: Sandbox, **body: Any) -> tuple[int, Any]:
    async with http.post(f"{box.url}api/sandbox/clock", json=body) as response:
        return response.status, await response.json()


async def arrived(
    http: aiohttp.ClientSession, box: Sandbox, *, within: float = 120.0
) -> dict[str, Any]:
    """Polls like the page until the jump is over; the progress seen on the way."""
    seen: list[tuple[int, int]] = []

    async def done() -> dict[str, Any] | None:
        now = await state(http, box)
        seen.append((now["day"], now["days"]))
        return None if now["busy"] else now

    final = await eventually(done, within)
    return final | {"seen": seen}


def texts(box: Sandbox, uid: int) -> list[str]:
    return [m.text or m.caption or "" for m in box.emu.transcript(uid) if m.outgoing]


async def test_refused_jumps_change_nothing_in_either_language(
    season_box: Sandbox, http: aiohttp.ClientSession
) -> None:
    before = clock.now()
    cases = [
        ({"date": "next tuesday"}, "not a date", "不是有效日期"),
        ({"date": (before - timedelta(days=2)).date().isoformat()}, "later time", "更晚的时间"),
        ({"date": (before + timedelta(days=800)).date().isoformat()}, "two years", "两年"),
    ]
    for body, english, chinese in cases:
        for lang, words in (("en", english), ("zh-Hans", chinese)):
            status, answer = await move(http, season_box, **body, lang=lang)
            assert status == 400 and words in answer["error"], (body, lang, answer)
    assert clock.now() - before < timedelta(minutes=1)
    assert not await JobRun.filter(job=timetravel_job()).exists()


async def test_only_the_page_may_move_time(
    season_box: Sandbox, http: aiohttp.ClientSession
) -> None:
    async with aiohttp.ClientSession() as bare:
        url = f"{season_box.url}api/sandbox/clock"
        for headers in ({"Content-Type": "text/plain"}, {"X-Jifen-Sandbox": "1", "Origin": "x"}):
            async with bare.post(url, data=json.dumps({"jump": "30d"}), headers=headers) as r:
                assert r.status == 403
    assert not (await state(http, season_box))["busy"]
    assert not await JobRun.filter(job=timetravel_job()).exists()


async def test_a_week_brings_alice_her_reminder_birthday_offer_and_the_broadcast(
    season_box: Sandbox, http: aiohttp.ClientSession
) -> None:
    start = clock.now()
    status, answer = await move(http, season_box, jump="7d", lang="en")
    assert status == 202 and answer["ok"]
    final = await arrived(http, season_box)
    assert final["now"] >= int((start + timedelta(days=7)).timestamp() * 1000)
    assert any(days == 7 for _, days in final["seen"])

    async def alice_heard() -> bool:
        heard = "\n".join(texts(season_box, ALICE))
        return all(
            words in heard
            for words in ("points expire", "Happy birthday", "We miss you", "free tasting")
        )

    await eventually(alice_heard, 30)
    assert await doctor.check() == []


async def test_four_hundred_days_run_every_due_job_once_in_order(
    season_box: Sandbox, http: aiohttp.ClientSession
) -> None:
    start = clock.now()
    alice = await Member.get(telegram_id=ALICE)
    zone = ZoneInfo(season_box.settings.scheduler.timezone)
    expected = due_slots(runner_jobs(season_box), start, start + timedelta(days=400))

    status, _ = await move(http, season_box, jump="30d", lang="en")  # the date form below
    assert status == 202
    await arrived(http, season_box)
    target = (start + timedelta(days=400)).astimezone(zone).date().isoformat()
    status, _ = await move(http, season_box, date=target, lang="en")
    assert status == 202
    final = await arrived(http, season_box, within=300)
    assert any(days == 370 for _, days in final["seen"])  # 400 − the first 30
    end = datetime.fromtimestamp(final["now"] / 1000, zone)
    assert end.date().isoformat() == target

    # every periodic job's every slot ran once, in the order the slots fall due
    names = {name for _, name in expected}
    runs = await JobRun.filter(job__in=names, started_at__gt=start).order_by("id")
    assert [r.run_key for r in runs] == [f"{name}:{at.isoformat()}" for at, name in expected]
    assert [r.started_at for r in runs] == [at for at, _ in expected]
    assert all(r.finished_at is not None for r in runs)
    assert await doctor.check() == []

    # Alice's old points: reminded seven days ahead, then expired by the sweep
    expiry_day = (start + timedelta(days=cast.ALICE_POINTS_EXPIRE_IN)).astimezone(zone).date()
    expired = (
        await LedgerEntry.filter(member_id=alice.id, kind=EntryKind.EXPIRE, created_at__gt=start)
        .order_by("created_at")
        .first()
    )
    assert expired is not None
    reminder = await OutboxMessage.get(
        dedupe_key=f"expiry-reminder:{alice.id}:{expiry_day.isoformat()}:7"
    )
    assert reminder.created_at < expired.created_at
    assert reminder.args["points"] == -expired.points == cast.ALICE_OPENING - 300
    assert expired.created_at.astimezone(zone).date() == expiry_day
    # her birthday: the bonus on the day, this year and next
    birthday = (start + timedelta(days=cast.ALICE_BIRTHDAY_IN)).astimezone(zone).date()
    for year in (birthday.year, birthday.year + 1):
        key = f"bonus:{birthdays.birthday_key(alice.id, year)}"
        bonus = await LedgerEntry.get(idempotency_key=key)
        assert bonus.created_at.astimezone(zone).date() == birthday.replace(year=year)
    # the scheduled broadcast went out at its time
    scheduled = await Broadcast.get(scheduled_at__gt=start - timedelta(days=2))
    assert scheduled.started_at == scheduled.scheduled_at

    async def everything_delivered() -> bool:
        heard = "\n".join(texts(season_box, ALICE))
        done = await Broadcast.get(id=scheduled.id)
        return done.status == BroadcastStatus.DONE and all(
            words in heard
            for words in ("points expire", "Happy birthday", "We miss you", "free tasting")
        )

    await eventually(everything_delivered, 60)
    # each message once: no row was sent twice while the clock jumped
    heard = texts(season_box, ALICE)
    assert (
        len(heard) == await OutboxMessage.filter(member_id=alice.id, created_at__gt=start).count()
    )
    assert sum("Happy birthday" in text for text in heard) == 2


def runner_jobs(box: Sandbox) -> Any:
    """The scheduler's job table as this sandbox's settings make it."""
    return timetravel.standalone_runner(box.settings, "test").jobs


def timetravel_job() -> str:
    return JOB


async def test_with_the_scheduler_running_a_jump_goes_through_its_runner(
    tmp_path: Path, http: aiohttp.ClientSession
) -> None:
    """As ``jifen sandbox`` runs: APScheduler's triggers and the jobs lease are the bot's;
    a jump uses that runner, holds the triggers, and leaves them running again."""
    settings = sandbox_settings(tmp_path).model_copy(deep=True)
    settings.scheduler.enabled = True
    async with Sandbox(settings, season=True, season_size=20, port=0, fresh_store=True) as box:
        assert box.application is not None
        handle = box.application.bot_data["scheduler"]
        await eventually(lambda: handle.runner.is_leader, 10)
        start = clock.now()
        status, _ = await move(http, box, jump="1d", lang="zh-Hans")
        assert status == 202
        await arrived(http, box)
        runs = await JobRun.filter(started_at__gt=start).exclude(job=JOB).order_by("id")
        expected = due_slots(handle.runner.jobs, start, start + timedelta(days=1))
        assert [r.run_key for r in runs] == [f"{name}:{at.isoformat()}" for at, name in expected]
        assert handle.scheduler.state == 1  # STATE_RUNNING: the triggers run again
        assert handle.sender_task is not None and not handle.sender_task.done()


async def test_a_week_later_alice_uses_her_offer_and_then_her_old_points_expire(
    season_box: Sandbox, http: aiohttp.ClientSession
) -> None:
    """The README's tour, steps 3 and 4: the offer named on her receipt at the till, and
    her old paper-card points gone after the next jump."""
    status, _ = await move(http, season_box, jump="7d", lang="en")
    assert status == 202
    await arrived(http, season_box)
    await eventually(lambda: "We miss you" in "\n".join(texts(season_box, ALICE)), 30)

    alice, cashier = season_box.players[ALICE], season_box.players[CASHIER]
    await alice.send("/card")
    card = await alice.wait_for(lambda m: m.photo is not None)
    await cashier.scan(card)
    await cashier.wait_for_text("How much")
    await cashier.send("42")
    await cashier.wait_for(lambda m: bool(m.reply_markup))
    await cashier.press("Skip")
    await cashier.wait_for_text("Welcome back offer")
    await cashier.press("Confirm")
    await cashier.wait_for_text("Recorded")
    await alice.wait_for_text("Welcome back offer", 10)

    before = (await Member.get(telegram_id=ALICE)).balance
    status, _ = await move(http, season_box, jump="7d", lang="en")
    assert status == 202
    await arrived(http, season_box)
    assert (await Member.get(telegram_id=ALICE)).balance == before - (cast.ALICE_OPENING - 300)
    await alice.send("/balance")
    await alice.wait_for_text("points", 10)
    assert await doctor.check() == []
