"""Tiers: qualifying totals over a rolling window, upgrade at once, downgrade at review.

The qualifying total is, per ``tiers.basis``:
- ``points``: points earned from purchases in the last ``window_days`` (EARN entries,
  less REVERSE entries of refunded purchases); bonuses and adjustments do not qualify;
- ``spend``: purchase amounts in the window, less what was refunded of them.

An earn that lifts the total over a threshold upgrades the member in the same
transaction (:func:`upgrade_after_earn`); falling below one only takes effect at the
monthly :func:`review`, which queues a ``tier-downgraded`` notice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from models.delivery import outbox, webhooks
from models.ledger.config import RuleSet, TierLevel, Tiers
from models.store import clock, sql
from models.store.db import connection, write_transaction
from models.store.tables import Member, TierChange

_QUALIFYING = {
    "points": (
        "SELECT {group} SUM(points) AS total FROM ledger_entry"
        " WHERE created_at >= ? AND (kind = 'earn' OR (kind = 'reverse'"
        " AND purchase_id IS NOT NULL)) {where} {groupby}"
    ),
    "spend": (
        "SELECT {group} SUM(amount_minor - refunded_minor) AS total FROM purchase"
        " WHERE created_at >= ? {where} {groupby}"
    ),
}


def one_member_total_sql(rules: RuleSet) -> str:
    """The qualifying-total query for one member (parameters: window start, member id);
    /balance embeds it as a scalar subquery, so the rule is written only here."""
    return _QUALIFYING[rules.tiers.basis].format(group="", where="AND member_id = ?", groupby="")


@dataclass(frozen=True)
class TierProgress:
    current: TierLevel
    next: TierLevel | None
    qualifying: int
    needed: int
    """Qualifying points (or minor units of spend) still missing for ``next``; 0 at the top."""
    basis: str


def tier_for(total: int, tiers: Tiers) -> TierLevel:
    """The highest level whose threshold ``total`` reaches."""
    chosen = tiers.levels[0]
    for level in tiers.levels:
        if total >= level.threshold:
            chosen = level
    return chosen


def rank(tiers: Tiers, key: str) -> int:
    """Position of a tier key (unknown keys rank lowest)."""
    for i, level in enumerate(tiers.levels):
        if level.key == key:
            return i
    return -1


def level(tiers: Tiers, key: str) -> TierLevel:
    return tiers.levels[max(rank(tiers, key), 0)]


def tier_name(lvl: TierLevel, language: str) -> str:
    return lvl.names.get(language) or lvl.names.get("en") or lvl.key


def window_start(rules: RuleSet, now: datetime) -> datetime:
    return now - timedelta(days=rules.tiers.window_days)


async def qualifying_total(
    member_id: int,
    rules: RuleSet,
    *,
    now: datetime | None = None,
    conn: BaseDBAsyncClient | None = None,
) -> int:
    """The member's qualifying total over the window ending ``now``."""
    statement = one_member_total_sql(rules)
    since = window_start(rules, now or clock.now())
    row = await sql.one(conn or connection(), statement, since, member_id)
    return sql.as_int(row and row["total"])


async def upgrade_after_earn(
    conn: BaseDBAsyncClient,
    member: Member,
    rules: RuleSet,
    now: datetime,
    *,
    pending_points: int = 0,
) -> str | None:
    """Upgrade ``member`` if its qualifying total now reaches a higher tier (in ``conn``).

    Called after the purchase row is written but before its EARN entry, so
    ``pending_points`` (the purchase's points) are added on the points basis.
    """
    if len(rules.tiers.levels) < 2:
        return None
    total = await qualifying_total(member.id, rules, now=now, conn=conn)
    if rules.tiers.basis == "points":
        total += pending_points
    target = tier_for(total, rules.tiers)
    if rank(rules.tiers, target.key) <= rank(rules.tiers, member.tier):
        return None
    await (
        Member.filter(id=member.id)
        .using_db(conn)
        .update(tier=target.key, tier_since=now, tier_up_unseen=target.key)
    )
    await TierChange.create(
        member_id=member.id,
        from_tier=member.tier,
        to_tier=target.key,
        reason="earn",
        created_at=now,
        using_db=conn,
    )
    await webhooks.emit_tier_change(conn, member.id, member.tier, target.key, "earn")
    member.tier = target.key
    member.tier_up_unseen = target.key
    await outbox.to_member(
        member,
        template=UPGRADED_TEMPLATE,
        args=upgraded_args(target, member.language),
        kind="notice",
        dedupe_key=f"tier-up:{member.id}:{target.key}:{now:%Y-%m-%dT%H:%M:%S.%f}",
        using_db=conn,
    )
    return target.key


UPGRADED_TEMPLATE = "tier-upgraded"


def perks_of(tier: TierLevel, language: str) -> list[str]:
    """The tier's perk lines in ``language`` (else English, else none)."""
    return list(tier.perks.get(language) or tier.perks.get("en") or [])


def upgraded_args(tier: TierLevel, language: str) -> dict[str, Any]:
    """Arguments of ``tier-upgraded``: the tier's name and its perks, one per line."""
    perks = perks_of(tier, language)
    return {
        "tier": tier_name(tier, language),
        "perks": "\n".join(f"• {line}" for line in perks),
        "has_perks": "yes" if perks else "no",
    }


async def take_unseen_upgrade(member_id: int, tier: str) -> bool:
    """Whether the Mini App should show the member reaching ``tier`` now: true exactly once
    (the flag is cleared by a conditional update, so of two views at once one shows it)."""
    async with write_transaction() as conn:
        query = Member.filter(id=member_id, tier_up_unseen=tier).using_db(conn)
        return bool(await query.update(tier_up_unseen=None))


async def review(now: datetime | None = None, rules: RuleSet | None = None) -> list[TierChange]:
    """Monthly review: move members whose qualifying total fell below their tier down.

    Idempotent: a rerun finds nobody left to downgrade. Upgrades happen on earn, not here.
    """
    from models.ledger import rule_versions

    now = now or clock.now()
    rules = rules or (await rule_versions.current())[1]
    tiers = rules.tiers
    lowest = tiers.levels[0].key
    statement = _QUALIFYING[tiers.basis].format(
        group="member_id,", where="", groupby="GROUP BY member_id"
    )
    changes: list[TierChange] = []
    async with write_transaction() as conn:
        totals = {
            r["member_id"]: sql.as_int(r["total"])
            for r in await sql.rows(conn, statement, window_start(rules, now))
        }
        # ascending id: the one order in which transactions take member rows (models.store.locks)
        members = await Member.exclude(tier=lowest).order_by("id").using_db(conn)
        for member in members:
            target = tier_for(totals.get(member.id, 0), tiers)
            if rank(tiers, target.key) >= rank(tiers, member.tier):
                continue
            old = level(tiers, member.tier)
            await Member.filter(id=member.id).using_db(conn).update(tier=target.key, tier_since=now)
            changes.append(
                await TierChange.create(
                    member_id=member.id,
                    from_tier=member.tier,
                    to_tier=target.key,
                    reason="review",
                    created_at=now,
                    using_db=conn,
                )
            )
            await webhooks.emit_tier_change(conn, member.id, member.tier, target.key, "review")
            await outbox.to_member(
                member,
                template="tier-downgraded",
                args={
                    "from_tier": tier_name(old, member.language),
                    "to_tier": tier_name(target, member.language),
                },
                kind="notice",
                dedupe_key=f"tier-review:{member.id}:{now:%Y-%m-%d}",
                using_db=conn,
            )
    return changes


async def progress(member: Member, rules: RuleSet | None = None) -> TierProgress:
    """Where the member stands: current tier, the next one and what is missing (/balance)."""
    from models.ledger import rule_versions

    rules = rules or (await rule_versions.current())[1]
    total = await qualifying_total(member.id, rules)
    current = level(rules.tiers, member.tier)
    idx = rank(rules.tiers, current.key)
    nxt = rules.tiers.levels[idx + 1] if idx + 1 < len(rules.tiers.levels) else None
    needed = max(0, nxt.threshold - total) if nxt else 0
    return TierProgress(current, nxt, total, needed, rules.tiers.basis)
