"""A seeded, ledger-consistent data set for report tests and ``bench.reports``.

Rows are plain tuples written with ``executemany`` in chunks of members, so the bench
can make a million entries in seconds with bounded memory, and tests can keep the rows
to compute the right answers naively in Python. Per member the entries are in time
order, ``balance_after`` is the running sum and ``member.balance`` the final one (the
ledger invariant); redeem entries come with a voucher, refunds with a reverse entry.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from models.reports.query import Sql
from models.store import db

NOW = datetime(2026, 3, 20, 4, 0, tzinfo=UTC)
"""Tests freeze the clock here (noon in Shanghai)."""

TIERS = ("member", "silver", "gold")
LOCATIONS = (None, "north", "south")
REWARDS = 5
CAMPAIGNS = (
    # (id, start, end, weekdays)
    (1, NOW - timedelta(days=10), NOW - timedelta(days=6), []),
    (2, NOW - timedelta(days=40), NOW - timedelta(days=33), []),
    (3, NOW - timedelta(days=90), NOW + timedelta(days=30), [5, 6]),
)

MEMBER_COLUMNS = (
    "id, code, first_name, last_name, language, marketing_opt_in, notifications_enabled,"
    " reachable, card_token, referral_code, tier, balance, created_at, last_purchase_at,"
    " deleted_at"
)
PURCHASE_COLUMNS = (
    "id, member_id, receipt_code, idempotency_key, amount_minor, currency, items, location,"
    " channel, points_awarded, refunded_minor, points_reversed, created_at"
)
ENTRY_COLUMNS = (
    "id, member_id, kind, points, balance_after, purchase_id, voucher_id, breakdown, channel,"
    " created_at"
)
VOUCHER_COLUMNS = (
    "id, token, code, member_id, reward_id, status, cost_points, issued_at, valid_until,"
    " redeemed_at, redeemed_location"
)
TIER_COLUMNS = "id, member_id, from_tier, to_tier, reason, created_at"


@dataclass
class Chunk:
    """Rows for a slice of members, in insert order (vouchers before the entries using them)."""

    members: list[tuple] = field(default_factory=list)
    purchases: list[tuple] = field(default_factory=list)
    vouchers: list[tuple] = field(default_factory=list)
    entries: list[tuple] = field(default_factory=list)
    tier_changes: list[tuple] = field(default_factory=list)

    def extend(self, other: Chunk) -> None:
        for name in ("members", "purchases", "vouchers", "entries", "tier_changes"):
            getattr(self, name).extend(getattr(other, name))


class Generator:
    """Members over ``days`` before :data:`NOW`, about ``entries_per_member`` entries each."""

    def __init__(self, seed: int, *, days: int = 120, entries_per_member: float = 10.0) -> None:
        self.rng = random.Random(seed)
        self.days = days
        self.per_member = entries_per_member
        self.ids = {"purchase": 0, "entry": 0, "voucher": 0, "tier": 0}

    def _next(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def _instant(self, after: datetime) -> datetime:
        span = (NOW - after).total_seconds()
        return after + timedelta(seconds=self.rng.uniform(0, span), microseconds=0)

    def chunks(self, members: int, chunk_size: int = 5000) -> Iterator[Chunk]:
        for first in range(1, members + 1, chunk_size):
            chunk = Chunk()
            for member_id in range(first, min(first + chunk_size, members + 1)):
                self._member(member_id, chunk)
            yield chunk

    def _member(self, member_id: int, chunk: Chunk) -> None:
        rng = self.rng
        created = NOW - timedelta(
            days=self.days * 1.2 * rng.random(), seconds=rng.randint(0, 86399)
        )
        created = created.replace(microsecond=rng.choice((0, rng.randint(1, 999_999))))
        events: list[tuple[datetime, str]] = []
        n = max(0, int(rng.expovariate(1 / self.per_member)))
        purchases_n = int(n * 0.6)
        for _ in range(purchases_n):
            events.append((self._instant(created), "purchase"))
        for kind, share in (("bonus", 0.05), ("redeem", 0.15), ("expire", 0.08), ("adjust", 0.04)):
            for _ in range(int(n * share + rng.random())):
                events.append((self._instant(created), kind))
        events.sort()
        balance, last_purchase = 0, None
        location = rng.choice(LOCATIONS)
        for at, kind in events:
            if kind == "purchase":
                balance = self._purchase(member_id, at, location, balance, chunk)
                last_purchase = at
            elif kind == "bonus":
                balance += 50
                self._entry(member_id, "bonus", 50, balance, at, chunk)
            elif kind == "redeem" and balance >= 100:
                cost = rng.choice((100, 200, min(balance, 500)))
                balance -= cost
                voucher = self._voucher(member_id, cost, at, chunk)
                self._entry(member_id, "redeem", -cost, balance, at, chunk, voucher=voucher)
            elif kind == "expire" and balance > 0:
                points = rng.randint(1, balance)
                balance -= points
                self._entry(member_id, "expire", -points, balance, at, chunk)
            elif kind == "adjust":
                points = rng.choice((-20, 10, 30))
                balance += points
                self._entry(member_id, "adjust", points, balance, at, chunk)
        tier = self._tiers(member_id, created, chunk)
        deleted = self._instant(created) if rng.random() < 0.02 else None
        chunk.members.append(
            (
                member_id,
                f"M{member_id:07d}",
                f"Name{member_id}",
                "",
                rng.choice(("en", "zh-Hans")),
                rng.random() < 0.6,
                True,
                True,
                f"card{member_id:020d}",
                f"R{member_id:07d}",
                tier,
                balance,
                created,
                last_purchase,
                deleted,
            )
        )

    def _purchase(
        self, member_id: int, at: datetime, location: str | None, balance: int, chunk: Chunk
    ) -> int:
        rng = self.rng
        pid = self._next("purchase")
        amount = rng.randint(100, 50_000)
        points = amount // 100
        refunded = rng.choice((0,) * 9 + (amount,))
        location = location if rng.random() < 0.8 else rng.choice(LOCATIONS)
        reversed_points = points if refunded else 0
        chunk.purchases.append(
            (pid, member_id, f"P{pid:09d}", f"k{pid}", amount, "CNY", "[]", location,
             "telegram", points, refunded, reversed_points, at)
        )  # fmt: skip
        balance += points
        self._entry(member_id, "earn", points, balance, at, chunk, purchase=pid)
        if refunded:
            balance -= points
            later = at + timedelta(minutes=rng.randint(1, 600))
            self._entry(
                member_id, "reverse", -points, balance, min(later, NOW), chunk, purchase=pid
            )
        return balance

    def _entry(
        self,
        member_id: int,
        kind: str,
        points: int,
        balance: int,
        at: datetime,
        chunk: Chunk,
        *,
        purchase: int | None = None,
        voucher: int | None = None,
    ) -> None:
        chunk.entries.append(
            (self._next("entry"), member_id, kind, points, balance, purchase, voucher, "{}",
             "telegram", at)
        )  # fmt: skip

    def _voucher(self, member_id: int, cost: int, at: datetime, chunk: Chunk) -> int:
        rng = self.rng
        vid = self._next("voucher")
        status = rng.choice(("issued", "redeemed", "redeemed", "expired", "voided"))
        redeemed = at + timedelta(hours=1) if status == "redeemed" else None
        chunk.vouchers.append(
            (vid, f"vt{vid:020d}", f"V{vid:09d}", member_id, rng.randint(1, REWARDS), status,
             cost, at, at + timedelta(days=30), redeemed,
             rng.choice(LOCATIONS) if redeemed else None)
        )  # fmt: skip
        return vid

    def _tiers(self, member_id: int, created: datetime, chunk: Chunk) -> str:
        """Zero to two tier changes member→silver→gold (and sometimes back down)."""
        rng = self.rng
        tier, at = "member", created
        for _ in range(rng.choice((0, 0, 1, 2))):
            to = "silver" if tier in ("member", "gold") else rng.choice(("gold", "member"))
            at = self._instant(at)
            chunk.tier_changes.append((self._next("tier"), member_id, tier, to, "earn", at))
            tier = to
        return tier


async def insert(chunk: Chunk) -> None:
    """Write one chunk in one transaction with ``executemany``."""
    q = Sql()

    def marks(columns: str) -> str:
        n = len(columns.split(","))
        return ", ".join("?" if q.sqlite else f"${i}" for i in range(1, n + 1))

    def adapt(rows: list[tuple]) -> list[tuple]:
        if not q.sqlite:
            return rows
        return [
            tuple(v.isoformat(sep=" ") if isinstance(v, datetime) else v for v in row)
            for row in rows
        ]

    async with db.write_transaction() as conn:
        for table, columns, rows in (
            ("member", MEMBER_COLUMNS, chunk.members),
            ("purchase", PURCHASE_COLUMNS, chunk.purchases),
            ("voucher", VOUCHER_COLUMNS, chunk.vouchers),
            ("ledger_entry", ENTRY_COLUMNS, chunk.entries),
            ("tier_change", TIER_COLUMNS, chunk.tier_changes),
        ):
            if rows:
                sql = f"INSERT INTO {table} ({columns}) VALUES ({marks(columns)})"
                await conn.execute_many(sql, adapt(rows))


async def seed_catalogue() -> None:
    """Rewards and campaigns (a handful of rows, through the ORM)."""
    from models.store.tables import Campaign, CampaignKind, Reward

    for i in range(1, REWARDS + 1):
        await Reward.create(
            id=i, names={"en": f"Reward {i}", "zh-Hans": f"奖品{i}"}, kind="gift",
            cost_points=100 * i, created_at=NOW - timedelta(days=200),
        )  # fmt: skip
    for cid, start, end, weekdays in CAMPAIGNS:
        await Campaign.create(
            id=cid, names={"en": f"Campaign {cid}", "zh-Hans": f"活动{cid}"},
            kind=CampaignKind.MULTIPLIER, multiplier="2", starts_at=start, ends_at=end,
            weekdays=weekdays, created_at=start,
        )  # fmt: skip


async def fix_sequences() -> None:
    """After explicit ids, move PostgreSQL's sequences past them (SQLite needs nothing)."""
    if db.dialect() != "postgres":
        return
    for table in ("member", "purchase", "voucher", "ledger_entry", "tier_change", "reward",
                  "campaign"):  # fmt: skip
        await db.connection().execute_script(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
            f" COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
        )


async def build(seed: int, members: int, **kwargs: float) -> Chunk:
    """Generate and insert a data set; return every row (for tests' naive answers)."""
    await seed_catalogue()
    everything = Chunk()
    for chunk in Generator(seed, **kwargs).chunks(members):  # type: ignore[arg-type]
        await insert(chunk)
        everything.extend(chunk)
    await fix_sequences()
    return everything
