"""Building blocks that run inside the caller's write transaction.

Lock the member, move the balance, append entries, open lots and draw from them
(:func:`credit`, :func:`debit`, :func:`credit_back`), queue a notice. Every operation in
this package, and the voucher and coupon operations, compose these, so the ledger's
invariants have one home; the statements of the keyed (hot) paths are queued on a
:class:`~models.ledger.journal.Journal`, the one home of low-level writing.
:func:`_resolve_rules` (the rule set an operation runs under) lives here because
earning, bonuses and refunds all need it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from models.delivery import outbox
from models.ledger import rule_versions
from models.ledger.config import RuleSet
from models.ledger.journal import Journal
from models.ledger.keys import _Reject
from models.ledger.results import InsufficientPoints, UnknownMember
from models.store import locks, sql
from models.store.tables import EntryKind, LedgerEntry, LotDraw, Member, PointLot

_FAR_FUTURE = datetime.max.replace(tzinfo=UTC)


async def _resolve_rules(
    rules: RuleSet | None, rule_version_id: int | None
) -> tuple[RuleSet, int | None]:
    if rules is not None:
        return rules, rule_version_id
    version, current = await rule_versions.current()
    return current, version.id


async def lock_member(conn: BaseDBAsyncClient, member_id: int) -> Member:
    """The live member row, locked for this transaction (step 1 of :mod:`models.store.locks`),
    or a rejection."""
    member, _ = await _lock_member_and_key(conn, member_id, None)
    return member


async def _lock_member_and_key(
    conn: BaseDBAsyncClient, member_id: int, key: str | None, *, with_referrer: bool = False
) -> tuple[Member, int | None]:
    """Lock the live member row and, in the same statement, look ``key`` up.

    The second value is the id of the entry already written under ``key`` (a retry that
    lost the race to the pre-transaction lookup), else ``None``. ``with_referrer`` locks
    the member's referrer too while its referral bonus is unpaid (an earn may pay it), so
    both members are locked in the one global order (ascending id).
    """
    lookup = "(SELECT e.id FROM ledger_entry e WHERE e.idempotency_key = ?)" if key else "NULL"
    rows = await locks.members(
        conn,
        [member_id],
        referrer_of=member_id if with_referrer else None,
        columns=f"{sql.select_list(Member, 'm')}, {lookup} AS first_id",
        params=[key] if key else [],
    )
    row = rows.get(member_id)
    if row is None or row["deleted_at"] is not None:
        raise _Reject(UnknownMember(member_id))
    return sql.model_from_row(Member, row), row["first_id"]


def _entry(
    member_id: int,
    kind: EntryKind,
    points: int,
    balance_after: int,
    key: str | None,
    now: datetime,
    fields: Mapping[str, Any],
) -> LedgerEntry:
    """An entry, not yet written (a :class:`Journal` writes it)."""
    return LedgerEntry(
        member_id=member_id,
        kind=kind,
        points=points,
        balance_after=balance_after,
        idempotency_key=key,
        created_at=now,
        **fields,
    )


async def _move_balance(
    conn: BaseDBAsyncClient, member_id: int, delta: int, *, require: int | None = None
) -> int | None:
    """Add ``delta`` to the balance; with ``require``, only if ``balance >= require``."""
    statement = "UPDATE member SET balance = balance + ? WHERE id = ?"
    params: list[Any] = [delta, member_id]
    if require is not None:
        statement += " AND balance >= ?"
        params.append(require)
    row = await sql.one(conn, statement + " RETURNING balance", *params)
    return None if row is None else int(row["balance"])


async def _new_entry(
    conn: BaseDBAsyncClient,
    member_id: int,
    kind: EntryKind,
    points: int,
    balance_after: int,
    key: str | None,
    now: datetime,
    **fields: Any,
) -> LedgerEntry:
    return await LedgerEntry.create(
        member_id=member_id,
        kind=kind,
        points=points,
        balance_after=balance_after,
        idempotency_key=key,
        created_at=now,
        using_db=conn,
        **fields,
    )


async def _new_lot(
    conn: BaseDBAsyncClient,
    entry: LedgerEntry,
    points: int,
    balance_before: int,
    expires_at: datetime | None,
    now: datetime,
) -> PointLot:
    """A lot for a credit; a debt (negative ``balance_before``) is repaid from it first."""
    repay = min(points, max(0, -balance_before))
    lot = await PointLot.create(
        member_id=entry.member_id,  # type: ignore[attr-defined]
        entry_id=entry.id,
        points=points,
        remaining=points - repay,
        expires_at=expires_at,
        created_at=now,
        using_db=conn,
    )
    if repay:
        await LotDraw.create(entry_id=entry.id, lot_id=lot.id, points=-repay, using_db=conn)
    return lot


async def _draw_lots(
    conn: BaseDBAsyncClient,
    member_id: int,
    entry_id: int,
    points: int,
    *,
    prefer_lot_ids: Sequence[int] = (),
) -> int:
    """Take up to ``points`` from the member's lots, earliest expiry first; points taken.

    ``prefer_lot_ids`` are drawn first (a refund takes back from the purchase's own lot).
    """
    lots = await PointLot.filter(member_id=member_id, remaining__gt=0).using_db(conn)
    lots.sort(
        key=lambda lot: (
            lot.id not in prefer_lot_ids,
            lot.expires_at is None,
            lot.expires_at or _FAR_FUTURE,
            lot.id,
        )
    )
    taken = 0
    draws: list[LotDraw] = []
    for lot in lots:
        if taken >= points:
            break
        n = min(lot.remaining, points - taken)
        changed = await sql.execute(
            conn,
            "UPDATE point_lot SET remaining = remaining - ? WHERE id = ? AND remaining >= ?",
            n,
            lot.id,
            n,
        )
        if changed != 1:  # the member row is locked, so nobody else may touch its lots
            raise RuntimeError(f"lot {lot.id} changed under a member lock")
        draws.append(LotDraw(entry_id=entry_id, lot_id=lot.id, points=-n))
        taken += n
    if draws:
        await LotDraw.bulk_create(draws, using_db=conn)
    return taken


async def debit(
    conn: BaseDBAsyncClient,
    member: Member,
    points: int,
    *,
    kind: EntryKind,
    key: str | None,
    now: datetime,
    **fields: Any,
) -> LedgerEntry:
    """Take ``points`` (> 0) the member has, or reject with ``InsufficientPoints``.

    Keyed debits run as one batch: conditional balance update, entry, set-based draws.
    """
    if key is None:
        balance = await _move_balance(conn, member.id, -points, require=points)
        if balance is None:
            raise _Reject(
                InsufficientPoints(short_by=points - member.balance, balance=member.balance)
            )
        entry = await _new_entry(conn, member.id, kind, -points, balance, key, now, **fields)
        taken = await _draw_lots(conn, member.id, entry.id, points)
    else:
        if member.balance < points:  # read under the member lock; the UPDATE re-checks
            raise _Reject(
                InsufficientPoints(short_by=points - member.balance, balance=member.balance)
            )
        entry = _entry(member.id, kind, -points, member.balance - points, key, now, fields)
        journal = Journal(conn)
        journal.move_balance(member.id, -points, require=points, expect=entry.balance_after)
        journal.insert(entry)
        drawn = journal.draw_lots(member.id, key, points)
        await journal.flush()
        balance, taken = entry.balance_after, drawn.points
    if taken != points:
        raise RuntimeError(f"member {member.id}: lots hold less than the balance")
    member.balance = balance
    return entry


async def credit(
    conn: BaseDBAsyncClient,
    member: Member,
    points: int,
    *,
    kind: EntryKind,
    key: str | None,
    expires_at: datetime | None,
    now: datetime,
    journal: Journal | None = None,
    last_purchase_at: datetime | None = None,
    links: Mapping[str, sql.Step] | None = None,
    **fields: Any,
) -> LedgerEntry:
    """Add ``points`` (>= 0) as a new lot (repaying any debt first).

    A keyed credit is queued on a :class:`Journal` (balance, entry, lot, repayment) and
    sent in one flush; given the caller's ``journal`` it rides in the caller's flush
    (``entry.id`` is set then), and ``links`` name rows of that flush (column → SQL).
    """
    before = member.balance
    if key is None:  # written at once (no journal, so no links either)
        assert journal is None and last_purchase_at is None and not links
        balance = await _move_balance(conn, member.id, points)
        assert balance is not None
        entry = await _new_entry(conn, member.id, kind, points, balance, key, now, **fields)
        if points > 0:
            await _new_lot(conn, entry, points, before, expires_at, now)
    else:
        entry = _entry(member.id, kind, points, before + points, key, now, fields)
        writes = journal or Journal(conn)
        writes.move_balance(
            member.id, points, expect=entry.balance_after, last_purchase_at=last_purchase_at
        )
        writes.insert(entry, **(links or {}))
        if points > 0:
            writes.open_lot(
                member.id, key, points, balance_before=before, expires_at=expires_at, now=now
            )
        if journal is None:
            await writes.flush()
        balance = entry.balance_after
    member.balance = balance
    return entry


async def credit_back(
    conn: BaseDBAsyncClient,
    member: Member,
    original: LedgerEntry,
    *,
    key: str | None,
    now: datetime,
    **fields: Any,
) -> LedgerEntry:
    """Reverse a debit: give its points back into the very lots it drew from.

    Points return with their original expiry (a lot already past it is expired by the
    next sweep, as it would have been). A debt is repaid first.
    """
    points = -original.points
    before = member.balance
    balance = await _move_balance(conn, member.id, points)
    assert balance is not None
    entry = await _new_entry(
        conn, member.id, EntryKind.REVERSE, points, balance, key, now, reverses=original, **fields
    )
    to_lots = points - min(points, max(0, -before))
    draws: list[LotDraw] = []
    for draw in await LotDraw.filter(entry_id=original.id, points__lt=0).using_db(conn):
        n = min(-draw.points, to_lots)
        if n <= 0:
            break
        await sql.execute(
            conn, "UPDATE point_lot SET remaining = remaining + ? WHERE id = ?", n, draw.lot_id
        )
        draws.append(LotDraw(entry_id=entry.id, lot_id=draw.lot_id, points=n))
        to_lots -= n
    if draws:
        await LotDraw.bulk_create(draws, using_db=conn)
    if to_lots > 0:  # never expected: a debit's draws cover its points
        raise RuntimeError(f"entry {original.id}: draws do not cover its points")
    member.balance = balance
    return entry


async def _notify(
    conn: BaseDBAsyncClient, member: Member, template: str, args: dict[str, Any]
) -> None:
    """Queue a notice to the member (when its class lets us tell them)."""
    await outbox.to_member(member, template=template, args=args, using_db=conn)
