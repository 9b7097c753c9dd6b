"""Flow state and pending actions in the store, on SQLite and PostgreSQL: one winner for
every race, expired rows ignored and purged, a refused press writes nothing."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from models.conversation import flows, pending
from models.members import membership
from models.store import clock
from models.store.tables import ActionState, ChatFlow, PendingAction

HOUR = timedelta(hours=1)


async def test_identify_brings_the_flow_in_the_same_query(store: str) -> None:
    await membership.ensure_member(1, first_name="A")
    *_, flow = await membership.identify(1)
    assert (flow.state, flow.version) == ({}, 0)
    flow.state["step"] = {"input": "till-amount", "data": {"member_id": 7}}
    assert await flows.save(flow)
    *_, again = await membership.identify(1)
    assert again.state == flow.state and again.version == 1
    assert not again.changed  # nothing changed: saving writes nothing
    assert await flows.save(again) and (await ChatFlow.get(telegram_id=1)).version == 1


async def test_two_writers_of_the_same_flow_one_wins(store: str) -> None:
    first, second = flows.Flow(5), flows.Flow(5)
    first.state["a"], second.state["b"] = 1, 2
    assert [await flows.save(first), await flows.save(second)] == [True, False]
    one, two = await flows.load(5), await flows.load(5)
    one.state["a"], two.state["a"] = 10, 20
    assert [await flows.save(one), await flows.save(two)] == [True, False]
    assert (await flows.load(5)).state == {"a": 10}


async def test_empty_state_deletes_and_expired_rows_are_ignored_then_purged(store: str) -> None:
    flow = flows.Flow(1, {})
    flow.state["x"] = 1
    await flows.save(flow)
    flow.state.clear()
    assert await flows.save(flow) and await flows.count() == 0
    for person in range(10):
        idle = flows.Flow(person)
        idle.state["x"] = person
        await flows.save(idle, idle=HOUR)
    assert await flows.count() == 10
    clock.freeze(clock.now() + 2 * HOUR)
    try:
        assert (await flows.load(3)).state == {}  # past its expiry: forgotten
        fresh = flows.Flow(3)
        fresh.state["y"] = 1
        assert await flows.save(fresh)  # a first write purges every expired row
        assert await flows.count() == 1
    finally:
        clock.unfreeze()


async def _action(actor: int = 1, valid: timedelta = HOUR) -> PendingAction:
    action = await pending.create(actor, actor, "till-purchase", {"amount": 1}, valid)
    await pending.bind(action.id, 100)
    return action


async def test_confirm_and_cancel_race_one_winner(store: str) -> None:
    for _ in range(3):
        action = await _action()
        results = await asyncio.gather(
            pending.claim(action.id, 1, 100),
            pending.cancel(action.id, 1, 100),
            pending.claim(action.id, 1, 100),
        )
        winners = [r for r in results if isinstance(r, pending.Claimed)]
        cancelled = [r for r in results if isinstance(r, pending.Cancelled)]
        row = await PendingAction.get(id=action.id)
        if winners:
            assert len(winners) == 1 and row.state == ActionState.CONFIRMING
        else:
            assert cancelled and row.state == ActionState.CANCELLED


async def test_presses_that_must_lose(store: str) -> None:
    action = await _action()
    assert isinstance(await pending.claim(action.id, 2, 100), pending.NotYours)
    assert isinstance(await pending.claim(action.id, 1, 101), pending.StaleMessage)
    assert isinstance(await pending.cancel(action.id, 1, 101), pending.StaleMessage)
    assert isinstance(await pending.claim(999, 1, 100), pending.NotYours)
    assert (await PendingAction.get(id=action.id)).state == ActionState.PENDING
    assert isinstance(await pending.claim(action.id, 1, 100), pending.Claimed)
    assert isinstance(await pending.claim(action.id, 1, 100), pending.InProgress)
    await pending.finish(action.id, {"text": "Recorded", "html": True})
    again = await pending.claim(action.id, 1, 100)
    assert isinstance(again, pending.Done) and again.result == {"text": "Recorded", "html": True}
    assert isinstance(await pending.cancel(action.id, 1, 100), pending.Done)

    cancelled = await _action()
    assert isinstance(await pending.cancel(cancelled.id, 1, 100), pending.Cancelled)
    assert isinstance(await pending.claim(cancelled.id, 1, 100), pending.Cancelled)


async def test_expiry_and_a_dead_claim_taken_over(store: str) -> None:
    late = await _action(valid=timedelta(minutes=5))
    stuck = await _action()
    assert isinstance(await pending.claim(stuck.id, 1, 100), pending.Claimed)
    clock.freeze(clock.now() + timedelta(minutes=10))
    try:
        assert isinstance(await pending.claim(late.id, 1, 100), pending.ActionExpired)
        assert (await PendingAction.get(id=late.id)).state == ActionState.EXPIRED
        # the instance that claimed ``stuck`` died: after the lease another press retries
        # (its operation is keyed pa:<id>, so nothing is written twice)
        assert isinstance(await pending.claim(stuck.id, 1, 100), pending.Claimed)
    finally:
        clock.unfreeze()


async def test_unbound_action_binds_to_the_first_pressed_message(store: str) -> None:
    action = await pending.create(1, 1, "till-pay", {}, HOUR)  # sent through the outbox
    assert isinstance(await pending.claim(action.id, 1, 55), pending.Claimed)
    assert (await PendingAction.get(id=action.id)).message_id == 55
    await pending.release(action.id)
    assert isinstance(await pending.claim(action.id, 1, 56), pending.StaleMessage)


async def test_a_dead_claim_of_an_operation_without_a_key_is_never_rerun(store: str) -> None:
    action = await _action()
    assert isinstance(await pending.claim(action.id, 1, 100, retake=False), pending.Claimed)
    clock.freeze(clock.now() + timedelta(minutes=10))
    try:
        again = await pending.claim(action.id, 1, 100, retake=False)
        assert isinstance(again, pending.InProgress)
    finally:
        clock.unfreeze()
