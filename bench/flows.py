"""The flow-state hot path and a confirm step's bookkeeping, against bare baselines.

Run: ``.venv/bin/python -m bench.flows [--postgres URL] [--n N]`` (PostgreSQL too when
``--postgres`` or ``JIFEN_TEST_POSTGRES_URL`` is given). Per database, in the same run,
interleaved, best of three rounds:

- ``identify``'s statement now LEFT JOINs the person's flow row; its baseline is the
  same statement without that join (member + role, as before flows lived in the store).
- a changed flow is written back by one conditional UPDATE (``flows.save``); its
  baseline is a bare Tortoise ``filter().update()`` of the same row.
- a confirm step creates a pending action, binds it, claims it and finishes it (four
  statements outside any transaction); its baseline is one bare Tortoise
  ``in_transaction()`` + ``create()``, the cheapest durable write.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from datetime import timedelta

from tortoise.transactions import in_transaction

from bench import scratch
from bench.ledger import Rate, _members, _table, _timed
from models.conversation import flows, pending
from models.members import membership
from models.store import clock, db, sql
from models.store.db import connection
from models.store.tables import AuditLog, ChatFlow

_WITHOUT_FLOW = (
    "SELECT m.*, s.role AS staff_role, s.location AS staff_location FROM member m"
    " LEFT JOIN staff_role s ON s.telegram_id = m.telegram_id AND s.active = ?"
    " WHERE m.telegram_id = ?"
)
"""``members.identify``'s statement before the flow join (the baseline)."""


ROUNDS = 3


async def throughput(url: str, n: int) -> list[tuple[str, float]]:
    await db.open_fresh_store(url)
    try:
        people = [m.telegram_id for m in await _members(50)]
        for telegram_id in people:  # half of them mid-flow
            if telegram_id % 2:
                flow = flows.Flow(telegram_id)
                flow.state["step"] = {"input": "till-amount", "data": {"member_id": 1}}
                await flows.save(flow)

        async def identify_baseline(i: int) -> None:
            await sql.one(connection(), _WITHOUT_FLOW, True, people[i % len(people)])

        async def with_flow(i: int) -> None:
            await sql.one(
                connection(), membership._IDENTIFY, True, clock.now(), people[i % len(people)]
            )

        async def write_baseline(i: int) -> None:
            await ChatFlow.filter(telegram_id=people[1]).update(state={"n": i})

        flow = await flows.load(people[3])

        async def write(i: int) -> None:
            flow.state["n"] = i
            assert await flows.save(flow)

        async def insert_baseline(i: int) -> None:
            async with in_transaction():
                await AuditLog.create(actor_kind="system", action="bench", created_at=clock.now())

        async def confirm_step(i: int) -> None:
            action = await pending.create(7, 7, "till-purchase", {"amount": i}, timedelta(hours=1))
            await pending.bind(action.id, i + 1)
            assert isinstance(await pending.claim(action.id, 7, i + 1), pending.Claimed)
            await pending.finish(action.id, {"text": "ok", "html": True})

        ops = [
            ("baseline: member + role read", identify_baseline),
            ("the same read + flow (LEFT JOIN)", with_flow),
            ("baseline: Tortoise update()", write_baseline),
            ("flows.save (conditional UPDATE)", write),
            ("baseline: Tortoise insert txn", insert_baseline),
            ("confirm step: create+bind+claim+finish", confirm_step),
        ]
        best: list[Rate] = [(0.0, 0.0)] * len(ops)
        for _ in range(ROUNDS):  # interleaved, best of each: the machine is shared
            for k, (_name, op) in enumerate(ops):
                best[k] = max(best[k], await _timed(n, op))
        return [(name, rate) for (name, _op), rate in zip(ops, best, strict=True)]
    finally:
        await db.close_store()


def _tables(title: str, rows: list[tuple[str, float]]) -> None:
    """Three pairs, each operation beside its own baseline."""
    for k in range(0, len(rows), 2):
        _table(f"{title}: {rows[k + 1][0]}", rows[k : k + 2])


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", default=os.environ.get("JIFEN_TEST_POSTGRES_URL", ""))
    parser.add_argument("--n", type=int, default=1000, help="operations per measurement")
    args = parser.parse_args()
    async with scratch.sqlite() as url:
        _tables("SQLite", await throughput(url, args.n))
    if args.postgres:
        async with scratch.postgres(args.postgres) as url:
            _tables("PostgreSQL", await throughput(url, args.n))


if __name__ == "__main__":
    asyncio.run(main())
