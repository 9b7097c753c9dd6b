"""Referrals: a member's ``r-<referral_code>`` link and the referrer's bonus.

- :func:`attach_referrer` records who invited a member, once, only while the member has
  no purchase yet, never themselves and never in a circle (A invites B invites A). The
  bonus promised at that moment (``scheduler.referral_bonus_points``) is kept on the
  member row (``referral_bonus_points``), so the ledger needs no settings to pay it.
- :func:`reward_referrer_on_first_purchase` is called by ``ledger.earn_for_purchase``
  inside its transaction: on the member's first purchase it credits the referrer a
  BONUS entry (idempotency key ``bonus:referral:<member_id>``, the key
  ``ledger.grant_bonus`` would use) and queues ``marketing-referral-rewarded`` to them.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.backends.base.client import BaseDBAsyncClient

from models.delivery import outbox
from models.ledger import credit, expiry_for, lock_member
from models.ledger.config import RuleSet
from models.ledger.results import UnknownMember
from models.store import audit, clock, sql
from models.store.db import write_transaction
from models.store.tables import EntryKind, LedgerEntry, Member, Purchase

PREFIX = "r"
_MAX_CHAIN = 64
REFERRAL_CODE_MAX_LENGTH = 16
"""The width of ``member.referral_code``."""


@dataclass(frozen=True)
class ReferrerAttached:
    member_id: int
    referrer_id: int
    referrer_name: str


@dataclass(frozen=True)
class UnknownReferralCode:
    code: str


@dataclass(frozen=True)
class SelfReferral:
    pass


@dataclass(frozen=True)
class AlreadyReferred:
    referrer_id: int | None


@dataclass(frozen=True)
class NotNewMember:
    """Referrals count only for members who have not bought anything yet."""


@dataclass(frozen=True)
class ReferralCircle:
    """The would-be referrer was (indirectly) invited by this member."""


@dataclass(frozen=True)
class ReferralRewarded:
    referrer_id: int
    entry_id: int
    points: int


def payload(member: Member) -> str:
    """The deep-link payload of a member's invite link."""
    return f"{PREFIX}-{member.referral_code}"


async def _in_chain(conn: BaseDBAsyncClient, start: int | None, member_id: int) -> bool:
    """Whether ``member_id`` is ``start`` or one of its referrers, up the chain."""
    seen = 0
    while start is not None and seen < _MAX_CHAIN:
        if start == member_id:
            return True
        row = await sql.one(conn, "SELECT referred_by_id FROM member WHERE id = ?", start)
        start = row["referred_by_id"] if row else None
        seen += 1
    return False


async def attach_referrer(
    member_id: int, code: str, *, bonus_points: int
) -> (
    ReferrerAttached
    | UnknownReferralCode
    | SelfReferral
    | AlreadyReferred
    | NotNewMember
    | ReferralCircle
    | UnknownMember
):
    """Record that the owner of referral ``code`` invited ``member_id`` (once)."""
    typed = code.strip().upper()
    referrer = (
        await Member.get_or_none(referral_code=typed, deleted_at=None)
        if len(typed) <= REFERRAL_CODE_MAX_LENGTH  # longer is no code (and overflows the column)
        else None
    )
    if referrer is None:
        return UnknownReferralCode(code)
    if referrer.id == member_id:
        return SelfReferral()
    async with write_transaction() as conn:
        member = await Member.get_or_none(id=member_id, deleted_at=None).using_db(conn)
        if member is None:
            return UnknownMember(member_id)
        if member.referred_by_id is not None:  # type: ignore[attr-defined]
            return AlreadyReferred(member.referred_by_id)  # type: ignore[attr-defined]
        if (
            member.last_purchase_at is not None
            or await Purchase.filter(member_id=member_id).using_db(conn).exists()
        ):
            return NotNewMember()
        if await _in_chain(conn, referrer.id, member_id):
            return ReferralCircle()
        changed = await sql.execute(
            conn,
            "UPDATE member SET referred_by_id = ?, referral_bonus_points = ?"
            " WHERE id = ? AND referred_by_id IS NULL AND last_purchase_at IS NULL",
            referrer.id,
            max(0, bonus_points),
            member_id,
        )
        if changed != 1:
            return AlreadyReferred(None)
        await audit.record(
            "referral.attach",
            actor_telegram_id=member.telegram_id,
            target=f"member:{member_id}",
            details={"referrer_id": referrer.id, "bonus_points": bonus_points},
            using_db=conn,
        )
    return ReferrerAttached(member_id, referrer.id, referrer.display_name)


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
    if referrer.telegram_id and referrer.notifications_enabled:
        await outbox.enqueue(
            chat_id=referrer.telegram_id,
            template="marketing-referral-rewarded",
            args={
                "points": points,
                "friend": member.first_name or member.code,
                "balance": referrer.balance,
            },
            kind="notice",
            member=referrer,
            dedupe_key=f"referral:{member.id}",
            using_db=conn,
        )
    return ReferralRewarded(referrer_id, entry.id, points)
