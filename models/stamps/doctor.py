"""``jifen doctor``, stamp cards: the cards agree with their stamps, by aggregate SQL.

- ``stamp-sum``: each card's ``stamps`` equals the sum of its stamp rows;
- ``stamp-range``: a card in progress (or expired) holds ``0 <= stamps < needed``, a filled
  card exactly ``needed``, a closed card none;
- ``stamp-reward``: a filled card of a type that gives a voucher has one, and of a type
  that gives points names the entry that gave them.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.store import sql
from models.store.db import connection


@dataclass(frozen=True)
class StampProblem:
    kind: str
    member_id: int
    card_id: int
    expected: int
    actual: int

    def __str__(self) -> str:
        return (
            f"{self.kind}: member {self.member_id} stamp card {self.card_id}:"
            f" expected {self.expected}, found {self.actual}"
        )


_CHECKS: dict[str, str] = {
    "stamp-sum": (
        "SELECT c.member_id, c.id AS card_id, c.stamps AS expected, COALESCE(s.n, 0) AS actual"
        " FROM stamp_card c LEFT JOIN (SELECT card_id, SUM(stamps) AS n FROM stamp"
        " GROUP BY card_id) s ON s.card_id = c.id WHERE c.stamps <> COALESCE(s.n, 0)"
    ),
    "stamp-range": (
        "SELECT c.member_id, c.id AS card_id, t.stamps_needed AS expected, c.stamps AS actual"
        " FROM stamp_card c JOIN stamp_card_type t ON t.id = c.card_type_id WHERE"
        " (c.state IN ('collecting', 'expired') AND (c.stamps < 0 OR c.stamps >= t.stamps_needed))"
        " OR (c.state = 'filled' AND c.stamps <> t.stamps_needed)"
        " OR (c.state = 'closed' AND c.stamps <> 0)"
    ),
    "stamp-reward": (
        "SELECT c.member_id, c.id AS card_id, 1 AS expected, 0 AS actual"
        " FROM stamp_card c JOIN stamp_card_type t ON t.id = c.card_type_id"
        " WHERE c.state = 'filled' AND ((t.reward_id IS NOT NULL AND c.voucher_id IS NULL)"
        " OR (t.reward_id IS NULL AND t.reward_points > 0 AND c.reward_entry_key IS NULL))"
    ),
}


async def check() -> list[StampProblem]:
    """Every violated stamp-card invariant (empty when the cards agree)."""
    conn = connection()
    return [
        StampProblem(
            kind,
            int(row["member_id"]),
            int(row["card_id"]),
            sql.as_int(row["expected"]),
            sql.as_int(row["actual"]),
        )
        for kind, statement in _CHECKS.items()
        for row in await sql.rows(conn, statement)
    ]
