"""Migrations build the schema on both databases and match the models."""

from __future__ import annotations

import importlib

import pytest
from tortoise import Tortoise

from models.store import db
from models.store.tables import Member


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
async def test_migrate_twice_then_use(database_url: str) -> None:
    await db.migrate(database_url)
    await db.migrate(database_url)  # idempotent
    await db.open_store(database_url, apply_migrations=False)
    try:
        assert await Member.all().count() == 0
    finally:
        await db.close_store()


async def test_models_have_no_unmigrated_changes() -> None:
    from tortoise.migrations.autodetector import MigrationAutodetector

    config = db.tortoise_config("sqlite://:memory:")
    await Tortoise.init(config=config)
    try:
        detector = MigrationAutodetector(Tortoise.apps, config["apps"])
        writers = await detector.changes()
        assert writers == [], "models changed: run `jifen makemigrations --name <what>`"
    finally:
        await db.close_store()


def test_fresh_stores_get_what_the_postgres_only_migration_creates() -> None:
    """Tests and benchmarks build stores from the models: they get 0016's statements too."""
    migration = importlib.import_module("migrations.0016_member_search")
    assert db.POSTGRES_ONLY == migration.STATEMENTS
