"""Which rewards to show a member first: what they can take now, then what they are
closest to, weighted by what members who buy the same categories redeem.

Pure SQL over purchases and vouchers, no third-party service. A reward's *affinity* for a
member: over the last ``AFFINITY_DAYS``, each category the member bought weighs as many as
their purchases in it; a reward scores the summed weight of the categories bought by each
member who redeemed it (so a member who buys coffee is shown what coffee buyers take).

Order (:func:`order`): in stock before out of stock; then rewards the member can afford,
highest affinity first (then the marketer's ``sort_order``, cheapest); then the others by
points to go, shrunk by up to half for the best-liked (``to_go × 100 / (100 + pct)``, with
``pct`` the reward's affinity as a percentage of the best one), so a reward the member's
peers love may come before a slightly nearer one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from models.store import sql
from models.store.db import connection
from models.store.tables import Member, Reward

AFFINITY_DAYS = 180


async def affinity(member_id: int, now: datetime, days: int = AFFINITY_DAYS) -> dict[int, int]:
    """reward id → affinity score for this member (rewards nobody alike redeemed: absent)."""
    since = now - timedelta(days=days)
    rows = await sql.rows(
        connection(),
        "WITH mine AS (SELECT category, COUNT(*) AS w FROM purchase"
        " WHERE member_id = ? AND created_at >= ? AND category IS NOT NULL GROUP BY category),"
        " peers AS (SELECT p.member_id, SUM(mine.w) AS w FROM"
        " (SELECT DISTINCT member_id, category FROM purchase WHERE created_at >= ?) p"
        " JOIN mine ON mine.category = p.category GROUP BY p.member_id)"
        " SELECT v.reward_id, SUM(peers.w) AS score FROM voucher v"
        " JOIN peers ON peers.member_id = v.member_id WHERE v.issued_at >= ?"
        " GROUP BY v.reward_id",
        member_id,
        since,
        since,
        since,
    )
    return {int(r["reward_id"]): int(r["score"]) for r in rows}


def order(member: Member, rewards: Sequence[Reward], scores: dict[int, int]) -> list[Reward]:
    """``rewards`` in the order the member should see them (see the module docstring)."""
    best = max(scores.values(), default=0)

    def key(r: Reward) -> tuple[int, int, int, int, int, int]:
        score = scores.get(r.id, 0)
        out = 0 if r.stock is None or r.stock > 0 else 1
        to_go = max(r.cost_points - member.balance, 0)
        if to_go == 0:
            return (out, 0, -score, r.sort_order, r.cost_points, r.id)
        pct = score * 100 // best if best else 0
        return (out, 1, to_go * 100 // (100 + pct), r.sort_order, r.cost_points, r.id)

    return sorted(rewards, key=key)
