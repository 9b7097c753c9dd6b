"""The rows one operation writes, queued by name and sent in as few trips as possible.

An operation says WHAT it writes (a purchase, a balance move, an entry with its lot, the
draws of a debit, a receipt, any row that must commit with it) and then :meth:`flush`es;
how the statements travel is this module's business: SQLite runs a flush in ONE trip to
its worker thread (``models.store.sqlite_backend``), PostgreSQL one statement after another in
the same transaction. A later statement finds an earlier one's row through the database
(by its idempotency key), never through Python, which is what lets them travel together.

After a flush every queued row has its ``id``, and the balance is checked to have landed
where the locked member row said it would (anything else is a bug, raised).

Other concerns that must write in the same transaction as a ledger operation (a webhook
event, an audit row) add their statement with :meth:`Journal.also`: it rides in the
operation's last flush.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model

from models.store import sql

_ENTRY_BY_KEY = "(SELECT id FROM ledger_entry WHERE idempotency_key = ?)"


@dataclass
class Drawn:
    """Points a queued draw took from the lots (set by the flush)."""

    points: int = 0


class Journal:
    """Writes of one operation inside ``conn``'s transaction (see the module docstring)."""

    def __init__(self, conn: BaseDBAsyncClient) -> None:
        self.conn = conn
        self._steps: list[sql.Step] = []
        self._after: list[tuple[int, Any]] = []  # (step index, what to do with its rows)

    def _queue(self, step: sql.Step, then: Any = None) -> None:
        if then is not None:
            self._after.append((len(self._steps), then))
        self._steps.append(step)

    def insert(self, row: Model, **exprs: sql.Step) -> None:
        """Insert ``row`` (unsaved); ``exprs`` are columns given as SQL, e.g. a subquery
        naming a row of the same flush. ``row.id`` is set by the flush."""
        self._queue(
            sql.insert_row(row, exprs),
            lambda rows: setattr(row, "id", rows[0]["id"]),
        )

    def move_balance(
        self,
        member_id: int,
        delta: int,
        *,
        expect: int,
        require: int | None = None,
        last_purchase_at: datetime | None = None,
    ) -> None:
        """Add ``delta`` to the balance, which must then be ``expect`` (under the member's
        lock nothing else moves it); with ``require``, only if ``balance >= require``."""
        sets, params = "balance = balance + ?", [delta]
        if last_purchase_at is not None:
            sets += ", last_purchase_at = ?"
            params.append(last_purchase_at)
        statement = f"UPDATE member SET {sets} WHERE id = ?"
        params.append(member_id)
        if require is not None:
            statement += " AND balance >= ?"
            params.append(require)

        def check(rows: list[dict[str, Any]]) -> None:
            if not rows or int(rows[0]["balance"]) != expect:
                raise RuntimeError(f"member {member_id}: balance changed under its lock")

        self._queue((statement + " RETURNING balance", params), check)

    def open_lot(
        self,
        member_id: int,
        key: str,
        points: int,
        *,
        balance_before: int,
        expires_at: datetime | None,
        now: datetime,
    ) -> None:
        """The lot of the credit keyed ``key`` (queued before it); a debt is repaid first
        and the repayment recorded as a draw on the new lot."""
        repay = min(points, max(0, -balance_before))
        self._queue(
            (
                "INSERT INTO point_lot (member_id, entry_id, points, remaining, expires_at,"
                f" created_at) VALUES (?, {_ENTRY_BY_KEY}, ?, ?, ?, ?)",
                [member_id, key, points, points - repay, expires_at, now],
            )
        )
        if repay:
            self._queue(
                (
                    "INSERT INTO lot_draw (entry_id, lot_id, points) SELECT l.entry_id, l.id, ?"
                    f" FROM point_lot l WHERE l.member_id = ? AND l.entry_id = {_ENTRY_BY_KEY}",
                    [-repay, member_id, key],
                )
            )

    def draw_lots(self, member_id: int, key: str, points: int) -> Drawn:
        """Set-based earliest-expiry-first draw of ``points`` for the entry keyed ``key``;
        what was drawn is known after the flush.

        Both statements see the lots as they were (the member row is locked), so the draws
        written and the remainders taken agree.
        """
        drawn = Drawn()
        take = (
            "SELECT id, CASE WHEN remaining < need THEN remaining ELSE need END AS take FROM ("
            " SELECT id, remaining, CAST(? AS BIGINT) - COALESCE(CAST(SUM(remaining) OVER ("
            "  ORDER BY expires_at IS NULL, expires_at, id"
            "  ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS BIGINT), 0) AS need"
            " FROM point_lot WHERE member_id = ? AND remaining > 0) AS p"
        )
        self._queue(
            (
                f"INSERT INTO lot_draw (entry_id, lot_id, points) SELECT {_ENTRY_BY_KEY}, t.id,"
                f" -t.take FROM ({take}) AS t WHERE t.take > 0 RETURNING points",
                [key, points, member_id],
            ),
            lambda rows: setattr(drawn, "points", -sum(int(r["points"]) for r in rows)),
        )
        self._queue(
            (
                f"UPDATE point_lot SET remaining = remaining - t.take FROM ({take}) AS t"
                " WHERE t.id = point_lot.id AND t.take > 0",
                [points, member_id],
            )
        )
        return drawn

    def also(self, step: sql.Step) -> None:
        """Any other row that must commit with this operation (it names no id of the flush
        but through the database)."""
        self._queue(step)

    async def flush(self) -> None:
        """Send what is queued; set ids and check balances."""
        steps, after = self._steps, self._after
        self._steps, self._after = [], []
        if not steps:
            return
        done = await sql.batch(self.conn, steps)
        for index, then in after:
            then(done[index])
