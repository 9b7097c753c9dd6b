"""Expiry: the set-based sweep of due lots, and what is about to expire (for reminders).

Apart because these work on all members at once, not one locked member.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from models.codes import tokens
from models.delivery import webhooks
from models.ledger.results import ExpiryRun
from models.store import clock, locks, sql
from models.store.db import write_transaction


async def expire_due(now: datetime | None = None) -> ExpiryRun:
    """Expire what is left of every lot due by ``now``: one EXPIRE entry per member.

    Set-based (a handful of statements whatever the number of lots). Idempotent: a
    rerun finds no due lot with points left. Entries of one run share the key prefix
    ``expire:<run>:`` (``<run>`` = timestamp + random suffix) and are found by an index
    range.
    """
    now = now or clock.now()
    # unique per call: a second sweep at the same instant finds nothing left anyway
    run = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + tokens.token()[:6]
    prefix = f"expire:{run}:"
    due = "l.expires_at <= ? AND l.remaining > 0"
    async with write_transaction() as conn:
        scope: list[Any] = []
        if sql.pg():
            # every due member, ascending id, before anything else (models.store.locks); each
            # later statement sees a new snapshot (READ COMMITTED), so it keeps to these
            # members: a lot another member gains meanwhile is left for the next sweep
            locked = await sql.rows(
                conn,
                "SELECT id FROM member WHERE id IN (SELECT l.member_id FROM point_lot l"
                f" WHERE {due}) ORDER BY id" + locks.row_lock(),
                now,
            )
            due += " AND l.member_id = ANY(?)"
            scope = [[row["id"] for row in locked]]
        await sql.execute(
            conn,
            "INSERT INTO ledger_entry (member_id, kind, points, balance_after,"
            " idempotency_key, breakdown, reason, channel, created_at)"
            " SELECT l.member_id, 'expire', -SUM(l.remaining), m.balance - SUM(l.remaining),"
            " CAST(? AS TEXT) || CAST(l.member_id AS TEXT), '{}', 'expiry', 'system', ?"
            f" FROM point_lot l JOIN member m ON m.id = l.member_id WHERE {due}"
            " GROUP BY l.member_id, m.balance",
            prefix,
            now,
            now,
            *scope,
        )
        await sql.execute(
            conn,
            "INSERT INTO lot_draw (entry_id, lot_id, points)"
            " SELECT e.id, l.id, -l.remaining FROM point_lot l JOIN ledger_entry e"
            " ON e.idempotency_key = CAST(? AS TEXT) || CAST(l.member_id AS TEXT)"
            f" WHERE {due}",
            prefix,
            now,
            *scope,
        )
        in_run = "e.idempotency_key >= ? AND e.idempotency_key < ?"
        end = prefix[:-1] + ";"  # ';' sorts right after ':'
        await sql.execute(
            conn,
            "UPDATE member SET balance = member.balance + e.points FROM ledger_entry e"
            f" WHERE e.member_id = member.id AND {in_run}",
            prefix,
            end,
        )
        await sql.execute(conn, f"UPDATE point_lot AS l SET remaining = 0 WHERE {due}", now, *scope)
        await webhooks.emit_expired(conn, prefix, end, now)
        row = await sql.one(
            conn,
            f"SELECT COUNT(*) AS n, SUM(e.points) AS s FROM ledger_entry e WHERE {in_run}",
            prefix,
            end,
        )
    assert row is not None
    return ExpiryRun(members=sql.as_int(row["n"]), points=-sql.as_int(row["s"]), run_key=run)


async def expiring_between(start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Per member, points due to expire in ``[start, end)`` (for expiry reminders).

    Rows: ``member_id``, ``points``, ``first_expiry``.
    """
    from models.store.db import connection

    found = await sql.rows(
        connection(),
        "SELECT member_id, SUM(remaining) AS points, MIN(expires_at) AS first_expiry"
        " FROM point_lot WHERE expires_at >= ? AND expires_at < ? AND remaining > 0"
        " GROUP BY member_id",
        start,
        end,
    )
    return [
        {
            "member_id": r["member_id"],
            "points": sql.as_int(r["points"]),
            "first_expiry": sql.as_datetime(r["first_expiry"]),
        }
        for r in found
    ]
