"""The claim-and-lease helper on its own (both databases): what the three queues rely on.

Its rows are inbox updates, but the queue rules are the test's own: the helper knows a
table, an "open" condition, a "due" rule and an ORDER BY, nothing of the inbox.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest

from models.delivery import leases
from models.store import clock, sql
from models.store.tables import InboxUpdate
from tests.store.helpers import START

LEASE = timedelta(seconds=6)
QUEUE = leases.Queue("inbox_update", open="done_at IS NULL")
UNOWNED = leases.Queue("inbox_update", open="done_at IS NULL", owned=False)


async def _rows(*chats: int) -> list[int]:
    """One update per ``chats`` entry, update ids 1, 2, …; their row ids."""
    ids = []
    for update_id, chat in enumerate(chats, start=1):
        row = await InboxUpdate.create(
            update_id=update_id, chat_key=f"c{chat}", payload="{}", received_at=clock.now()
        )
        ids.append(row.id)
    return ids


async def _claim(owner: str | None, limit: int = 10, **rule: object) -> list[int]:
    queue = QUEUE if owner is not None else UNOWNED
    rule.setdefault("order_by", "c.update_id")
    found = await leases.claim(
        queue,
        owner=owner,
        limit=limit,
        lease=LEASE,
        returning="update_id",
        **rule,  # type: ignore[arg-type]
    )
    return sorted(int(r["update_id"]) for r in found)


async def _holders() -> dict[int, str | None]:
    return dict(await InboxUpdate.all().values_list("update_id", "claimed_by"))


async def _until() -> dict[int, object]:
    rows = await InboxUpdate.all().values_list("update_id", "claimed_until")
    return {update_id: until for update_id, until in rows}


async def test_a_claim_takes_its_limit_in_order_and_never_a_held_row(store: str) -> None:
    clock.freeze(START)
    await _rows(1, 2, 3, 4, 5)
    assert await _claim("a", 2) == [1, 2]  # at most the limit (picked once, on PG too)
    assert await _claim("b", 2) == [3, 4]  # a's rows are not b's to take
    assert await _claim("c", 9) == [5]
    assert await _claim("d") == []
    assert await _holders() == {1: "a", 2: "a", 3: "b", 4: "b", 5: "c"}
    # the helper's bump ran once per claim, and only if asked for
    assert set(await InboxUpdate.all().values_list("attempts", flat=True)) == {0}


async def test_concurrent_owners_never_claim_the_same_row(store: str) -> None:
    await _rows(*range(60))
    claimed: Counter[int] = Counter()
    owners: dict[int, str] = {}

    async def owner(name: str) -> None:
        while got := await _claim(name, 3):
            for update_id in got:
                claimed[update_id] += 1
                owners[update_id] = name
            await asyncio.sleep(0)

    await asyncio.gather(*(owner(f"o{n}") for n in range(5)))
    assert sorted(claimed) == list(range(1, 61))
    assert set(claimed.values()) == {1}
    assert await _holders() == owners


async def test_a_lapsed_lease_is_taken_over_by_another_owner(store: str) -> None:
    clock.freeze(START)
    await _rows(1, 2)
    assert await _claim("dead", bump="attempts = attempts + 1") == [1, 2]
    clock.advance(LEASE - timedelta(seconds=1))
    assert await _claim("live") == []  # still leased
    clock.advance(timedelta(seconds=2))
    assert await _claim("live", bump="attempts = attempts + 1") == [1, 2]
    assert await _holders() == {1: "live", 2: "live"}
    assert await InboxUpdate.all().order_by("id").values_list("attempts", flat=True) == [2, 2]
    # the dead owner, back, holds nothing: its renew and release change no row
    assert await leases.renew(QUEUE, "dead", LEASE * 10) == 0
    assert await leases.release(QUEUE, owner="dead") == 0
    assert await _holders() == {1: "live", 2: "live"}


async def test_renew_extends_only_the_owners_open_rows(store: str) -> None:
    clock.freeze(START)
    await _rows(1, 2, 3)
    await _claim("a", 2)
    await _claim("b")
    await InboxUpdate.filter(update_id=2).update(done_at=clock.now())
    before = await _until()
    clock.advance(timedelta(seconds=4))
    assert await leases.renew(QUEUE, "a", LEASE) == 1
    after = await _until()
    assert sql.as_datetime(after[1]) == clock.now() + LEASE
    assert after[2] == before[2]  # done: not renewed
    assert after[3] == before[3]  # b's
    clock.advance(timedelta(seconds=4))  # past b's lease, not past a's renewed one
    assert await _claim("c") == [3]


async def test_release_frees_only_the_owners_rows(store: str) -> None:
    clock.freeze(START)
    await _rows(1, 2, 3, 4)
    await _claim("a", 2)
    await _claim("b")
    a_ids = await InboxUpdate.filter(claimed_by="a").order_by("id").values_list("id", flat=True)
    b_ids = await InboxUpdate.filter(claimed_by="b").values_list("id", flat=True)
    assert await leases.release(QUEUE, owner="a", ids=b_ids) == 0  # not a's
    assert await leases.release(QUEUE, owner="a", ids=a_ids[:1]) == 1
    assert await _claim("c") == [1]  # released at once, no lapse needed
    assert await leases.release(QUEUE, owner="b") == 2
    until = await _until()
    assert until[3] is None and until[4] is None and until[1] is not None
    assert await _claim("c") == [3, 4]  # 2 is a's still
    assert await _holders() == {1: "c", 2: "a", 3: "c", 4: "c"}


async def test_release_by_id_and_reset(store: str) -> None:
    clock.freeze(START)
    await _rows(1, 2, 3)
    ids = await InboxUpdate.all().order_by("update_id").values_list("id", flat=True)
    assert await _claim(None) == [1, 2, 3]  # a queue without owners
    assert await leases.release(UNOWNED, ids=ids[:2], values={"attempts": 5}) == 2
    assert await InboxUpdate.all().order_by("update_id").values_list("attempts", flat=True) == [
        5,
        5,
        0,
    ]
    assert await leases.release(UNOWNED, ids=[]) == 0
    with pytest.raises(ValueError):
        await leases.release(UNOWNED, owner="a", ids=ids)
    with pytest.raises(ValueError):
        await leases.release(QUEUE)  # neither owner nor ids: reset() is for everything
    await InboxUpdate.all().update(claimed_until=None)
    await _claim("a", 1)
    await _claim("b", 1)
    assert await leases.reset(QUEUE) == 2
    assert set((await _holders()).values()) == {None}
    assert set((await _until()).values()) == {None}


async def test_the_queues_rule_decides_what_is_due_and_in_which_order(store: str) -> None:
    clock.freeze(START)
    await _rows(1, 1, 2, 2, 3)  # update ids 1..5 in chats 1, 1, 2, 2, 3
    head = (
        "NOT EXISTS (SELECT 1 FROM inbox_update o WHERE o.chat_key = c.chat_key"
        " AND o.done_at IS NULL AND o.update_id < c.update_id)"
    )
    # the newest first, two at a time, each the oldest unfinished of its chat
    assert await _claim("a", 2, due=head, order_by="c.update_id DESC") == [3, 5]
    assert await _claim("a", 9, due=head) == [1]
    assert await _claim("a", 9, due=head) == []  # every chat's head is held
    await InboxUpdate.filter(update_id=1).update(done_at=clock.now(), claimed_until=None)
    assert await _claim("b", 9, due=head) == [2]  # chat 1's next
    # a due rule with parameters: only what was received by a given time
    await InboxUpdate.filter(update_id=4).update(received_at=START + timedelta(seconds=1))
    await InboxUpdate.filter(update_id=3).update(done_at=clock.now())
    received = "c.received_at <= ?"
    assert await _claim("b", 9, due=received, params=[clock.now()]) == []
    clock.advance(timedelta(seconds=2))  # 2 and 5 still leased
    assert await _claim("b", 9, due=f"{received} AND {head}", params=[clock.now()]) == [4]
