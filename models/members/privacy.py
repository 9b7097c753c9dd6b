"""A member's privacy rights: a copy of everything jifen holds about them (``/privacy``
export, JSON), and deleting the account: the books are kept under an anonymous member,
the person is forgotten (:mod:`models.members.erasure`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from models.codes import tokens
from models.members import erasure, membership
from models.store import audit, clock
from models.store.db import write_transaction
from models.store.tables import LedgerEntry, Member, MemberEvent, Purchase, Voucher


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


async def export_data(member_id: int) -> dict[str, Any]:
    """Everything jifen keeps about a member, as one JSON-ready document (/privacy)."""
    member = await Member.get(id=member_id)
    entries = await LedgerEntry.filter(member_id=member_id).order_by("id")
    purchases = await Purchase.filter(member_id=member_id).order_by("id")
    vouchers = await Voucher.filter(member_id=member_id).order_by("id")
    events = await MemberEvent.filter(member_id=member_id).order_by("id")
    return {
        "exported_at": _iso(clock.now()),
        "profile": {
            "code": member.code,
            "first_name": member.first_name,
            "last_name": member.last_name,
            "username": member.username,
            "phone": member.phone,
            "birthday": _iso(member.birthday),
            "language": member.language,
            "marketing_opt_in": member.marketing_opt_in,
            "marketing_consent_at": _iso(member.marketing_consent_at),
            "notifications_enabled": member.notifications_enabled,
            "tier": member.tier,
            "balance": member.balance,
            "joined_at": _iso(member.created_at),
        },
        "entries": [
            {
                "id": e.id,
                "kind": str(e.kind),
                "points": e.points,
                "balance_after": e.balance_after,
                "reason": e.reason,
                "created_at": _iso(e.created_at),
            }
            for e in entries
        ],
        "purchases": [
            {
                "receipt": p.receipt_code,
                "amount_minor": p.amount_minor,
                "currency": p.currency,
                "category": p.category,
                "points": p.points_awarded,
                "refunded_minor": p.refunded_minor,
                "created_at": _iso(p.created_at),
            }
            for p in purchases
        ],
        "vouchers": [
            {
                "code": v.code,
                "reward_id": v.reward_id,  # type: ignore[attr-defined]
                "status": str(v.status),
                "cost_points": v.cost_points,
                "issued_at": _iso(v.issued_at),
                "valid_until": _iso(v.valid_until),
                "redeemed_at": _iso(v.redeemed_at),
            }
            for v in vouchers
        ],
        "events": [
            {
                "type": e.type,
                "event_id": e.event_id,
                "channel": e.channel,
                "data": e.data,
                "status": str(e.status),
                "points": e.points,
                "received_at": _iso(e.received_at),
            }
            for e in events
        ],
    }


@dataclass(frozen=True)
class AccountDeleted:
    member_id: int
    replayed: bool = False


async def delete_account(member_id: int, *, actor_telegram_id: int | None) -> AccountDeleted:
    """Anonymise the member (GDPR-style erase) but keep the row, ledger and purchases.

    Names, username, phone, birthday and the Telegram id are cleared, card and referral
    tokens replaced, opt-ins switched off, ``deleted_at`` set, the data of events other
    systems reported about them emptied (type, points and times stay), and the person forgotten
    everywhere else (:func:`models.members.erasure.forget_person`: pending messages cancelled, no
    table keeps their Telegram id), all in one audited transaction. The audit row names
    the member by id only; a member deleting themselves is not recorded as the actor
    (that would keep their Telegram id). A later /start from the same Telegram account
    creates a fresh member.
    """
    now = clock.now()
    async with write_transaction() as conn:
        before = await Member.filter(id=member_id).using_db(conn).first()
        telegram_id = before.telegram_id if before is not None else None
        changed = (
            await Member.filter(id=member_id, deleted_at=None)
            .using_db(conn)
            .update(
                telegram_id=None,
                first_name="",
                last_name="",
                username=None,
                phone=None,
                birthday=None,
                card_token=tokens.token(),
                referral_code=tokens.human_code(groups=2, size=4).replace("-", ""),
                marketing_opt_in=False,
                marketing_consent_at=None,
                notifications_enabled=False,
                reachable=False,
                deleted_at=now,
            )
        )
        if changed:
            await membership.emit_updated(conn, member_id, ["deleted"])
            # what other systems said about them (a review's text): the facts stay
            await MemberEvent.filter(member_id=member_id).using_db(conn).update(data={})
            if telegram_id is not None:
                await erasure.forget_person(conn, telegram_id, member_id)
            themselves = actor_telegram_id is not None and actor_telegram_id == telegram_id
            await audit.record(
                "member.delete",
                actor_telegram_id=None if themselves else actor_telegram_id,
                actor_kind="member"
                if themselves
                else ("telegram" if actor_telegram_id else "system"),
                target=f"member:{member_id}",
                using_db=conn,
            )
    return AccountDeleted(member_id, replayed=not changed)
