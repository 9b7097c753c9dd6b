"""An upgrade without downtime, as the README's "Upgrades" orders it: the newest migration
is applied (``jifen migrate``, its own step) while two instances take purchases through
the API; nothing is refused, nothing is lost, and ``doctor`` finds the ledger consistent.

The previous release's code is not at hand, so both instances run this code on the
previous schema until the migration lands (``database.migrate_on_start = false``): what
is tested is that the newest migration is additive, applied under the instances' feet.
"""

from __future__ import annotations

import asyncio
import itertools
import sys

import aiohttp
from tortoise.migrations.api import migrate as run_migrations

from models.access import api_keys
from models.ledger import doctor
from models.store import db
from models.store.tables import Purchase
from tests.api.conftest import new_member, purchase
from tests.instances.cluster import ROOT, Cluster

MIGRATIONS = sorted(p.stem for p in (ROOT / "migrations").glob("0*.py"))


async def _migrate_as_its_own_step(cluster: Cluster) -> int:
    """``jifen migrate`` in its own process, as an operator runs it."""
    env = cluster.env("migrator", 1)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "migrate", cwd=ROOT, env=env
    )
    return await process.wait()


async def test_the_newest_migration_lands_while_two_instances_take_purchases(
    cluster: Cluster,
) -> None:
    previous, newest = MIGRATIONS[-2], MIGRATIONS[-1]
    await run_migrations(
        config=db.tortoise_config(cluster.database_url), target=f"models.{previous}"
    )
    await db.close_store()
    await db.open_store(cluster.database_url, apply_migrations=False)
    assert newest not in await _applied(cluster)
    created = await api_keys.create("POS till 1")
    assert isinstance(created, api_keys.ApiKeyCreated)
    alice = await new_member(101)
    await cluster.start(
        2,
        JIFEN_DATABASE__MIGRATE_ON_START="false",
        JIFEN_API__ENABLED="true",
        JIFEN_API__RATE_PER_SECOND="1000",
        JIFEN_API__RATE_BURST="1000",
        JIFEN_SCHEDULER__ENABLED="false",
    )
    answers: list[int] = []
    migrated_at: list[int] = []
    stop = asyncio.Event()

    async def buy() -> None:
        auth = {"Authorization": f"Bearer {created.key}"}
        async with aiohttp.ClientSession(headers=auth) as http:
            for i in itertools.count():
                if stop.is_set():
                    return
                target = cluster.instances[i % 2]
                body = purchase(alice, amount=1000, order=f"U-{i}")
                async with http.post(f"{target.url}/api/v1/purchases", json=body) as response:
                    answers.append(response.status)

    buying = asyncio.create_task(buy())
    await asyncio.sleep(1.0)
    assert await _migrate_as_its_own_step(cluster) == 0
    migrated_at.append(len(answers))
    await asyncio.sleep(1.0)
    stop.set()
    await buying

    assert newest in await _applied(cluster)
    assert 10 < migrated_at[0] < len(answers) - 10, "purchases before and after the migration"
    assert set(answers) == {201}, f"refused: {[a for a in answers if a != 201]}"
    assert await Purchase.all().count() == len(answers), "every accepted purchase is kept"
    assert await doctor.check() == []
    for instance in cluster.instances:
        assert instance.alive
        assert (await cluster.health(instance))["ok"]


async def _applied(cluster: Cluster) -> list[str]:
    rows = await db.connection().execute_query_dict("SELECT name FROM tortoise_migrations")
    return [str(row["name"]) for row in rows]
