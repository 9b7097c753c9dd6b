"""Bonuses for what members do in the bot: off by default, once per member and kind
(retries, races, an opt-out and opt-in again), in the cause's transaction."""

from __future__ import annotations

import asyncio

from models.ledger import action_bonus, history, rule_versions
from models.ledger.config import ActionBonuses
from models.members import membership
from models.store.tables import LedgerEntry, Member
from tests.store.helpers import assert_consistent


async def _switch_on() -> None:
    rule_versions.invalidate()
    _, current = await rule_versions.current()
    bonuses = ActionBonuses(joined=10, profile=20, offers=30, miniapp=40)
    await rule_versions.save(current.model_copy(update={"bonuses": bonuses}), created_by=None)


async def _bonuses(member_id: int) -> list[tuple[str, int]]:
    rows = await LedgerEntry.filter(member_id=member_id, reason__startswith="action:")
    return sorted((row.reason, row.points) for row in rows)


async def test_off_by_default(store: str) -> None:
    rule_versions.invalidate()
    member, _ = await membership.ensure_member(501, first_name="A")
    await membership.set_birthday(member.id, "1990-05-04")
    await membership.set_phone(member.id, "+8613800138000")
    await membership.set_preferences(member.id, marketing=True)
    assert await action_bonus.award_once(member.id, "miniapp") == 0
    assert await LedgerEntry.all().count() == 0


async def test_each_bonus_once_per_member(store: str) -> None:
    await _switch_on()
    member, created = await membership.ensure_member(502, first_name="B")
    assert created and await _bonuses(member.id) == [("action:joined", 10)]
    await membership.set_phone(member.id, "+8613800138001")
    assert len(await _bonuses(member.id)) == 1  # no birthday yet
    await membership.set_birthday(member.id, "1990-05-04")
    await membership.set_phone(member.id, "+8613800138002")  # a second phone earns nothing
    for answer in (True, False, True):
        await membership.set_preferences(member.id, marketing=answer)
    await asyncio.gather(*(action_bonus.award_once(member.id, "miniapp") for _ in range(8)))
    assert await _bonuses(member.id) == [
        ("action:joined", 10),
        ("action:miniapp", 40),
        ("action:offers", 30),
        ("action:profile", 20),
    ]
    assert (await Member.get(id=member.id)).balance == 100
    await assert_consistent()


async def test_racing_opt_ins_pay_once(store: str) -> None:
    await _switch_on()
    member, _ = await membership.ensure_member(503, first_name="C")
    await asyncio.gather(
        *(membership.set_preferences(member.id, marketing=True) for _ in range(6)),
        *(membership.set_birthday(member.id, "1991-01-02") for _ in range(3)),
        *(membership.set_phone(member.id, f"+861380013800{i}") for i in range(3)),
    )
    reasons = [reason for reason, _ in await _bonuses(member.id)]
    assert reasons == ["action:joined", "action:offers", "action:profile"]
    await assert_consistent()


def test_history_explains_each_kind() -> None:
    for kind in action_bonus.KINDS:
        assert history.bonus_kind(f"action:{kind}") == kind
    assert history.bonus_kind("action:unknown") == "other"
