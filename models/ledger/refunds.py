"""Refunds: find a purchase by id or receipt code and reverse its points proportionally.

Apart because a refund is the only way a balance may go negative (the refund policy).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from models.codes import tokens
from models.delivery import webhooks
from models.ledger import hooks
from models.ledger.keys import _entry_by_key, _Reject, check_key, run_keyed
from models.ledger.postings import (
    _draw_lots,
    _move_balance,
    _new_entry,
    _notify,
    _resolve_rules,
    lock_member,
)
from models.ledger.quotes import format_minor
from models.ledger.results import (
    InvalidAmount,
    Refunded,
    RefundExceedsPurchase,
    UnknownMember,
    UnknownPurchase,
)
from models.store import clock, locks
from models.store.tables import EntryKind, LedgerEntry, Member, PointLot, Purchase, Refund


async def find_purchase(ref: int | str) -> Purchase | None:
    """A purchase by internal id (an ``int``, from our own code) or by receipt code
    (``R-K7QM-4PXD``, any case or spacing; the ``R`` optional).

    Text is only ever a receipt code: typed digits ("1", or "１" and "١", which
    ``str.isdigit`` accepts too) never reach an internal id.
    """
    if isinstance(ref, int):
        return await Purchase.get_or_none(id=ref)
    text = ref.strip().upper()
    code = tokens.normalize_code(text) or tokens.normalize_code(text.removeprefix("R"))
    if code is None:
        return None
    return await Purchase.get_or_none(receipt_code=f"R-{code}")


def _refunded(
    refund: Refund,
    entry: LedgerEntry | None,
    member_id: int,
    balance: int,
    *,
    due: int,
    total: int,
    replayed: bool,
    extras: Mapping[str, Any] | None = None,
) -> Refunded:
    return Refunded(
        refund_id=refund.id,
        purchase_id=refund.purchase_id,  # type: ignore[attr-defined]
        member_id=member_id,
        entry_id=entry.id if entry else None,
        amount_minor=refund.amount_minor,
        refunded_minor_total=total,
        points_due=due,
        points_reversed=refund.points_reversed,
        balance=balance,
        replayed=replayed,
        extras=extras or {},
    )


async def _refund_replay(key: str) -> Refunded | None:
    refund = await Refund.get_or_none(idempotency_key=key).prefetch_related("purchase")
    if refund is None:
        return None
    entry = await _entry_by_key(f"refund:{key}")
    purchase: Purchase = refund.purchase
    member_id = purchase.member_id  # type: ignore[attr-defined]
    balance = entry.balance_after if entry is not None else (await Member.get(id=member_id)).balance
    info = (entry.breakdown if entry else None) or {}
    return _refunded(
        refund,
        entry,
        member_id,
        balance,
        due=info.get("due", refund.points_reversed),
        total=info.get("refunded_total", refund.amount_minor),
        replayed=True,
        extras=await hooks.replayed(purchase.id, refund.id),
    )


async def refund(
    receipt_code_or_purchase_id: int | str,
    amount_minor: int,
    *,
    idempotency_key: str,
    staff_telegram_id: int | None = None,
    policy: str = "allow_negative",
    channel: str = "telegram",
) -> Refunded | UnknownPurchase | InvalidAmount | RefundExceedsPurchase | UnknownMember:
    """Refund (part of) a purchase and reverse its points proportionally.

    Points due are cumulative: after refunds totalling ``R`` of an amount ``A`` that
    earned ``P``, exactly ``floor(P × R / A)`` points have been reversed, so partial
    refunds never reverse more than was awarded and a full refund reverses exactly ``P``.
    They come back from the purchase's own lot first, then earliest expiry first. When
    the member has already spent them, ``policy`` decides: ``allow_negative`` takes
    them anyway (the balance goes negative: a debt repaid by later credits) and
    ``clamp_to_zero`` takes only what is there (``points_reversed < points_due``).
    """
    key = check_key(idempotency_key)
    first = await _refund_replay(key)
    if first is not None:
        return first
    if isinstance(amount_minor, bool) or not isinstance(amount_minor, int) or amount_minor <= 0:
        return InvalidAmount()
    found = await find_purchase(receipt_code_or_purchase_id)
    if found is None:
        return UnknownPurchase(receipt_code_or_purchase_id)
    currency = (await _resolve_rules(None, None))[0].currency

    async def op(conn: BaseDBAsyncClient) -> Refunded:
        member = await lock_member(conn, found.member_id)  # type: ignore[attr-defined]
        if await Refund.filter(idempotency_key=key).using_db(conn).exists():
            raise _Reject(None)
        purchase = await locks.purchase(conn, found.id)
        refundable = purchase.amount_minor - purchase.refunded_minor
        if amount_minor > refundable:
            raise _Reject(RefundExceedsPurchase(refundable_minor=refundable))
        total = purchase.refunded_minor + amount_minor
        target = purchase.points_awarded * total // purchase.amount_minor
        due = target - purchase.points_reversed
        taken = due if policy == "allow_negative" else min(due, max(member.balance, 0))
        now = clock.now()
        entry = None
        if taken > 0:
            earn = await LedgerEntry.get(purchase_id=purchase.id, kind=EntryKind.EARN).using_db(
                conn
            )
            own_lots = (
                await PointLot.filter(entry_id=earn.id).using_db(conn).values_list("id", flat=True)
            )
            balance = await _move_balance(conn, member.id, -taken)
            assert balance is not None
            entry = await _new_entry(
                conn,
                member.id,
                EntryKind.REVERSE,
                -taken,
                balance,
                f"refund:{key}",
                now,
                purchase=purchase,
                reverses=earn,
                reason="refund",
                breakdown={
                    "refund_minor": amount_minor,
                    "refunded_total": total,
                    "due": due,
                    "taken": taken,
                    "policy": policy,
                },
                actor_telegram_id=staff_telegram_id,
                channel=channel,
            )
            await _draw_lots(
                conn,
                member.id,
                entry.id,
                min(taken, max(member.balance, 0)),
                prefer_lot_ids=list(own_lots),
            )
            member.balance = balance
        await (
            Purchase.filter(id=purchase.id)
            .using_db(conn)
            .update(refunded_minor=total, points_reversed=target)
        )
        row = await Refund.create(
            purchase_id=purchase.id,
            amount_minor=amount_minor,
            points_reversed=max(taken, 0),
            idempotency_key=key,
            staff_telegram_id=staff_telegram_id,
            channel=channel,
            created_at=now,
            using_db=conn,
        )
        purchase.refunded_minor, purchase.points_reversed = total, target
        extras = {
            h.name: await h.on_refund(conn, member, purchase, row, now) for h in hooks.registered()
        }
        await webhooks.emit(
            "purchase.refunded",
            {
                "member_id": member.id,
                "receipt_code": purchase.receipt_code,
                "refund_id": row.id,
                "amount_minor": amount_minor,
                "refunded_total_minor": total,
                "currency": purchase.currency,
                "points_reversed": max(taken, 0),
                "balance": member.balance,
            },
            member_id=member.id,
            using_db=conn,
        )
        await _notify(
            conn,
            member,
            "till-refund-member",
            {
                "amount": format_minor(amount_minor, currency.exponent, currency.symbol),
                "receipt": purchase.receipt_code,
                "points": max(taken, 0),
                "balance": member.balance,
            },
        )
        return _refunded(
            row,
            entry,
            member.id,
            member.balance,
            due=due,
            total=total,
            replayed=False,
            extras=extras,
        )

    async def replay() -> Refunded | None:
        return await _refund_replay(key)

    result = await run_keyed(op, replay)
    return result if result is not None else await replay()  # type: ignore[return-value]
