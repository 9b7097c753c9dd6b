"""What ``/metrics`` reads from the store at scrape time: ledger totals, queue depth and lag.

The ledger is append-only, so its totals are kept running: each scrape aggregates only
the entries after the last one it settled (a primary-key range), and a scrape stays cheap
on a million entries. An entry counts as settled once it is :data:`SETTLE` old: a
transaction still open may commit an entry with a lower id than one already seen, and
settling later keeps it from being skipped. The newest entries (after the settled mark)
are aggregated afresh at every scrape, so totals are exact up to the second.

These numbers describe the shared database: every instance reports the same, so a
dashboard takes ``max`` over instances, never ``sum``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from models.delivery import inbox, outbox_delivery
from models.store import clock, sql
from models.store.db import connection

log = logging.getLogger(__name__)
SETTLE = timedelta(minutes=2)
KINDS = ("earn", "bonus", "redeem", "expire", "adjust", "reverse", "opening")
"""Every ledger entry kind, so each series exists (at 0) from the first scrape."""


@dataclass
class Totals:
    """Entries, points (absolute) and purchases per entry kind."""

    entries: dict[str, int] = field(default_factory=dict)
    points: dict[str, int] = field(default_factory=dict)
    purchases: int = 0

    def add(self, rows: list[dict[str, object]]) -> Totals:
        for row in rows:
            kind = str(row["kind"])
            self.entries[kind] = self.entries.get(kind, 0) + sql.as_int(row["n"])
            self.points[kind] = self.points.get(kind, 0) + sql.as_int(row["points"])
            if kind == "earn":  # a refund's reversal names the purchase too
                self.purchases += sql.as_int(row["purchases"])
        return self

    def plus(self, other: Totals) -> Totals:
        both = Totals(dict(self.entries), dict(self.points), self.purchases)
        for kind in other.entries:
            both.entries[kind] = both.entries.get(kind, 0) + other.entries[kind]
            both.points[kind] = both.points.get(kind, 0) + other.points[kind]
        both.purchases += other.purchases
        return both


AGGREGATE = (
    "SELECT kind, COUNT(*) AS n, SUM(ABS(points)) AS points, COUNT(purchase_id) AS purchases"
    " FROM ledger_entry WHERE id > ? AND id <= ? GROUP BY kind"
)
NEWEST = "SELECT MAX(id) AS id FROM ledger_entry"
SETTLED = "SELECT MAX(id) AS id FROM ledger_entry WHERE id > ? AND created_at < ?"


class StoreCollector(Collector):
    """The store's numbers, read by :meth:`refresh` (async) and yielded by :meth:`collect`."""

    def __init__(self) -> None:
        self.settled_id = 0
        self.settled = Totals()
        self.totals = Totals()
        self.inbox = inbox.Lag(0, 0.0)
        self.outbox = inbox.Lag(0, 0.0)
        self.up = False

    async def refresh(self) -> None:
        """Read what changed since the last scrape; on a store error, report ``up`` 0."""
        try:
            await self._refresh()
            self.up = True
        except Exception:
            log.exception("metrics: the store does not answer")
            self.up = False

    async def _refresh(self) -> None:
        conn = connection()
        now = clock.now()
        mark = await sql.one(conn, SETTLED, self.settled_id, now - SETTLE)
        if mark and mark["id"] is not None:
            upto = sql.as_int(mark["id"])
            self.settled.add(await sql.rows(conn, AGGREGATE, self.settled_id, upto))
            self.settled_id = upto
        newest = await sql.one(conn, NEWEST)
        top = sql.as_int(newest["id"] if newest else 0)
        fresh = Totals().add(await sql.rows(conn, AGGREGATE, self.settled_id, top))
        self.totals = self.settled.plus(fresh)
        self.inbox = await inbox.lag(now)
        self.outbox = await outbox_delivery.lag(now)

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        up = GaugeMetricFamily("jifen_store_up", "1 when the last scrape could read the store")
        up.add_metric([], 1 if self.up else 0)
        yield up
        entries = CounterMetricFamily(
            "jifen_ledger_entries", "Ledger entries in the store, by kind", labels=["kind"]
        )
        points = CounterMetricFamily(
            "jifen_points",
            "Points moved, by entry kind (absolute): issued = earn + bonus, redeemed, expired",
            labels=["kind"],
        )
        for kind in sorted({*KINDS, *self.totals.entries}):
            entries.add_metric([kind], self.totals.entries.get(kind, 0))
            points.add_metric([kind], self.totals.points.get(kind, 0))
        yield entries
        yield points
        purchases = CounterMetricFamily("jifen_purchases", "Purchases that earned points")
        purchases.add_metric([], self.totals.purchases)
        yield purchases
        for name, lag in (("inbox", self.inbox), ("outbox", self.outbox)):
            depth = GaugeMetricFamily(f"jifen_{name}_depth", f"Unfinished {name} items (due)")
            depth.add_metric([], lag.pending)
            yield depth
            age = GaugeMetricFamily(
                f"jifen_{name}_lag_seconds", f"How long the oldest unfinished {name} item waits"
            )
            age.add_metric([], lag.oldest_seconds)
            yield age
