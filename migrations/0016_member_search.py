"""Member search on PostgreSQL: trigram indexes, so "contains" (a name, a phone's last
digits) is an index read, not a scan of every member. SQLite needs none: its LIKE over a
hundred thousand rows takes a few tens of milliseconds, and it has no such index.

``pg_trgm`` ships with PostgreSQL (contrib) and is a trusted extension: the database's
owner may create it. Kept literal here (a migration is a snapshot); the fresh stores of
tests and benchmarks get the same statements from ``models.store.db.POSTGRES_ONLY``.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

STATEMENTS = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS member_first_name_trgm ON member"
    " USING gin (first_name gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS member_last_name_trgm ON member"
    " USING gin (last_name gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS member_phone_trgm ON member USING gin (phone gin_trgm_ops)",
)
DROPPED = (
    "DROP INDEX IF EXISTS member_first_name_trgm",
    "DROP INDEX IF EXISTS member_last_name_trgm",
    "DROP INDEX IF EXISTS member_phone_trgm",
)


async def _run(statements: tuple[str, ...], schema_editor) -> None:  # noqa: ANN001
    client = schema_editor.client
    if client.capabilities.dialect != "postgres":
        return
    for statement in statements:
        await client.execute_script(statement)


async def forward(apps, schema_editor) -> None:  # noqa: ANN001
    await _run(STATEMENTS, schema_editor)


async def backward(apps, schema_editor) -> None:  # noqa: ANN001
    await _run(DROPPED, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("models", "0015_report_days")]

    initial = False

    operations = [ops.RunPython(forward, backward)]
