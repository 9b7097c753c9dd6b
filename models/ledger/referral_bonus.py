"""The referrer's bonus, paid inside the purchase that earns it.

:func:`reward_referrer_on_first_purchase` is called by ``ledger.earn_for_purchase``
inside its transaction: on the member's first purchase it credits the referrer a BONUS
entry (idempotency key ``bonus:referral:<member_id>``, the key ``ledger.grant_bonus``
would use) and queues ``marketing-referral-rewarded`` to them. Who referred whom is
recorded by :mod:`models.members.referrals`; the promised bonus is on the member row.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.backends.base.client import BaseDBAsyncClient

from models.delivery import outbox
from models.ledger.config import RuleSet
from models.ledger.dates import expiry_for
from models.ledger.postings import credit, lock_member
from models.store import clock, sql
from models.store.tables import EntryKind, LedgerEntry, Member, Purchase


@dataclass(frozen=True)
class ReferralRewarded:
    referrer_id: int
    entry_id: int
    points: int


async def reward_referrer_on_first_purchase(
    member: Member, rules: RuleSet, *, using_db: BaseDBAsyncClient, tz: str = "UTC"
) -> ReferralRewarded | None:
    """Pay the referrer of ``member`` (whose purchase was just recorded in ``using_db``),
    if this is the member's first purchase and the bonus was not paid yet; else None.

    Runs inside the caller's write transaction (the member row is already locked by it),
    so the purchase and the bonus commit or roll back together.
    """
    referrer_id = member.referred_by_id  # type: ignore[attr-defined]
    if referrer_id is None or member.referral_rewarded_at is not None:
        return None
    conn = using_db
    if await Purchase.filter(member_id=member.id).using_db(conn).count() != 1:
        return None
    now = clock.now()
    claimed = await sql.execute(
        conn,
        "UPDATE member SET referral_rewarded_at = ? WHERE id = ? AND referral_rewarded_at IS NULL",
        now,
        member.id,
    )
    if claimed != 1:
        return None
    member.referral_rewarded_at = now
    points = int(member.referral_bonus_points or 0)
    key = f"bonus:referral:{member.id}"
    if points <= 0 or await LedgerEntry.filter(idempotency_key=key).using_db(conn).exists():
        return None
    referrer = await Member.get_or_none(id=referrer_id).using_db(conn)
    if referrer is None or referrer.deleted_at is not None:
        return None
    referrer = await lock_member(conn, referrer_id)
    entry = await credit(
        conn,
        referrer,
        points,
        kind=EntryKind.BONUS,
        key=key,
        expires_at=expiry_for(now, rules.expiry, tz),
        now=now,
        reason=f"referral:{member.id}",
        channel="system",
    )
    await outbox.to_member(
        referrer,
        template="marketing-referral-rewarded",
        args={
            "points": points,
            "friend": member.first_name or member.code,
            "balance": referrer.balance,
        },
        kind="notice",
        dedupe_key=f"referral:{member.id}",
        using_db=conn,
    )
    return ReferralRewarded(referrer_id, entry.id, points)
