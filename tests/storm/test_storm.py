"""The storm on SQLite and PostgreSQL: zero exceptions, zero 5xx, the books balance.

A fixed budget per database keeps the suite fast (``JIFEN_STORM_SECONDS``, default 20);
``JIFEN_STORM_SECONDS=60`` (and ``JIFEN_STORM_PROCESSES``) for a longer, harder run.
"""

from __future__ import annotations

import asyncio
import os

import pytest

from tests.storm import storm

SECONDS = float(os.environ.get("JIFEN_STORM_SECONDS", "20"))
PROCESSES = int(os.environ.get("JIFEN_STORM_PROCESSES", "3"))


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
async def test_storm(database_url: str) -> None:
    # the storm runs its own event loops (seeding here, workers in processes)
    seeded, report = await asyncio.to_thread(storm.run, database_url, SECONDS, PROCESSES)
    print(f"\nstorm: {report.operations} operations in {SECONDS:.0f} s")
    for outcome, n in sorted(report.outcomes.items()):
        print(f"  {outcome:<44}{n:>7}")
    assert report.failures == [], report.failures[:20]
    assert report.kinds() == set(storm.OPERATIONS), report.kinds() ^ set(storm.OPERATIONS)
    winners = {k.split(":")[1] for k in report.outcomes if not k.endswith(":none")}
    assert {"PurchaseRecorded", "Spent", "Redeemed", "VoucherVoided", "Refunded"} <= winners
    assert {"CouponClaimed", "VoucherIssued", "ExpiryRun", "201"} <= winners
    assert await storm.check_books(database_url, seeded) == []
