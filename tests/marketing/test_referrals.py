"""Referrals: once, never oneself, only before a first purchase, bonus on that purchase only."""

from __future__ import annotations

from models import ledger
from models.members import referrals
from models.members.referrals import (
    AlreadyReferred,
    NotNewMember,
    ReferralCircle,
    ReferrerAttached,
    SelfReferral,
    UnknownReferralCode,
)
from models.store import clock
from models.store.tables import EntryKind, LedgerEntry, Member, OutboxMessage
from tests.store.helpers import START, assert_consistent, member, rules

RULES = rules()


async def buy(m: Member, amount: int, key: str) -> None:
    result = await ledger.earn_for_purchase(m.id, amount, "CNY", idempotency_key=key, rules=RULES)
    assert result.points >= 0  # type: ignore[union-attr]


async def test_attach_rules(store: str) -> None:
    ann, ben, cat = [await member(telegram_id=i) for i in (1, 2, 3)]
    assert referrals.payload(ann) == f"r-{ann.referral_code}"
    assert await referrals.attach_referrer(ann.id, ann.referral_code, bonus_points=50) == (
        SelfReferral()
    )
    assert isinstance(
        await referrals.attach_referrer(ben.id, "ZZZZ", bonus_points=50), UnknownReferralCode
    )
    done = await referrals.attach_referrer(ben.id, ann.referral_code.lower(), bonus_points=50)
    assert isinstance(done, ReferrerAttached) and done.referrer_id == ann.id
    second = await referrals.attach_referrer(ben.id, cat.referral_code, bonus_points=50)
    assert second == AlreadyReferred(ann.id)
    assert await referrals.attach_referrer(ann.id, ben.referral_code, bonus_points=50) == (
        ReferralCircle()
    )
    await buy(cat, 1000, "cat-1")
    assert await referrals.attach_referrer(cat.id, ann.referral_code, bonus_points=50) == (
        NotNewMember()
    )


async def test_bonus_once_on_first_purchase_only(store: str) -> None:
    clock.freeze(START)
    ann, ben = await member(telegram_id=11), await member(telegram_id=12, first_name="Ben")
    await referrals.attach_referrer(ben.id, ann.referral_code, bonus_points=50)
    await buy(ben, 1000, "ben-1")
    await buy(ben, 1000, "ben-1")  # a retry of the same purchase
    await buy(ben, 2000, "ben-2")
    ann = await Member.get(id=ann.id)
    assert ann.balance == 50
    bonus = await LedgerEntry.get(member_id=ann.id)
    assert bonus.kind == EntryKind.BONUS and bonus.idempotency_key == f"bonus:referral:{ben.id}"
    notes = await OutboxMessage.filter(template="marketing-referral-rewarded")
    assert len(notes) == 1 and notes[0].chat_id == 11 and notes[0].args["friend"] == "Ben"
    assert (await Member.get(id=ben.id)).referral_rewarded_at is not None
    await assert_consistent()


async def test_no_bonus_without_referrer_or_with_zero_promise(store: str) -> None:
    ann, ben, cat = await member(), await member(), await member()
    await referrals.attach_referrer(cat.id, ann.referral_code, bonus_points=0)
    await buy(ben, 1000, "b")
    await buy(cat, 1000, "c")
    assert (await Member.get(id=ann.id)).balance == 0
    assert await LedgerEntry.filter(kind=EntryKind.BONUS).count() == 0
