"""Developer tools: writing a migration from the models (``jifen makemigrations``)."""

from __future__ import annotations

from tortoise.cli.cli import CLIContext, makemigrations

from models.store.db import tortoise_config

# Migrations are dialect-neutral operations; an in-memory SQLite is enough to diff models.
TORTOISE_ORM = tortoise_config("sqlite://:memory:")


async def make_migrations(name: str | None) -> int:
    """Write ``migrations/NNNN_<name>.py`` for model changes since the last migration."""
    await makemigrations(
        CLIContext(config="bot.devtools.TORTOISE_ORM", config_file=None), (), empty=False, name=name
    )
    return 0
