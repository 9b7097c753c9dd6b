"""The send budget all instances share: one row, booked by one conditional UPDATE.

Virtual scheduling (GCRA) in the store: ``tat`` is the next free slot (Unix seconds).
Booking ``n`` slots moves it ``n × spacing`` past ``max(tat, now)`` and returns where the
booking starts; the caller sleeps until then. So every instance's sends together stay
within the rate, whoever sends them. Interactive replies book one slot each with no limit
on how far ahead; the outbox sender books small blocks and only while the budget is not
already booked ahead (``horizon``), so a reply is never queued behind more than a block of
bulk. ``reply_at`` (the last reply's booking) tells the sender people are talking.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from models.store import sql
from models.store.db import connection

TELEGRAM = "telegram"


@dataclass(frozen=True)
class Booking:
    """Slots booked from ``start`` on (Unix seconds); ``reply_at``: last reply's booking."""

    start: float
    reply_at: float


async def ensure(name: str = TELEGRAM) -> None:
    await sql.execute(
        connection(),
        "INSERT INTO send_pace (name, tat, reply_at) VALUES (?, 0, 0)"
        " ON CONFLICT (name) DO NOTHING",
        name,
    )


async def book(
    span: float,
    *,
    horizon: float | None = None,
    reply: bool = False,
    name: str = TELEGRAM,
    now: float | None = None,
) -> Booking | None:
    """Book ``span`` seconds of the budget; ``None`` if it is booked beyond ``now + horizon``."""
    now = time.time() if now is None else now
    greatest = "GREATEST" if sql.pg() else "MAX"
    params: list[object] = [now, span, reply, now, name]
    limit = ""
    if horizon is not None:
        limit = " AND tat <= ?"
        params.append(now + horizon)
    rows = await sql.rows(
        connection(),
        f"UPDATE send_pace SET tat = {greatest}(tat, ?) + ?,"
        f" reply_at = CASE WHEN ? THEN ? ELSE reply_at END WHERE name = ?{limit}"
        " RETURNING tat, reply_at",
        *params,
    )
    if not rows:
        return None
    return Booking(float(rows[0]["tat"]) - span, float(rows[0]["reply_at"]))
