"""Hand-written SQL's plumbing: statements planned for their values."""

from __future__ import annotations

from models.store import sql
from models.store.db import connection


async def test_a_statement_planned_for_its_values_leaves_the_session_as_it_was(
    store: str,
) -> None:
    if store == "sqlite":  # no plan cache to steer: the statement simply runs
        assert await sql.rows_planned_for_values("SELECT 1 AS one", []) == [{"one": 1}]
        return
    setting = "SELECT current_setting($1) AS mode"
    inside = await sql.rows_planned_for_values(setting, ["plan_cache_mode"])
    assert inside == [{"mode": "force_custom_plan"}]
    outside = await connection().execute_query_dict(setting, ["plan_cache_mode"])
    assert outside == [{"mode": "auto"}]  # SET LOCAL: gone with its transaction
