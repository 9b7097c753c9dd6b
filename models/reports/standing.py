"""What members held at an instant: the liability (positive balances) and members per tier.

Both read the journal and tier changes backwards or forwards from ``at``, whichever side
is shorter; :mod:`models.reports.rollup` keeps their answers at the ends of closed days.
"""

from __future__ import annotations

from datetime import datetime

from models.reports.query import Sql, as_int
from models.store import clock


async def liability_at(at: datetime) -> int:
    """Sum of positive balances at instant ``at``.

    By the ledger invariant (balance = sum of entries) a balance then is either the
    materialized balance minus the entries since ``at``, or the sum of the entries before
    ``at``; the shorter side of ``at`` in time (from the first entry to now) is read, so
    neither a recent nor an old instant walks the whole journal.
    ``GROUP BY +member_id`` keeps SQLite on the covering ``created_at`` range (a sort of
    the few rows read) instead of walking the whole ``member_id`` index to avoid a sort.
    """
    q = Sql()
    row = await q.one("SELECT COALESCE(SUM(balance), 0) AS s FROM member WHERE balance > 0")
    now_total = as_int(row.get("s"))
    if at >= clock.now():
        return now_total
    first = (await Sql().one("SELECT MIN(created_at) AS t FROM ledger_entry")).get("t")
    if first is None:
        return 0
    first = first if isinstance(first, datetime) else datetime.fromisoformat(str(first))
    q = Sql()
    if at - first < clock.now() - at:
        row = await q.one(
            "SELECT COALESCE(SUM(CASE WHEN s > 0 THEN s ELSE 0 END), 0) AS then_ FROM"
            " (SELECT SUM(points) AS s FROM ledger_entry"
            f" WHERE created_at < {q.p(at)} GROUP BY +member_id) b"
        )
        return as_int(row.get("then_"))
    row = await q.one(
        "SELECT COALESCE(SUM(CASE WHEN m.balance - d.delta > 0 THEN m.balance - d.delta"
        " ELSE 0 END), 0) AS then_, COALESCE(SUM(CASE WHEN m.balance > 0 THEN m.balance"
        " ELSE 0 END), 0) AS now_ FROM (SELECT +member_id AS member_id, SUM(points) AS delta"
        f" FROM ledger_entry WHERE created_at >= {q.p(at)} GROUP BY +member_id) d"
        " JOIN member m ON m.id = d.member_id"
    )
    return now_total - as_int(row.get("now_")) + as_int(row.get("then_"))


async def tiers_at(at: datetime) -> dict[str, int]:
    """Members (not deleted by then) per tier at instant ``at``.

    A member's tier then is the ``from_tier`` of their first tier change after ``at``,
    or their tier now if it has not changed since. At or after now no change follows:
    then it is one count of members by tier.
    """
    q = Sql()
    if at >= clock.now():
        rows = await q.rows(
            f"SELECT tier, COUNT(*) AS n FROM member WHERE enrolled AND created_at < {q.p(at)}"
            f" AND (deleted_at IS NULL OR deleted_at >= {q.p(at)}) GROUP BY tier"
        )
        return {str(r["tier"]): as_int(r["n"]) for r in rows}
    rows = await q.rows(
        "SELECT COALESCE(f.from_tier, m.tier) AS tier, COUNT(*) AS n FROM member m"
        " LEFT JOIN (SELECT tc.member_id, tc.from_tier FROM tier_change tc"
        f" WHERE tc.created_at >= {q.p(at)} AND NOT EXISTS (SELECT 1 FROM tier_change t2"
        f" WHERE t2.member_id = tc.member_id AND t2.created_at >= {q.p(at)}"
        " AND (t2.created_at < tc.created_at OR (t2.created_at = tc.created_at"
        " AND t2.id < tc.id)))) f ON f.member_id = m.id"
        f" WHERE m.enrolled AND m.created_at < {q.p(at)}"
        f" AND (m.deleted_at IS NULL OR m.deleted_at >= {q.p(at)})"
        " GROUP BY COALESCE(f.from_tier, m.tier)"
    )
    return {str(r["tier"]): as_int(r["n"]) for r in rows}
