"""Referrals: a member's ``r-<referral_code>`` link and the referrer's bonus.

- :func:`attach_referrer` records who invited a member, once, only while the member has
  no purchase yet, never themselves and never in a circle (A invites B invites A). The
  bonus promised at that moment (``scheduler.referral_bonus_points``) is kept on the
  member row (``referral_bonus_points``), so the ledger needs no settings to pay it.
- the referrer's bonus is paid by the ledger on the member's first purchase
  (:mod:`models.ledger.referral_bonus`).
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.backends.base.client import BaseDBAsyncClient

from models.ledger.results import UnknownMember
from models.store import audit, sql
from models.store.db import write_transaction
from models.store.tables import Member, Purchase

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
