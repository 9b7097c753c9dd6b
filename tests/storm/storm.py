"""The storm: every kind of write at once, from several processes, on one store.

Each worker process opens its own store connection (and its own HTTP API server) and
runs a few concurrent tasks that pick operations at random: earn (and retries of an
earn), spend, bonus, adjust (±), issue a reward, redeem and void vouchers (the newest
ones, which other processes are scanning too), refund recent purchases, claim coupons,
the expiry sweep, and purchases over the HTTP API. Half of the calls go to a few hot
members. Every call must answer a value (a rejection is a value); an exception, or an
HTTP 5xx, is a failure the worker reports with its operation.

:func:`run` seeds the store, runs the workers for ``seconds`` and returns their report;
:func:`check_books` checks what must hold afterwards (``models.ledger.doctor`` and the stock).
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from multiprocessing import get_context
from typing import Any

from aiohttp import ClientSession, web

from models import ledger
from models.access import api_keys
from models.catalogue import coupons, vouchers
from models.ledger import doctor, rule_versions
from models.members import membership
from models.store import clock, db, sql
from models.store.db import connection
from models.store.tables import Coupon, Reward, Voucher, VoucherStatus
from tests.store.helpers import rules

RULES = rules()
MEMBERS = 12
HOT = 3
STOCK = 100_000
COUPONS = 500
TASKS = 4
"""Concurrent tasks per worker process."""
OPERATIONS = (
    "earn",
    "earn-retry",
    "spend",
    "bonus",
    "adjust",
    "issue",
    "redeem",
    "void",
    "refund",
    "claim",
    "expire",
    "api-purchase",
)
WEIGHTS = (20, 4, 10, 4, 6, 10, 8, 6, 8, 6, 1, 12)


@dataclass(frozen=True)
class Seed:
    """What the parent seeded, for the workers."""

    url: str
    member_ids: list[int]
    member_codes: list[str]
    reward_id: int
    free_reward_id: int
    coupon_codes: list[str]
    api_key: str


@dataclass
class Report:
    """What the workers did: outcomes per operation, and every failure."""

    outcomes: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def add(self, other: Report) -> None:
        self.outcomes.update(other.outcomes)
        self.failures.extend(other.failures)

    @property
    def operations(self) -> int:
        return sum(self.outcomes.values())

    def kinds(self) -> set[str]:
        return {outcome.split(":", 1)[0] for outcome in self.outcomes}


async def seed(url: str) -> Seed:
    """Members (a few with points that are already due to expire), rewards, coupons, a key."""
    await db.open_fresh_store(url)
    try:
        await rule_versions.current()  # the first rule version, before workers race for it
        now = clock.now()
        people = [
            (await membership.ensure_member(900_000 + i, first_name=f"Storm{i}"))[0]
            for i in range(MEMBERS)
        ]
        clock.freeze(now - timedelta(days=400))  # lots that expire before the storm starts
        for m in people:
            await ledger.grant_bonus(m.id, 50, idempotency_key=f"old{m.id}", reason="seed")
        clock.unfreeze()
        for m in people:
            await ledger.grant_bonus(m.id, 300, idempotency_key=f"seed{m.id}", reason="seed")
        prize = await Reward.create(
            names={"en": "Tea"}, kind="gift", cost_points=7, stock=STOCK, created_at=now
        )
        free = await Reward.create(names={"en": "Gift"}, kind="gift", cost_points=0, created_at=now)
        batch = await coupons.generate_batch(free.id, COUPONS, actor_telegram_id=None)
        assert isinstance(batch, coupons.BatchCreated), batch
        codes = [c.code for c in await Coupon.filter(batch_id=batch.batch_id)]
        key = await api_keys.create("storm")
        assert isinstance(key, api_keys.ApiKeyCreated), key
        return Seed(
            url=url,
            member_ids=[m.id for m in people],
            member_codes=[m.code for m in people],
            reward_id=prize.id,
            free_reward_id=free.id,
            coupon_codes=codes,
            api_key=key.key,
        )
    finally:
        await db.close_store()


def run(url: str, seconds: float, processes: int) -> tuple[Seed, Report]:
    """Seed ``url``, storm it from ``processes`` processes for ``seconds``; the report."""
    seeded = asyncio.run(seed(url))
    report = Report()
    spawn = get_context("spawn")  # a clean interpreter: no inherited loop or connection
    with ProcessPoolExecutor(max_workers=processes, mp_context=spawn) as pool:
        futures = [pool.submit(_worker, seeded, seconds, i) for i in range(processes)]
        for future in futures:
            report.add(future.result())
    return seeded, report


async def check_books(url: str, seeded: Seed) -> list[str]:
    """What must hold after the storm, as readable problems (empty when all is well)."""
    await db.open_store(url, apply_migrations=False)
    try:
        problems = [str(p) for p in await doctor.check()]
        prize = await Reward.get(id=seeded.reward_id)
        held = await Voucher.filter(reward_id=prize.id).exclude(status=VoucherStatus.VOIDED).count()
        if prize.stock is None or prize.stock + held != STOCK:
            problems.append(f"stock {prize.stock} + vouchers held {held} != {STOCK}")
        claimed = await Coupon.filter(claimed_by_id__isnull=False).count()
        with_voucher = await Coupon.filter(voucher_id__isnull=False).count()
        if claimed != with_voucher:
            problems.append(f"{claimed} coupons claimed but {with_voucher} have a voucher")
        return problems
    finally:
        await db.close_store()


def _worker(seeded: Seed, seconds: float, index: int) -> Report:
    return asyncio.run(_work(seeded, seconds, index))


async def _work(seeded: Seed, seconds: float, index: int) -> Report:
    from aiohttp.test_utils import TestServer

    from api.app import PREFIX, build_api
    from bot.settings import Settings

    report = Report()
    await db.open_store(seeded.url, apply_migrations=False)
    root = web.Application()
    root.add_subapp(
        PREFIX, build_api(Settings(api={"rate_per_second": 100_000, "rate_burst": 100_000}))
    )
    server = TestServer(root)
    await server.start_server()
    try:
        async with ClientSession(base_url=str(server.make_url(PREFIX + "/"))) as http:
            storm = _Storm(seeded, index, report, http)
            deadline = time.monotonic() + seconds
            await asyncio.gather(*(storm.loop(task, deadline) for task in range(TASKS)))
    finally:
        await server.close()
        await db.close_store()
    return report


class _Storm:
    """One worker's operations; each returns an outcome name or raises."""

    def __init__(self, seeded: Seed, index: int, report: Report, http: ClientSession) -> None:
        self.seeded, self.index, self.report, self.http = seeded, index, report, http
        self.rng = random.Random(os.getpid() * 1000 + index)
        self.n = 0
        self.earn_keys: list[tuple[int, str]] = []

    def key(self, kind: str) -> str:
        self.n += 1
        return f"storm-{self.index}-{kind}-{self.n}"

    def pick(self) -> int:
        """Index of a member: half of the time one of the hot few."""
        return self.rng.randrange(HOT if self.rng.random() < 0.5 else MEMBERS)

    def member(self) -> int:
        return self.seeded.member_ids[self.pick()]

    async def loop(self, task: int, deadline: float) -> None:
        while time.monotonic() < deadline:
            [kind] = self.rng.choices(OPERATIONS, WEIGHTS)
            try:
                outcome = await getattr(self, "op_" + kind.replace("-", "_"))()
            except Exception as exc:  # every exception is the finding
                self.report.failures.append(f"{kind}: {type(exc).__name__}: {exc}")
                continue
            self.report.outcomes[f"{kind}:{outcome}"] += 1

    async def op_earn(self) -> str:
        m, key = self.member(), self.key("earn")
        amount = self.rng.randint(100, 50_000)
        result = await ledger.earn_for_purchase(m, amount, "CNY", idempotency_key=key, rules=RULES)
        self.earn_keys.append((m, key))
        return type(result).__name__

    async def op_earn_retry(self) -> str:
        if not self.earn_keys:
            return "none"
        m, key = self.rng.choice(self.earn_keys)
        result = await ledger.earn_for_purchase(m, 1000, "CNY", idempotency_key=key, rules=RULES)
        assert getattr(result, "replayed", False), result
        return type(result).__name__

    async def op_spend(self) -> str:
        result = await ledger.spend(
            self.member(), self.rng.randint(1, 40), idempotency_key=self.key("s"), reason="storm"
        )
        return type(result).__name__

    async def op_bonus(self) -> str:
        result = await ledger.grant_bonus(
            self.member(), self.rng.randint(1, 30), idempotency_key=self.key("b"), reason="storm"
        )
        return type(result).__name__

    async def op_adjust(self) -> str:
        points = self.rng.choice([-1, 1]) * self.rng.randint(1, 30)
        result = await ledger.adjust(
            self.member(),
            points,
            reason="storm",
            actor_telegram_id=1,
            idempotency_key=self.key("a"),
        )
        return type(result).__name__

    async def op_issue(self) -> str:
        result = await vouchers.issue_for_reward(
            self.member(), self.seeded.reward_id, idempotency_key=self.key("i"), rules=RULES
        )
        return type(result).__name__

    async def _recent(self, statement: str) -> dict[str, Any] | None:
        found = await sql.rows(connection(), statement)
        return self.rng.choice(found) if found else None

    async def op_redeem(self) -> str:
        row = await self._recent(
            "SELECT code FROM voucher WHERE status = 'issued' ORDER BY id DESC LIMIT 8"
        )
        if row is None:
            return "none"
        result = await vouchers.redeem(row["code"], staff_telegram_id=self.index)
        return type(result).__name__

    async def op_void(self) -> str:
        row = await self._recent(
            "SELECT id FROM voucher WHERE status = 'issued' ORDER BY id DESC LIMIT 8"
        )
        if row is None:
            return "none"
        result = await vouchers.void(row["id"], "storm", self.index)
        return type(result).__name__

    async def op_refund(self) -> str:
        row = await self._recent("SELECT id, amount_minor FROM purchase ORDER BY id DESC LIMIT 8")
        if row is None:
            return "none"
        amount = self.rng.randint(1, int(row["amount_minor"]))
        result = await ledger.refund(row["id"], amount, idempotency_key=self.key("r"))
        return type(result).__name__

    async def op_claim(self) -> str:
        code = self.rng.choice(self.seeded.coupon_codes)
        result = await coupons.claim(self.member(), code)
        return type(result).__name__

    async def op_expire(self) -> str:
        later = self.rng.choice([timedelta(0), timedelta(days=400)])
        result = await ledger.expire_due(clock.now() + later)
        return type(result).__name__

    async def op_api_purchase(self) -> str:
        code = self.seeded.member_codes[self.pick()]
        order = self.key("o") if self.rng.random() < 0.9 else f"storm-{self.index}-o-1"
        async with self.http.post(
            "purchases",
            json={
                "member": {"code": code},
                "amount_minor": self.rng.randint(100, 50_000),
                "currency": "CNY",
                "order_id": order,
            },
            headers={"Authorization": f"Bearer {self.seeded.api_key}"},
        ) as response:
            await response.read()
            if response.status >= 500:
                raise RuntimeError(f"HTTP {response.status}")
            return str(response.status)
