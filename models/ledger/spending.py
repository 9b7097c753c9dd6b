"""Spending, bonuses and manual adjustments: the keyed operations on points alone.

None involves a purchase; an adjustment also writes its audit row and notice in the same
transaction.
"""

from __future__ import annotations

from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from models.delivery import webhooks
from models.ledger.config import RuleSet
from models.ledger.dates import expiry_for
from models.ledger.keys import _entry_by_key, check_key, run_keyed
from models.ledger.postings import (
    _lock_member_and_key,
    _notify,
    _resolve_rules,
    credit,
    debit,
    lock_member,
)
from models.ledger.results import Credited, InsufficientPoints, InvalidAmount, Spent, UnknownMember
from models.store import audit, clock
from models.store.tables import EntryKind, LedgerEntry, Member


def _points_ok(points: Any) -> bool:
    return isinstance(points, int) and not isinstance(points, bool) and points > 0


async def spend(
    member_id: int,
    points: int,
    *,
    idempotency_key: str,
    reason: str,
    voucher_id: int | None = None,
    channel: str = "telegram",
    actor_telegram_id: int | None = None,
) -> Spent | InsufficientPoints | InvalidAmount | UnknownMember:
    """Spend points (a REDEEM entry), earliest-expiring lots first."""
    key = f"spend:{check_key(idempotency_key)}"
    if not _points_ok(points):
        return InvalidAmount(reason="points")

    async def op(conn: BaseDBAsyncClient) -> Spent:
        member, first_id = await _lock_member_and_key(conn, member_id, key)
        if first_id is not None:
            return _spent(await LedgerEntry.get(id=first_id).using_db(conn), replayed=True)
        entry = await debit(
            conn,
            member,
            points,
            kind=EntryKind.REDEEM,
            key=key,
            now=clock.now(),
            voucher_id=voucher_id,
            reason=reason,
            channel=channel,
            actor_telegram_id=actor_telegram_id,
        )
        return _spent(entry)

    async def replay() -> Spent | None:
        first = await _entry_by_key(key)
        return _spent(first, replayed=True) if first else None

    return await run_keyed(op, replay)


def _spent(entry: LedgerEntry, *, replayed: bool = False) -> Spent:
    return Spent(
        entry_id=entry.id,
        member_id=entry.member_id,  # type: ignore[attr-defined]
        points=-entry.points,
        balance=entry.balance_after,
        replayed=replayed,
    )


def _credited(entry: LedgerEntry, *, replayed: bool = False) -> Credited:
    return Credited(
        entry_id=entry.id,
        member_id=entry.member_id,  # type: ignore[attr-defined]
        points=entry.points,
        balance=entry.balance_after,
        replayed=replayed,
    )


async def _credit_op(
    member_id: int,
    points: int,
    key: str,
    kind: EntryKind,
    rules: RuleSet | None,
    tz: str,
    adjustment: dict[str, Any] | None = None,
    **fields: Any,
) -> Credited | UnknownMember:
    rules, _ = await _resolve_rules(rules, None)

    async def op(conn: BaseDBAsyncClient) -> Credited:
        member = await lock_member(conn, member_id)
        first = await LedgerEntry.get_or_none(idempotency_key=key).using_db(conn)
        if first is not None:
            return _credited(first, replayed=True)
        now = clock.now()
        entry = await credit(
            conn,
            member,
            points,
            kind=kind,
            key=key,
            expires_at=expiry_for(now, rules.expiry, tz),
            now=now,
            **fields,
        )
        if adjustment is not None:
            await _record_adjustment(conn, member, entry, adjustment)
        return _credited(entry)

    async def replay() -> Credited | None:
        first = await _entry_by_key(key)
        return _credited(first, replayed=True) if first else None

    return await run_keyed(op, replay)


async def _record_adjustment(
    conn: BaseDBAsyncClient, member: Member, entry: LedgerEntry, details: dict[str, Any]
) -> None:
    """An adjustment's audit row and the member's notice, in the adjustment's transaction."""
    details = dict(details)
    await audit.record(
        "points.adjust",
        actor_telegram_id=entry.actor_telegram_id,
        actor_kind=details.pop("actor_kind"),
        target=f"member:{member.id}",
        details={**details, "entry_id": entry.id, "points": entry.points},
        using_db=conn,
    )
    await webhooks.emit(
        "points.adjusted",
        {
            "member_id": member.id,
            "entry_id": entry.id,
            "points": entry.points,
            "balance": entry.balance_after,
        },
        member_id=member.id,
        using_db=conn,
    )
    await _notify(
        conn,
        member,
        "till-adjust-member",
        {"points": entry.points, "balance": entry.balance_after, "reason": details["reason"]},
    )


async def grant_bonus(
    member_id: int,
    points: int,
    *,
    idempotency_key: str,
    reason: str,
    actor_telegram_id: int | None = None,
    channel: str = "system",
    rules: RuleSet | None = None,
    tz: str = "UTC",
) -> Credited | InvalidAmount | UnknownMember:
    """Bonus points (birthday, referral, campaign) as a BONUS entry with its own lot.

    The scheduler's keys make reruns free, e.g. ``birthday:<member>:<year>``.
    """
    key = f"bonus:{check_key(idempotency_key)}"
    if not _points_ok(points):
        return InvalidAmount(reason="points")
    return await _credit_op(
        member_id,
        points,
        key,
        EntryKind.BONUS,
        rules,
        tz,
        reason=reason,
        actor_telegram_id=actor_telegram_id,
        channel=channel,
    )


async def adjust(
    member_id: int,
    points: int,
    *,
    reason: str,
    actor_telegram_id: int | None,
    idempotency_key: str,
    actor_kind: str = "telegram",
    rules: RuleSet | None = None,
    tz: str = "UTC",
) -> Credited | Spent | InsufficientPoints | InvalidAmount | UnknownMember:
    """A manual correction by an admin (ADJUST entry + audit row).

    Positive: a new lot under the expiry policy. Negative: taken from lots like a spend
    and refused beyond the balance (a debt only ever comes from a refund).
    """
    key = f"adjust:{check_key(idempotency_key)}"
    if isinstance(points, bool) or not isinstance(points, int) or points == 0:
        return InvalidAmount(reason="points")
    adjustment = {"actor_kind": actor_kind, "reason": reason}
    fields = {"reason": reason, "actor_telegram_id": actor_telegram_id, "channel": actor_kind}
    if points > 0:
        return await _credit_op(
            member_id, points, key, EntryKind.ADJUST, rules, tz, adjustment=adjustment, **fields
        )

    async def op(conn: BaseDBAsyncClient) -> Spent:
        member = await lock_member(conn, member_id)
        first = await LedgerEntry.get_or_none(idempotency_key=key).using_db(conn)
        if first is not None:
            return _spent(first, replayed=True)
        now = clock.now()
        entry = await debit(
            conn, member, -points, kind=EntryKind.ADJUST, key=key, now=now, **fields
        )
        await _record_adjustment(conn, member, entry, adjustment)
        return _spent(entry)

    async def replay() -> Spent | None:
        first = await _entry_by_key(key)
        return _spent(first, replayed=True) if first else None

    return await run_keyed(op, replay)
