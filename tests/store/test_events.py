"""Event points (models.ledger.events): once per event, caps held under the member lock,
a rule added later applied to the past once, on both databases."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.ledger import events
from models.ledger.config import EventRule
from models.ledger.results import UnknownMember
from models.store import clock, group_commit
from models.store.tables import EventStatus, LedgerEntry, Member, MemberEvent
from tests.store.helpers import START, assert_consistent, member, rules

REVIEW = EventRule(points=50, daily_cap_points=120, total_cap_points=300)
RULES = rules(events={"review.written": REVIEW})


async def _send(mid: int, event_id: str, rules_=RULES, kind: str = "review.written"):
    return await events.record(
        mid, kind, event_id, event_key=f"k:{event_id}", rules=rules_, data={"stars": 5}
    )


async def test_unknown_member_writes_nothing(store: str) -> None:
    got = await _send(999_999, "e1")
    assert isinstance(got, UnknownMember)
    assert await MemberEvent.all().count() == 0 and await LedgerEntry.all().count() == 0


async def test_event_awards_once_and_a_retry_replays(store: str) -> None:
    clock.freeze(START)
    m = await member()
    first = await _send(m.id, "e1")
    assert isinstance(first, events.EventRecorded)
    assert (first.status, first.points, first.balance, first.replayed) == (
        EventStatus.AWARDED,
        50,
        50,
        False,
    )
    again = await _send(m.id, "e1")
    assert again == events.EventRecorded(**{**first.__dict__, "replayed": True})
    entry = await LedgerEntry.get(member_id=m.id)
    assert entry.reason == "event:review.written:e1" and entry.kind == "bonus"
    assert (await Member.get(id=m.id)).balance == 50
    await assert_consistent()


async def test_daily_and_total_caps_cut_the_last_award(store: str) -> None:
    clock.freeze(START)
    m = await member()
    got = [await _send(m.id, f"d1-{i}") for i in range(4)]
    assert [g.points for g in got] == [50, 50, 20, 0]
    assert got[-1].status == EventStatus.CAPPED and got[-1].balance is None
    clock.freeze(START + timedelta(days=1))
    got = [await _send(m.id, f"d2-{i}") for i in range(4)]
    assert [g.points for g in got] == [50, 50, 20, 0]
    clock.freeze(START + timedelta(days=2))
    got = [await _send(m.id, f"d3-{i}") for i in range(3)]
    assert [g.points for g in got] == [50, 10, 0]  # the total cap (300) leaves 60
    assert (await Member.get(id=m.id)).balance == 300
    await assert_consistent()


async def test_validity_and_channels(store: str) -> None:
    clock.freeze(START)
    m = await member()
    later = rules(events={"review.written": EventRule(points=5, valid_from=date(2025, 3, 4))})
    assert (await _send(m.id, "a", later)).status == EventStatus.NO_RULE
    ended = rules(events={"review.written": EventRule(points=5, valid_to=date(2025, 3, 2))})
    assert (await _send(m.id, "b", ended)).status == EventStatus.NO_RULE
    chat_only = rules(events={"review.written": EventRule(points=5, channels=("telegram",))})
    assert (await _send(m.id, "c", chat_only)).status == EventStatus.NO_RULE
    assert await LedgerEntry.all().count() == 0


@pytest.mark.parametrize("together", [False, True])
async def test_racing_events_near_a_cap_award_exactly_the_cap(store: str, together: bool) -> None:
    """Twenty different events at once against a daily cap of 120: exactly 120 points;
    and twenty copies of one event: one award."""
    group_commit.configure(True if together else None)
    try:
        clock.freeze(START)
        m = await member()
        got = await asyncio.gather(*(_send(m.id, f"r{i}") for i in range(20)))
        assert sum(g.points for g in got) == 120
        assert sorted(g.points for g in got)[-3:] == [20, 50, 50]
        same = await asyncio.gather(*(_send(m.id, "one") for _ in range(20)))
        assert len({(s.event_row_id, s.points) for s in same}) == 1
        assert sum(not s.replayed for s in same) == 1
        assert (await Member.get(id=m.id)).balance == 120
        await assert_consistent()
    finally:
        group_commit.configure(None)


async def test_replay_applies_a_later_rule_once(store: str) -> None:
    clock.freeze(START)
    m = await member()
    none = rules()
    for i in range(4):
        assert (await _send(m.id, f"old{i}", none)).status == EventStatus.NO_RULE
    assert (await _send(m.id, "other", none, kind="class.attended")).status == "no_rule"
    clock.freeze(START + timedelta(days=3))
    first, second = await asyncio.gather(
        events.replay("review.written", START - timedelta(days=1), rules=RULES),
        events.replay("review.written", START - timedelta(days=1), rules=RULES),
    )
    assert first.points + second.points == 120  # the day of the events is capped at 120
    assert first.awarded + second.awarded == 3 and first.capped + second.capped == 1
    again = await events.replay("review.written", START - timedelta(days=1), rules=RULES)
    assert (again.awarded, again.points) == (0, 0)
    assert await MemberEvent.filter(status=EventStatus.NO_RULE).count() == 1  # class.attended
    assert (await Member.get(id=m.id)).balance == 120
    await assert_consistent()


async def test_replay_since_skips_older_events(store: str) -> None:
    clock.freeze(START)
    m = await member()
    await _send(m.id, "old", rules())
    clock.freeze(START + timedelta(days=2))
    done = await events.replay("review.written", START + timedelta(days=1), rules=RULES)
    assert done.awarded == 0 and await LedgerEntry.all().count() == 0


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    sends=st.lists(
        st.tuples(st.integers(0, 6), st.integers(0, 2), st.integers(1, 4)), min_size=1, max_size=12
    )
)
async def test_retries_and_redelivery_never_double(
    store: str, sends: list[tuple[int, int, int]]
) -> None:
    """(event id, day, copies sent at once): each event earns at most once, never past the
    caps, and the books stay exact."""
    clock.freeze(START)
    m = await member()
    seen: dict[str, int] = {}
    by_day: dict[int, int] = {}
    for event_no, day, copies in sends:
        clock.freeze(START + timedelta(days=day))
        event_id = f"p{m.id}-{event_no}"
        got = await asyncio.gather(*(_send(m.id, event_id) for _ in range(copies)))
        assert len({(g.event_row_id, g.points) for g in got}) == 1
        if event_id not in seen:
            seen[event_id] = got[0].points
            by_day[day] = by_day.get(day, 0) + got[0].points
    assert all(points <= 120 for points in by_day.values())
    balance = (await Member.get(id=m.id)).balance
    assert balance == sum(seen.values()) <= 300
    assert await MemberEvent.filter(member_id=m.id).count() == len(seen)
    await assert_consistent()
