"""Vouchers: issued for a reward by spending points, redeemed once at the till.

- :func:`issue_for_reward` spends the points, takes one unit of stock by a conditional
  ``UPDATE … WHERE stock > 0`` and creates the voucher (128-bit token for the QR, short
  human code) in ONE transaction: all or nothing.
- :func:`redeem` is one conditional ``UPDATE`` from ``issued`` to ``redeemed`` that also
  checks ``valid_until``; of any number of simultaneous scans exactly one changes the
  row, and the others are told when and by whom it was used.
- :func:`void` gives the points back into the lots they came from (a REVERSE entry) and
  returns the stock.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from models.codes import tokens
from models.delivery import outbox, webhooks
from models.ledger import (
    _Reject,
    check_key,
    credit_back,
    debit,
    lock_member,
    rule_versions,
    run_keyed,
    tiers,
)
from models.ledger.config import RuleSet
from models.ledger.results import (
    AlreadyUsed,
    BelowMinimumRedemption,
    Expired,
    InsufficientPoints,
    LimitReached,
    NotVoidable,
    OutOfStock,
    Redeemed,
    RewardUnavailable,
    TierTooLow,
    UnknownMember,
    UnknownVoucher,
    Voided,
    VoucherIssued,
    VoucherVoided,
)
from models.ledger.rules import check_redemption
from models.store import audit, clock, group_commit, locks, sql
from models.store.db import connection, write_transaction
from models.store.tables import EntryKind, LedgerEntry, Member, Reward, Voucher, VoucherStatus


def reward_name(reward: Reward | None, language: str) -> str:
    names = (reward.names if reward else None) or {}
    return names.get(language) or names.get("en") or next(iter(names.values()), "")


def _issued(
    voucher: Voucher, balance: int, entry_id: int | None, *, replayed: bool
) -> VoucherIssued:
    return VoucherIssued(
        voucher_id=voucher.id,
        token=voucher.token,
        code=voucher.code,
        member_id=voucher.member_id,  # type: ignore[attr-defined]
        reward_id=voucher.reward_id,  # type: ignore[attr-defined]
        cost_points=voucher.cost_points,
        valid_until=voucher.valid_until,
        balance=balance,
        entry_id=entry_id,
        replayed=replayed,
    )


async def _issue_replay(key: str) -> VoucherIssued | None:
    voucher = await Voucher.get_or_none(idempotency_key=key)
    if voucher is None:
        return None
    entry = await LedgerEntry.get_or_none(voucher_id=voucher.id, kind=EntryKind.REDEEM)
    balance = entry.balance_after if entry else (await Member.get(id=voucher.member_id)).balance  # type: ignore[attr-defined]
    return _issued(voucher, balance, entry.id if entry else None, replayed=True)


def validity_days(reward: Reward, rules: RuleSet) -> int:
    """How long a voucher of ``reward`` lasts from its issue: the reward's own days, else the
    rule's (``usage.voucher_validity_days``)."""
    return reward.voucher_validity_days or rules.usage.voucher_validity_days


async def create_voucher(
    conn: BaseDBAsyncClient,
    member_id: int,
    reward: Reward,
    rules: RuleSet,
    *,
    cost_points: int,
    key: str,
    now: datetime,
    valid_until: datetime | None = None,
) -> Voucher:
    """A new voucher (unguessable token, human code), inside the caller's transaction: for a
    redemption and for a claimed coupon alike. It is valid until ``valid_until`` when the
    caller stated one (a coupon batch's expiry), else for :func:`validity_days` from now."""
    if valid_until is None:
        valid_until = now + timedelta(days=validity_days(reward, rules))
    voucher = await Voucher.create(
        token=tokens.token(),
        code=tokens.human_code(),
        member_id=member_id,
        reward_id=reward.id,
        cost_points=cost_points,
        idempotency_key=key,
        issued_at=now,
        valid_until=valid_until,
        using_db=conn,
    )
    await webhooks.emit_voucher("voucher.issued", conn, voucher)
    return voucher


async def issue_for_reward(
    member_id: int,
    reward_id: int,
    *,
    idempotency_key: str,
    rules: RuleSet | None = None,
    channel: str = "telegram",
    tz: str = "UTC",
) -> VoucherIssued | Refusal:
    """Exchange points for a voucher of ``reward_id`` (the member's /rewards → Redeem).

    Checks, in order: reward available (not archived, inside its active window), tier,
    usage rules (minimum points, redemptions per day), per-member limit (vouchers not
    voided), stock, balance (:func:`_why_not`). ``idempotency_key`` is e.g. the Telegram
    callback's update id.
    """
    key = check_key(idempotency_key)
    first = await _issue_replay(key)
    if first is not None:
        return first
    if rules is None:
        rules = (await rule_versions.current())[1]

    async def op(conn: BaseDBAsyncClient) -> VoucherIssued:
        member = await lock_member(conn, member_id)
        if await Voucher.filter(idempotency_key=key).using_db(conn).exists():
            raise _Reject(None)
        now = clock.now()
        reward = await Reward.get_or_none(id=reward_id).using_db(conn)
        refused = await _why_not(conn, member, reward_id, reward, rules, now, tz)
        if refused is not None:
            raise _Reject(refused)
        assert reward is not None
        if reward.stock is not None:
            taken = await sql.execute(
                conn, "UPDATE reward SET stock = stock - 1 WHERE id = ? AND stock > 0", reward.id
            )
            if taken != 1:
                raise _Reject(OutOfStock(reward.id))
        voucher = await create_voucher(
            conn, member.id, reward, rules, cost_points=reward.cost_points, key=key, now=now
        )
        entry = None
        if reward.cost_points > 0:
            entry = await debit(
                conn,
                member,
                reward.cost_points,
                kind=EntryKind.REDEEM,
                key=f"voucher:{key}",
                now=now,
                voucher_id=voucher.id,
                reason=f"reward:{reward.id}",
                channel=channel,
            )
        return _issued(voucher, member.balance, entry.id if entry else None, replayed=False)

    async def replay() -> VoucherIssued | None:
        return await _issue_replay(key)

    result = await run_keyed(op, replay)
    return result if result is not None else await replay()  # type: ignore[return-value]


Refusal = (
    InsufficientPoints
    | OutOfStock
    | TierTooLow
    | LimitReached
    | RewardUnavailable
    | BelowMinimumRedemption
    | UnknownMember
)


async def _why_not(
    conn: BaseDBAsyncClient,
    member: Member,
    reward_id: int,
    reward: Reward | None,
    rules: RuleSet,
    now: datetime,
    tz: str,
) -> Refusal | None:
    """Why ``member`` may not exchange points for ``reward`` now, in the order the member
    meets them (availability, tier, usage rules, own limit, stock, balance), or None.

    The one list of checks: :func:`issue_for_reward` runs it under the member's lock (and
    then takes the stock by a conditional update), :func:`redeem_refusal` before a Confirm
    is shown.
    """
    from models.ledger import local_midnight

    if reward is None or reward.archived:
        return RewardUnavailable(reward_id, "archived" if reward else "unknown")
    if (reward.active_from and now < reward.active_from) or (
        reward.active_until and now >= reward.active_until
    ):
        return RewardUnavailable(reward_id, "inactive")
    if reward.min_tier and tiers.rank(rules.tiers, member.tier) < tiers.rank(
        rules.tiers, reward.min_tier
    ):
        return TierTooLow(required=reward.min_tier, current=member.tier)
    today = (
        await Voucher.filter(member_id=member.id, issued_at__gte=local_midnight(now, tz))
        .using_db(conn)
        .count()
    )
    usage = check_redemption(reward.cost_points, rules, redemptions_today=today)
    if usage is not None:
        return usage
    if reward.per_member_limit:
        held = (
            await Voucher.filter(member_id=member.id, reward_id=reward.id)
            .exclude(status=VoucherStatus.VOIDED)
            .using_db(conn)
            .count()
        )
        if held >= reward.per_member_limit:
            return LimitReached(limit=reward.per_member_limit, period="member")
    if reward.stock is not None and reward.stock <= 0:
        return OutOfStock(reward.id)
    if reward.cost_points > 0 and member.balance < reward.cost_points:
        return InsufficientPoints(
            short_by=reward.cost_points - member.balance, balance=member.balance
        )
    return None


async def redeem_refusal(
    member_id: int, reward_id: int, *, rules: RuleSet | None = None, tz: str = "UTC"
) -> Refusal | None:
    """What :func:`issue_for_reward` would refuse now, read without writing: a Redeem
    pressed on a stale screen is answered with this instead of a Confirm."""
    if rules is None:
        rules = (await rule_versions.current())[1]
    member = await Member.get_or_none(id=member_id, deleted_at=None)
    if member is None:
        return UnknownMember(member_id)
    reward = await Reward.get_or_none(id=reward_id)
    return await _why_not(connection(), member, reward_id, reward, rules, clock.now(), tz)


async def find(token_or_code: str) -> Voucher | None:
    """A voucher by its QR token (with or without the ``v-`` prefix) or its human code."""
    return await tokens.find_by_reference(Voucher, token_or_code, "v")


def _refusal(voucher: Voucher, now: datetime) -> AlreadyUsed | Expired | Voided:
    if voucher.status == VoucherStatus.REDEEMED:
        assert voucher.redeemed_at is not None
        return AlreadyUsed(
            at=voucher.redeemed_at,
            by=voucher.redeemed_by,
            channel=voucher.redeemed_channel,
            location=voucher.redeemed_location,
        )
    if voucher.status == VoucherStatus.VOIDED:
        return Voided(at=voucher.voided_at, reason=voucher.void_reason)
    return Expired(on=voucher.valid_until)


async def redeem(
    token_or_code: str,
    *,
    staff_telegram_id: int | None,
    location: str | None = None,
    channel: str = "telegram",
) -> Redeemed | AlreadyUsed | Expired | Voided | UnknownVoucher:
    """Use a voucher at the till: exactly one of any number of simultaneous scans wins.

    Queues ``till-voucher-redeemed-member`` to the member in the same transaction. A
    retry by the same caller gets ``AlreadyUsed`` whose ``by`` is that caller.
    """
    voucher = await find(token_or_code)
    if voucher is None:
        return UnknownVoucher(token_or_code)
    now = clock.now()

    async def op(conn: BaseDBAsyncClient) -> int:
        # the member first, then the voucher (models.store.locks): a void takes them in that order
        member = await locks.member(conn, voucher.member_id)  # type: ignore[attr-defined]
        assert member is not None  # a member is never removed, only marked deleted
        won = await sql.execute(
            conn,
            "UPDATE voucher SET status = 'redeemed', redeemed_at = ?, redeemed_by = ?,"
            " redeemed_channel = ?, redeemed_location = ?"
            " WHERE id = ? AND status = 'issued' AND valid_until > ?",
            now,
            staff_telegram_id,
            channel,
            location,
            voucher.id,
            now,
        )
        if won == 1:
            await webhooks.emit_voucher("voucher.redeemed", conn, voucher, location=location)
            reward = await Reward.get_or_none(id=voucher.reward_id).using_db(conn)  # type: ignore[attr-defined]
            await outbox.to_member(
                member,
                template="till-voucher-redeemed-member",
                args=redeemed_args(member, voucher, reward, location),
                kind="notice",
                using_db=conn,
            )
        return won

    won = await group_commit.run(op)
    if won != 1:
        return _refusal(await Voucher.get(id=voucher.id), now)
    return Redeemed(
        voucher_id=voucher.id,
        member_id=voucher.member_id,  # type: ignore[attr-defined]
        reward_id=voucher.reward_id,  # type: ignore[attr-defined]
        code=voucher.code,
        at=now,
        by=staff_telegram_id,
    )


def redeemed_args(
    member: Member, voucher: Voucher, reward: Reward | None, location: str | None
) -> dict[str, Any]:
    """Arguments of ``till-voucher-redeemed-member`` (strings and integers)."""
    return {
        "reward": reward_name(reward, member.language),
        "code": voucher.code,
        "points": voucher.cost_points,
        "location": location or "",
    }


async def void(
    voucher_id: int, reason: str, actor: int | None, *, actor_kind: str = "telegram"
) -> VoucherVoided | NotVoidable | UnknownVoucher:
    """Cancel an issued voucher: points back into their lots, stock back, audit row.

    Idempotent by the voucher's own state: a second void answers ``NotVoidable``.
    """
    voucher = await Voucher.get_or_none(id=voucher_id)
    if voucher is None:
        return UnknownVoucher(voucher_id)
    now = clock.now()

    async def op(conn: BaseDBAsyncClient) -> VoucherVoided:
        # the member first, then the voucher, then the reward's stock (models.store.locks)
        member = await locks.member(conn, voucher.member_id)  # type: ignore[attr-defined]
        assert member is not None  # a member is never removed, only marked deleted
        changed = await sql.execute(
            conn,
            "UPDATE voucher SET status = 'voided', voided_at = ?, void_reason = ?"
            " WHERE id = ? AND status = 'issued'",
            now,
            reason,
            voucher.id,
        )
        if changed != 1:
            current = await Voucher.get(id=voucher.id).using_db(conn)
            raise _Reject(NotVoidable(status=str(current.status)))
        returned = 0
        spent = await LedgerEntry.get_or_none(
            voucher_id=voucher.id, kind=EntryKind.REDEEM
        ).using_db(conn)
        if spent is not None:
            await credit_back(
                conn,
                member,
                spent,
                key=f"void:{voucher.id}",
                now=now,
                voucher_id=voucher.id,
                reason=f"void: {reason}",
                actor_telegram_id=actor,
                channel=actor_kind,
            )
            returned = -spent.points
        restored = await sql.execute(
            conn,
            "UPDATE reward SET stock = stock + 1 WHERE id = ? AND stock IS NOT NULL",
            voucher.reward_id,  # type: ignore[attr-defined]
        )
        await audit.record(
            "voucher.void",
            actor_telegram_id=actor,
            actor_kind=actor_kind,
            target=f"voucher:{voucher.id}",
            details={"reason": reason, "points": returned},
            using_db=conn,
        )
        return VoucherVoided(voucher.id, returned, member.balance, restored == 1)

    async def replay() -> None:
        return None

    return await run_keyed(op, replay)


async def expire_vouchers(now: datetime | None = None) -> int:
    """Mark issued vouchers past ``valid_until`` as expired (points are not returned)."""
    now = now or clock.now()
    async with write_transaction() as conn:
        return await sql.execute(
            conn,
            "UPDATE voucher SET status = 'expired' WHERE status = 'issued' AND valid_until <= ?",
            now,
        )
