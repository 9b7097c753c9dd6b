"""One winner for every race of enrolment, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

from models.members import enrolment, membership
from models.store.tables import JoinLink, Member


async def test_two_people_open_one_join_link_at_once(store: str) -> None:
    enrolled = await enrolment.enrol(external_id="e-1", phone=None, created_by="api:t")
    assert isinstance(enrolled, enrolment.Enrolled) and enrolled.join_token
    people = [(await membership.ensure_member(600 + i))[0] for i in range(4)]
    results = await asyncio.gather(
        *(
            enrolment.open_join_link(
                enrolled.join_token, telegram_id=p.telegram_id, current_member_id=p.id
            )
            for p in people
        )
    )
    winners = [r for r in results if isinstance(r, enrolment.Linked)]
    assert len(winners) == 1
    assert all(isinstance(r, enrolment.LinkUsed) for r in results if r not in winners)
    member = await Member.get(external_id="e-1")
    assert member.telegram_id == winners[0].member.telegram_id
    assert (await JoinLink.get()).used_by == member.telegram_id
    # the losers keep their own (fresh) rows
    assert await Member.filter(telegram_id__in=[p.telegram_id for p in people]).count() == 4


async def test_simultaneous_enrolments_by_phone_create_one_member(store: str) -> None:
    results = await asyncio.gather(
        *(
            enrolment.enrol(external_id=None, phone="+8613800138777", created_by="api:t")
            for _ in range(5)
        )
    )
    assert sum(1 for r in results if isinstance(r, enrolment.Enrolled) and r.created) == 1
    assert await Member.filter(phone="+8613800138777").count() == 1
    assert len({r.member.id for r in results if isinstance(r, enrolment.Enrolled)}) == 1


async def test_a_member_with_telegram_is_never_taken_over(store: str) -> None:
    owner, _ = await membership.ensure_member(700)
    await membership.set_phone(owner.id, "+8613800138700")
    other, _ = await membership.ensure_member(701)
    result = await enrolment.link_by_phone(other.id, telegram_id=701, phone="+8613800138700")
    assert isinstance(result, enrolment.NoEnrolledMember)
    assert (await Member.get(id=owner.id)).telegram_id == 700
