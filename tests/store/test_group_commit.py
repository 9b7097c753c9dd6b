"""Group commit (models/group_commit.py) on SQLite and PostgreSQL: concurrent operations
share one transaction, each in its own savepoint; a refusal or a bug rolls back only
itself; every caller is answered after the COMMIT; keys stay exactly-once."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from models import ledger
from models.ledger import _Reject
from models.ledger.results import InsufficientPoints, PurchaseRecorded, Spent
from models.store import db, group_commit
from models.store.tables import LedgerEntry, Member, Purchase
from tests.store.helpers import assert_consistent, member, rules

RULES = rules()


async def test_concurrent_operations_share_transactions_refusals_roll_back_alone(
    store: str, grouped: None
) -> None:
    m = await member(telegram_id=5)
    await ledger.grant_bonus(m.id, 100, idempotency_key="seed", reason="seed")
    before = group_commit.stats.groups
    calls = []
    for i in range(30):
        calls.append(ledger.spend(m.id, 7, idempotency_key=f"s{i}", reason="t"))
        calls.append(
            ledger.earn_for_purchase(m.id, 300, "CNY", idempotency_key=f"e{i}", rules=RULES)
        )
    results = await asyncio.gather(*calls)
    assert group_commit.stats.groups - before < len(calls)  # they did share transactions
    spent = [r for r in results if isinstance(r, Spent)]
    refused = [r for r in results if isinstance(r, InsufficientPoints)]
    assert len(spent) + len(refused) == 30 and refused  # some spends were refused mid-group
    assert all(isinstance(r, PurchaseRecorded) for r in results[1::2])
    # a refused spend wrote nothing: every entry is the seed, an earn or a winning spend
    assert await LedgerEntry.all().count() == 1 + 30 + len(spent)
    assert (await Member.get(id=m.id)).balance == 100 + 30 * 3 - 7 * len(spent)
    await assert_consistent()


async def test_a_bug_in_one_operation_fails_only_its_caller(store: str, grouped: None) -> None:
    m = await member()

    async def broken(conn) -> None:
        await Purchase.filter(member_id=m.id).using_db(conn).delete()  # a write that must go
        raise RuntimeError("bug")

    async def refused(conn) -> None:
        raise _Reject("no")

    before = group_commit.stats.groups
    results = await asyncio.gather(
        ledger.earn_for_purchase(m.id, 500, "CNY", idempotency_key="a", rules=RULES),
        group_commit.run(broken),
        group_commit.run(refused),
        ledger.earn_for_purchase(m.id, 700, "CNY", idempotency_key="b", rules=RULES),
        return_exceptions=True,
    )
    assert group_commit.stats.groups == before + 1  # all four in one transaction
    assert isinstance(results[0], PurchaseRecorded) and isinstance(results[3], PurchaseRecorded)
    assert isinstance(results[1], RuntimeError) and isinstance(results[2], _Reject)
    assert await Purchase.filter(member_id=m.id).count() == 2  # the bug's delete rolled back
    await assert_consistent()


async def test_same_key_twice_in_one_group_is_written_once(store: str, grouped: None) -> None:
    m = await member()
    results = await asyncio.gather(
        *(
            ledger.earn_for_purchase(m.id, 900, "CNY", idempotency_key="k", rules=RULES)
            for _ in range(10)
        ),
        *(ledger.spend(m.id, 2, idempotency_key="k", reason="t") for _ in range(10)),
    )
    assert len({r.entry_id for r in results}) == 2
    assert sum(not r.replayed for r in results) == 2
    assert await LedgerEntry.all().count() == 2
    await assert_consistent()


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
async def test_every_caller_is_answered_after_the_commit(store: str, tmp_path) -> None:
    """Another connection sees each purchase by the time its caller has the answer."""
    assert group_commit.enabled()  # the default on SQLite
    m = await member()
    path = db.connection().filename
    outside = sqlite3.connect(path)
    try:
        calls = [
            ledger.earn_for_purchase(m.id, 100 + i, "CNY", idempotency_key=f"c{i}", rules=RULES)
            for i in range(20)
        ]
        for answered in asyncio.as_completed(calls):
            result = await answered
            [(n,)] = outside.execute(
                "SELECT COUNT(*) FROM purchase WHERE id = ?", (result.purchase_id,)
            )
            assert n == 1
    finally:
        outside.close()
    assert group_commit.stats.operations >= 20


async def test_a_group_stopped_midway_writes_nothing_and_a_retry_writes_once(
    store: str, grouped: None
) -> None:
    """The process stops while a group is open (its leader is cancelled): the transaction
    rolls back, no caller is answered, and retrying the same keys writes each once."""
    m = await member(telegram_id=9)
    held = asyncio.Event()

    async def hold(conn) -> None:  # keeps the group's transaction open
        held.set()
        await asyncio.Event().wait()

    def earns() -> list:
        return [
            ledger.earn_for_purchase(m.id, 500 + i, "CNY", idempotency_key=f"k{i}", rules=RULES)
            for i in range(5)
        ]

    calls = [asyncio.ensure_future(c) for c in [*earns(), group_commit.run(hold)]]
    await held.wait()  # the five earns are written (uncommitted) and the group hangs
    group_commit._leader.cancel()  # what a dying process does to its transaction
    results = await asyncio.gather(*calls, return_exceptions=True)
    assert all(isinstance(r, asyncio.CancelledError) for r in results)
    assert await Purchase.all().count() == 0 and await LedgerEntry.all().count() == 0
    again = await asyncio.gather(*earns())
    assert all(isinstance(r, PurchaseRecorded) and not r.replayed for r in again)
    assert await Purchase.all().count() == 5
    await assert_consistent()
