"""An upgrade without downtime from the previous release, in the README's order.

Two instances of the previous release's code (``PREVIOUS_RELEASE``, taken out of this
repository's history with ``git archive``) serve a fresh PostgreSQL database and take
purchases over the API. Then, while purchases keep flowing: **expand** (this release's
``jifen migrate``, its own step, under the old instances' feet) and **roll** (take one
instance out of the balancer, stop it with SIGTERM, start this release's code in its
place, put it back once healthy; then the other). Old and new code serve side by side
on the new schema meanwhile. Nothing is refused, nothing is lost, ``doctor`` is clean.

The previous release reads ``member`` with ``m.*``; PostgreSQL refuses such a cached
plan once the expand step adds a column, so each of its pooled connections answers one
purchase 500 (it wrote nothing, and the till's retry with the same order succeeds). This
release lists columns by name (``models.store.sql.select_list``): the second test holds
it to no refusal at all while a further additive migration lands under two instances.

When a release is cut, ``PREVIOUS_RELEASE`` moves to it.
"""

from __future__ import annotations

import asyncio
import itertools
import subprocess
import sys
from pathlib import Path

import aiohttp

from models.ledger import doctor
from models.store import db
from models.store.tables import Purchase
from tests.instances.cluster import ROOT, Cluster, Instance

PREVIOUS_RELEASE = "fee133e"  # wave 2, 2026-11-26: migrations 0001–0008
"""The last commit of the previous release; this release adds migrations 0009–0012."""

SERVING = {
    "JIFEN_API__ENABLED": "true",
    "JIFEN_API__RATE_PER_SECOND": "1000",
    "JIFEN_API__RATE_BURST": "1000",
    "JIFEN_SCHEDULER__ENABLED": "false",
}
"""Settings both releases know: the previous release refuses a setting it does not know
(``database.migrate_on_start`` is this release's), so only the new instances get it."""
NEW_ONLY = {"JIFEN_DATABASE__MIGRATE_ON_START": "false"}


def _checkout(commit: str, into: Path) -> Path:
    """The release's tree, as an operator would have it installed."""
    into.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", commit], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


async def _cli(cluster: Cluster, code: Path, *args: str) -> str:
    """A ``jifen`` command with the service's environment, from the checkout at ``code``."""
    env = cluster.env("cli", 1, PYTHONPATH=str(code))
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", *args, cwd=code, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await process.communicate()
    assert process.returncode == 0, output.decode()[-3000:]
    return output.decode()


POOL_SIZE = db.PG_POOL_SIZE
"""Connections per instance at most (the previous release's pool is as large)."""


class Balancer:
    """The instances in service, as nginx's upstream block holds them: an operator takes
    one out before stopping it and puts its successor in once ``/healthz`` answers."""

    def __init__(self) -> None:
        self.serving: list[Instance] = []
        self._turn = itertools.count()

    def next(self) -> Instance:
        return self.serving[next(self._turn) % len(self.serving)]


class Till:
    """A POS that rings up purchases without pause, retrying a 5xx up to twice with the
    same order, as tills do (a failure writes nothing, so the retry is the first write)."""

    def __init__(self, http: aiohttp.ClientSession, balancer: Balancer, code: str) -> None:
        self.http, self.balancer, self.code = http, balancer, code
        self.answers: list[tuple[str, int]] = []
        self.final: dict[str, int] = {}
        self._stop = asyncio.Event()

    async def buy(self) -> None:
        for i in itertools.count():
            if self._stop.is_set():
                return
            order = f"U-{i}"
            for _attempt in range(3):
                target = self.balancer.next()
                body = {
                    "member": {"code": self.code},
                    "amount_minor": 1000,
                    "currency": "CNY",
                    "order_id": order,
                }
                async with self.http.post(f"{target.url}/api/v1/purchases", json=body) as r:
                    self.answers.append((target.name, r.status))
                    self.final[order] = r.status
                    if r.status < 500:
                        break

    async def close(self, buying: asyncio.Task[None]) -> None:
        self._stop.set()
        await buying


async def test_two_instances_upgrade_from_the_previous_release_while_purchases_flow(
    cluster: Cluster, tmp_path: Path
) -> None:
    previous = _checkout(PREVIOUS_RELEASE, tmp_path / "previous")
    await cluster.start(0)
    old = [cluster.spawn(f"old{i}", previous, **SERVING) for i in range(2)]
    for instance in old:  # one at a time: the first migrates the empty database
        await cluster.wait_healthy(instance)
    balancer = Balancer()
    balancer.serving.extend(old)

    key = (await _cli(cluster, previous, "apikey", "create", "POS till 1")).split()[-1]
    auth = {"Authorization": f"Bearer {key}"}
    async with aiohttp.ClientSession(headers=auth) as http:
        code = await _enrol(http, old[0])

        till = Till(http, balancer, code)
        buying = asyncio.create_task(till.buy())
        await asyncio.sleep(1.0)

        migrated = await _cli(cluster, ROOT, "migrate")  # expand: this release's schema
        assert "0012_tier_up" in migrated, migrated
        await asyncio.sleep(1.0)  # the old code serves on the new schema

        for i, instance in enumerate(old):  # roll, one by one
            balancer.serving.remove(instance)
            await asyncio.sleep(0.2)  # requests already sent to it finish
            assert await instance.stop() == 0, instance.log.read_text()[-3000:]
            successor = cluster.spawn(f"new{i}", ROOT, **SERVING, **NEW_ONLY)
            await cluster.wait_healthy(successor)
            balancer.serving.append(successor)
            await asyncio.sleep(1.0)  # old and new side by side
        await till.close(buying)

    assert set(till.final.values()) == {201}, "every purchase went through, retried or not"
    served_by = {name for name, _ in till.answers}
    assert {"old0", "old1", "new0", "new1"} <= served_by, served_by
    failed = [(name, status) for name, status in till.answers if status != 201]
    assert all(name.startswith("old") and status == 500 for name, status in failed), failed
    assert len(failed) <= 2 * POOL_SIZE, f"one 500 per old pooled connection at most: {failed}"
    await _consistent(cluster, till)


async def test_an_additive_migration_lands_under_this_release_with_nothing_refused(
    cluster: Cluster,
) -> None:
    """The next upgrade, from this release: its expand step (new nullable columns on the
    tables a purchase reads and writes) lands under two running instances."""
    await _cli(cluster, ROOT, "migrate")
    await cluster.start(2, **SERVING, **NEW_ONLY)
    key = (await _cli(cluster, ROOT, "apikey", "create", "POS till 1")).split()[-1]
    balancer = Balancer()
    balancer.serving.extend(cluster.instances)
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {key}"}) as http:
        code = await _enrol(http, cluster.instances[0])
        till = Till(http, balancer, code)
        buying = asyncio.create_task(till.buy())
        await asyncio.sleep(1.0)
        await db.open_store(cluster.database_url, apply_migrations=False)
        for table in (
            "member",
            "purchase",
            "ledger_entry",
            "point_lot",
            "lot_draw",
            "idempotency_record",
        ):
            await db.connection().execute_script(
                f"ALTER TABLE {table} ADD COLUMN next_release_note TEXT NULL"
            )
        await asyncio.sleep(1.5)
        await till.close(buying)
    assert [a for a in till.answers if a[1] != 201] == [], "nothing refused"
    await _consistent(cluster, till)


async def _enrol(http: aiohttp.ClientSession, instance: Instance) -> str:
    async with http.post(
        f"{instance.url}/api/v1/members",
        json={"external_id": "shop-1", "name": "Alice"},
        headers={"Idempotency-Key": "enrol-alice"},
    ) as response:
        assert response.status == 201, await response.text()
        return str((await response.json())["code"])


async def _consistent(cluster: Cluster, till: Till) -> None:
    """Every purchase the till saw go through is kept once; the ledger adds up."""
    await db.open_store(cluster.database_url, apply_migrations=False)
    assert await Purchase.all().count() == len(till.final), "every purchase kept, once"
    assert await doctor.check() == []
    for instance in cluster.instances:
        if instance.alive:
            assert (await cluster.health(instance))["ok"]
