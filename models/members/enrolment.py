"""Members who join outside Telegram, and how their Telegram account finds them.

A web shop, POS or an import (``models.importing``) creates a member with an
``external_id`` and/or a phone but no Telegram account (``telegram_id`` NULL). The
person becomes that member by

- opening a one-time join link ``j-<token>`` (:func:`open_join_link`), or
- sharing, during /start, the phone number the shop already has (:func:`link_by_phone`).

Both *adopt* the enrolled member: the Telegram account moves onto it and the throw-away
row the bot created at the person's first update (it has no history: no entries,
purchases, vouchers, coupons or referrals) is deleted, so balance, tier and history are
there at once. Someone whose own row already has history is never merged silently: they
get a clear answer instead. One winner for every race: the adopted row changes only by
``UPDATE … WHERE telegram_id IS NULL`` and a link only by ``WHERE used_at IS NULL``.

Lock order: the enrolment lock (PostgreSQL advisory lock; SQLite's ``BEGIN IMMEDIATE``
already serializes writers), then member rows in id order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from models.codes import tokens
from models.delivery import webhooks
from models.members import phones
from models.reports import rollup
from models.store import audit, clock, locks, sql
from models.store.db import write_transaction
from models.store.tables import JoinLink, Member

JOIN_PREFIX = "j"
"""Deep-link kind of join links: ``https://t.me/<bot>?start=j-<token>``."""
_ENROLMENT_LOCK = 0x6A6F696E  # "join": PostgreSQL advisory lock serializing enrolments


async def enrolment_lock(conn: BaseDBAsyncClient) -> None:
    """Serialize find-or-create by phone (phone has no unique constraint) on PostgreSQL."""
    if sql.pg():
        await sql.rows(conn, "SELECT pg_advisory_xact_lock(?)", _ENROLMENT_LOCK)


def new_codes() -> dict[str, str]:
    """The random identifiers every member row carries (unique by table constraint)."""
    return many_codes(1)[0]


def many_codes(count: int) -> list[dict[str, str]]:
    """:func:`new_codes` for ``count`` members, from one draw of random symbols (imports)."""
    groups = tokens.human_code(groups=4 * count, size=4).split("-")
    return [
        {
            "code": groups[4 * i] + groups[4 * i + 1],
            "card_token": tokens.token(),
            "referral_code": groups[4 * i + 2] + groups[4 * i + 3],
        }
        for i in range(count)
    ]


# ---- enrol (find or create) ----------------------------------------------------------


@dataclass(frozen=True)
class Enrolled:
    """The member found or created; ``join_token`` is None once Telegram is linked."""

    member: Member
    created: bool
    join_token: str | None


@dataclass(frozen=True)
class PhoneTaken:
    """The phone belongs to another member (other external id, or no match by id)."""

    member_code: str


@dataclass(frozen=True)
class MemberDeleted:
    """The external id belongs to a member who deleted their account."""


async def enrol(
    *,
    external_id: str | None,
    phone: str | None,
    name: str | None = None,
    language: str | None = None,
    birthday: date | None = None,
    created_by: str,
) -> Enrolled | PhoneTaken | MemberDeleted:
    """Find the member by ``external_id``, else by ``phone``, else create them.

    An existing member is returned as they are, except that a member found by phone who
    has no external id gets this one. A phone held by a member with another external
    id, or by someone else than the member found by id, is :class:`PhoneTaken`.
    ``phone`` must already be E.164 (``models.members.phones``). Refusals write nothing.
    """
    assert external_id or phone, "enrol needs an external id or a phone"
    async with write_transaction() as conn:
        await enrolment_lock(conn)
        by_id = await _one(conn, "external_id", external_id) if external_id else None
        by_phone = await _one(conn, "phone", phone, live=True) if phone else None
        if by_id is not None and by_id.deleted_at is not None:
            return MemberDeleted()
        if by_id is not None:
            if by_phone is not None and by_phone.id != by_id.id:
                return PhoneTaken(by_phone.code)
            return Enrolled(by_id, False, await _join_token(conn, by_id, created_by))
        if by_phone is not None:
            if external_id:
                if by_phone.external_id is not None:
                    return PhoneTaken(by_phone.code)
                await Member.filter(id=by_phone.id).using_db(conn).update(external_id=external_id)
                by_phone.external_id = external_id
            return Enrolled(by_phone, False, await _join_token(conn, by_phone, created_by))
        now = clock.now()
        member = await Member.create(
            external_id=external_id,
            phone=phone,
            first_name=(name or "")[:128],
            language=language or "en",
            birthday=birthday,
            created_at=now,
            using_db=conn,
            **new_codes(),
        )
        await webhooks.emit_joined(conn, [(member.id, member.code, member.language)])
        return Enrolled(member, True, await _join_token(conn, member, created_by))


async def _one(
    conn: BaseDBAsyncClient, column: str, value: str, *, live: bool = False
) -> Member | None:
    query = Member.filter(**{column: value}).using_db(conn)
    if live:
        query = query.filter(deleted_at=None)
    return await query.order_by("id").first()


async def _join_token(conn: BaseDBAsyncClient, member: Member, created_by: str) -> str | None:
    """The member's unused join link (made once), or None when Telegram is already linked."""
    if member.telegram_id is not None:
        return None
    link = await JoinLink.filter(member_id=member.id, used_at=None).using_db(conn).first()
    if link is None:
        link = await JoinLink.create(
            token=tokens.token(),
            member_id=member.id,
            created_by=created_by[:32],
            created_at=clock.now(),
            using_db=conn,
        )
    return link.token


async def join_token(member_id: int, *, created_by: str) -> str | None:
    """A join link token for a member enrolled without Telegram (``jifen import`` prints)."""
    async with write_transaction() as conn:
        member = await Member.get(id=member_id).using_db(conn)
        return await _join_token(conn, member, created_by)


# ---- linking a Telegram account ------------------------------------------------------


@dataclass(frozen=True)
class Linked:
    """The Telegram account now belongs to ``member`` (balance, tier, history included)."""

    member: Member


@dataclass(frozen=True)
class AlreadyLinked:
    """The link is this person's own membership: nothing to do."""

    member: Member


@dataclass(frozen=True)
class HasOwnHistory:
    """The person's current membership has history; merging two is staff's decision."""


@dataclass(frozen=True)
class LinkUsed:
    """The join link was opened before (by someone else, or the member is linked)."""


@dataclass(frozen=True)
class UnknownLink:
    """No such join link (mistyped, or never issued)."""


@dataclass(frozen=True)
class NoEnrolledMember:
    """No member enrolled elsewhere has this phone: joining goes on as usual."""


class _Refused(Exception):
    def __init__(self, result: Any) -> None:
        super().__init__(result)
        self.result = result


_HISTORY = (
    "SELECT m.balance, m.external_id,"
    " EXISTS (SELECT 1 FROM ledger_entry e WHERE e.member_id = m.id) AS entries,"
    " EXISTS (SELECT 1 FROM purchase p WHERE p.member_id = m.id) AS purchases,"
    " EXISTS (SELECT 1 FROM voucher v WHERE v.member_id = m.id) AS vouchers,"
    " EXISTS (SELECT 1 FROM coupon c WHERE c.claimed_by_id = m.id) AS coupons,"
    " EXISTS (SELECT 1 FROM member r WHERE r.referred_by_id = m.id) AS referrals"
    " FROM member m WHERE m.id = ?"
)


_FACTS = ("entries", "purchases", "vouchers", "coupons", "referrals")


async def _has_history(conn: BaseDBAsyncClient, member_id: int) -> bool:
    row = await sql.one(conn, _HISTORY, member_id)
    assert row is not None
    facts = [row["balance"], row["external_id"], *(row[k] for k in _FACTS)]
    return any(bool(fact) for fact in facts)


async def _lock(conn: BaseDBAsyncClient, *member_ids: int) -> dict[int, Member]:
    """Lock member rows in id order (the one lock order) and return them by id."""
    rows = await locks.members(conn, member_ids)
    return {member_id: sql.model_from_row(Member, row) for member_id, row in rows.items()}


async def _adopt(
    conn: BaseDBAsyncClient, current_id: int, target_id: int, telegram_id: int, via: str
) -> Member:
    """Move the Telegram account from the throw-away row ``current_id`` onto ``target_id``.

    Raises :class:`_Refused` (the transaction rolls back) when either row changed.
    """
    rows = await _lock(conn, current_id, target_id)
    current, target = rows.get(current_id), rows.get(target_id)
    if target is None or target.deleted_at is not None or target.telegram_id is not None:
        raise _Refused(LinkUsed())
    if current is None or current.telegram_id != telegram_id:
        raise _Refused(LinkUsed())
    if await _has_history(conn, current_id):
        raise _Refused(HasOwnHistory())
    carry: dict[str, Any] = {
        "telegram_id": telegram_id,
        "username": current.username,
        "reachable": True,
        "last_seen_at": clock.now(),
    }
    if not target.first_name:
        carry["first_name"], carry["last_name"] = current.first_name, current.last_name
    if target.phone is None and current.phone is not None:
        carry["phone"] = current.phone
    if target.referred_by_id is None and current.referred_by_id not in (None, target_id):  # type: ignore[attr-defined]
        carry["referred_by_id"] = current.referred_by_id  # type: ignore[attr-defined]
        carry["referral_bonus_points"] = current.referral_bonus_points
    await sql.execute(
        conn, "UPDATE outbox_message SET member_id = ? WHERE member_id = ?", target_id, current_id
    )
    await sql.execute(conn, "DELETE FROM member WHERE id = ?", current_id)
    await rollup.forget(conn)  # the throw-away row no longer counts on any past day
    changed = await Member.filter(id=target_id, telegram_id=None).using_db(conn).update(**carry)
    if changed != 1:
        raise _Refused(LinkUsed())
    await audit.record(
        "member.link",
        actor_telegram_id=telegram_id,
        target=f"member:{target_id}",
        details={"via": via, "replaced_member": current_id},
        using_db=conn,
    )
    return await Member.get(id=target_id).using_db(conn)


async def open_join_link(
    token: str, *, telegram_id: int, current_member_id: int
) -> Linked | AlreadyLinked | HasOwnHistory | LinkUsed | UnknownLink:
    """Someone opened ``j-<token>``: they become the member it was made for."""
    link = await JoinLink.get_or_none(token=token) if tokens.looks_like_token(token) else None
    if link is None:
        return UnknownLink()
    if link.member_id == current_member_id:  # type: ignore[attr-defined]
        return AlreadyLinked(await Member.get(id=current_member_id))
    if link.used_at is not None:
        return LinkUsed()
    try:
        async with write_transaction() as conn:
            await enrolment_lock(conn)
            used = (
                await JoinLink.filter(id=link.id, used_at=None)
                .using_db(conn)
                .update(used_at=clock.now(), used_by=telegram_id)
            )
            if used != 1:
                raise _Refused(LinkUsed())
            member = await _adopt(
                conn,
                current_member_id,
                link.member_id,  # type: ignore[attr-defined]
                telegram_id,
                "join_link",
            )
    except _Refused as refused:
        return refused.result
    return Linked(member)


async def link_by_phone(
    current_member_id: int, *, telegram_id: int, phone: str
) -> Linked | HasOwnHistory | NoEnrolledMember:
    """The person shared their own number: if a member enrolled elsewhere has it, adopt them.

    ``phone`` is the shared contact's number; Telegram's numbers are international, so
    ``+`` and its digits is E.164, as imports and the API store phones.
    """
    target = (
        await Member.filter(
            phone=phones.from_contact(phone),
            telegram_id=None,
            deleted_at=None,
            id__not=current_member_id,
        )
        .order_by("id")
        .first()
    )
    if target is None:
        return NoEnrolledMember()
    try:
        async with write_transaction() as conn:
            await enrolment_lock(conn)
            member = await _adopt(conn, current_member_id, target.id, telegram_id, "phone")
    except _Refused as refused:
        if isinstance(refused.result, HasOwnHistory):
            return refused.result
        return NoEnrolledMember()  # someone else adopted it meanwhile
    return Linked(member)
