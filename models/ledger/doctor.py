"""``jifen doctor``: the ledger's invariants, checked by aggregate SQL (no row loops).

For every member (see :mod:`models.ledger` for why a balance may be negative):

- ``balance == SUM(entries.points)``                          (kind ``balance``)
- ``SUM(lots.remaining) == MAX(balance, 0)``                    (kind ``lots``)
- each lot: ``0 <= remaining <= points``                        (kind ``lot-range``)
- each lot: ``remaining == points + SUM(draws on it)``          (kind ``lot-draws``)
- each entry: ``balance_after`` of the member's newest entry equals the balance
  (kind ``last-balance``), which catches a balance moved without an entry.

Each query is one pass of GROUP BY over its table, so 100k members take well under a
second on SQLite.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.store import sql
from models.store.db import connection


@dataclass(frozen=True)
class Discrepancy:
    kind: str
    member_id: int | None
    expected: int
    actual: int
    lot_id: int | None = None

    def __str__(self) -> str:
        where = f"member {self.member_id}" + (f" lot {self.lot_id}" if self.lot_id else "")
        return f"{self.kind}: {where}: expected {self.expected}, found {self.actual}"


_CHECKS: dict[str, str] = {
    "balance": (
        "SELECT m.id AS member_id, m.balance AS expected, COALESCE(e.s, 0) AS actual,"
        " NULL AS lot_id FROM member m LEFT JOIN"
        " (SELECT member_id, SUM(points) AS s FROM ledger_entry GROUP BY member_id) e"
        " ON e.member_id = m.id WHERE m.balance <> COALESCE(e.s, 0)"
    ),
    "lots": (
        "SELECT m.id AS member_id, CASE WHEN m.balance > 0 THEN m.balance ELSE 0 END AS expected,"
        " COALESCE(l.s, 0) AS actual, NULL AS lot_id FROM member m LEFT JOIN"
        " (SELECT member_id, SUM(remaining) AS s FROM point_lot GROUP BY member_id) l"
        " ON l.member_id = m.id"
        " WHERE COALESCE(l.s, 0) <> CASE WHEN m.balance > 0 THEN m.balance ELSE 0 END"
    ),
    "lot-range": (
        "SELECT member_id, points AS expected, remaining AS actual, id AS lot_id FROM point_lot"
        " WHERE remaining < 0 OR remaining > points"
    ),
    "lot-draws": (
        "SELECT l.member_id, l.points + COALESCE(d.s, 0) AS expected, l.remaining AS actual,"
        " l.id AS lot_id FROM point_lot l LEFT JOIN (SELECT lot_id, SUM(points) AS s"
        " FROM lot_draw GROUP BY lot_id) d ON d.lot_id = l.id"
        " WHERE l.remaining <> l.points + COALESCE(d.s, 0)"
    ),
    "last-balance": (
        "SELECT m.id AS member_id, m.balance AS expected, e.balance_after AS actual,"
        " NULL AS lot_id FROM member m JOIN (SELECT member_id, MAX(id) AS last_id"
        " FROM ledger_entry GROUP BY member_id) x ON x.member_id = m.id"
        " JOIN ledger_entry e ON e.id = x.last_id WHERE e.balance_after <> m.balance"
    ),
}


async def check() -> list[Discrepancy]:
    """Every violated invariant, as data (empty when the books balance)."""
    found: list[Discrepancy] = []
    conn = connection()
    for kind, statement in _CHECKS.items():
        for row in await sql.rows(conn, statement):
            found.append(
                Discrepancy(
                    kind=kind,
                    member_id=row["member_id"],
                    expected=sql.as_int(row["expected"]),
                    actual=sql.as_int(row["actual"]),
                    lot_id=row["lot_id"],
                )
            )
    return found
