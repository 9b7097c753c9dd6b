"""Building blocks that run inside the caller's write transaction.

Lock the member, move the balance, append entries, open lots and draw from them
(:func:`credit`, :func:`debit`, :func:`credit_back`), queue a notice. Every operation in
this package, and the voucher and coupon operations, compose these, so the ledger's
invariants have one home. :func:`_resolve_rules` (the rule set an operation runs under)
lives here because earning, bonuses and refunds all need it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from models import _sql, locks, outbox, rule_versions
from models.config import RuleSet
from models.ledger.keys import _Reject
from models.results import InsufficientPoints, UnknownMember
from models.tables import EntryKind, LedgerEntry, LotDraw, Member, PointLot

_FAR_FUTURE = datetime.max.replace(tzinfo=UTC)


async def _resolve_rules(
    rules: RuleSet | None, rule_version_id: int | None
) -> tuple[RuleSet, int | None]:
    if rules is not None:
        return rules, rule_version_id
    version, current = await rule_versions.current()
    return current, version.id


async def lock_member(conn: BaseDBAsyncClient, member_id: int) -> Member:
    """The live member row, locked for this transaction (step 1 of :mod:`models.locks`),
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
        columns=f"m.*, {lookup} AS first_id",
        params=[key] if key else [],
    )
    row = rows.get(member_id)
    if row is None or row["deleted_at"] is not None:
        raise _Reject(UnknownMember(member_id))
    return Member._init_from_db(**row), row["first_id"]


def _entry_row(
    member_id: int,
    kind: EntryKind,
    points: int,
    balance_after: int,
    key: str | None,
    now: datetime,
    fields: Mapping[str, Any],
) -> tuple[LedgerEntry, dict[str, Any]]:
    """The entry (unsaved) and its column values, encoded the way Tortoise stores them."""
    entry = LedgerEntry(
        member_id=member_id,
        kind=kind,
        points=points,
        balance_after=balance_after,
        idempotency_key=key,
        created_at=now,
        **fields,
    )
    return entry, _sql.columns(entry)


def _balance_step(
    member_id: int, delta: int, *, require: int | None = None, last_purchase_at: Any = None
) -> _sql.Step:
    """Add ``delta`` to the balance; with ``require``, only if ``balance >= require``."""
    sets = "balance = balance + ?"
    params: list[Any] = [delta]
    if last_purchase_at is not None:
        sets += ", last_purchase_at = ?"
        params.append(last_purchase_at)
    sql = f"UPDATE member SET {sets} WHERE id = ?"
    params.append(member_id)
    if require is not None:
        sql += " AND balance >= ?"
        params.append(require)
    return sql + " RETURNING balance", params


_BY_KEY = "(SELECT id FROM ledger_entry WHERE idempotency_key = ?)"


def _credit_steps(
    entry: LedgerEntry,
    values: dict[str, Any],
    balance_before: int,
    expires_at: datetime | None,
    exprs: Mapping[str, _sql.Step] | None = None,
) -> list[_sql.Step]:
    """Insert a keyed credit's entry, its lot and any debt repayment (no Python between)."""
    assert entry.idempotency_key is not None
    points, key, now = entry.points, entry.idempotency_key, entry.created_at
    steps = [_sql.insert("ledger_entry", values, exprs)]
    if points > 0:
        repay = min(points, max(0, -balance_before))
        steps.append(
            (
                "INSERT INTO point_lot (member_id, entry_id, points, remaining, expires_at,"
                f" created_at) VALUES (?, {_BY_KEY}, ?, ?, ?, ?)",
                [values["member_id"], key, points, points - repay, expires_at, now],
            )
        )
        if repay:
            steps.append(
                (
                    "INSERT INTO lot_draw (entry_id, lot_id, points) SELECT l.entry_id, l.id, ?"
                    f" FROM point_lot l WHERE l.member_id = ? AND l.entry_id = {_BY_KEY}",
                    [-repay, values["member_id"], key],
                )
            )
    return steps


def _draw_steps(member_id: int, key: str, points: int) -> list[_sql.Step]:
    """Set-based earliest-expiry-first draw of ``points`` for the entry keyed ``key``.

    Both statements see the lots as they were (the member row is locked), so the draws
    written and the remainders taken agree.
    """
    take = (
        "SELECT id, CASE WHEN remaining < need THEN remaining ELSE need END AS take FROM ("
        " SELECT id, remaining, CAST(? AS BIGINT) - COALESCE(CAST(SUM(remaining) OVER ("
        "  ORDER BY expires_at IS NULL, expires_at, id"
        "  ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS BIGINT), 0) AS need"
        " FROM point_lot WHERE member_id = ? AND remaining > 0) AS p"
    )
    return [
        (
            f"INSERT INTO lot_draw (entry_id, lot_id, points) SELECT {_BY_KEY}, t.id, -t.take"
            f" FROM ({take}) AS t WHERE t.take > 0 RETURNING points",
            [key, points, member_id],
        ),
        (
            f"UPDATE point_lot SET remaining = remaining - t.take FROM ({take}) AS t"
            " WHERE t.id = point_lot.id AND t.take > 0",
            [points, member_id],
        ),
    ]


async def _move_balance(
    conn: BaseDBAsyncClient, member_id: int, delta: int, *, require: int | None = None
) -> int | None:
    """Add ``delta`` to the balance; with ``require``, only if ``balance >= require``."""
    sql = "UPDATE member SET balance = balance + ? WHERE id = ?"
    params: list[Any] = [delta, member_id]
    if require is not None:
        sql += " AND balance >= ?"
        params.append(require)
    row = await _sql.one(conn, sql + " RETURNING balance", *params)
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
        changed = await _sql.execute(
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
        entry, values = _entry_row(
            member.id, kind, -points, member.balance - points, key, now, fields
        )
        moved, inserted, drawn, _ = await _sql.batch(
            conn,
            [
                _balance_step(member.id, -points, require=points),
                _sql.insert("ledger_entry", values),
                *_draw_steps(member.id, key, points),
            ],
        )
        _check_moved(member.id, moved, entry.balance_after)
        entry.id, balance = inserted[0]["id"], entry.balance_after
        taken = -sum(int(r["points"]) for r in drawn)
    if taken != points:
        raise RuntimeError(f"member {member.id}: lots hold less than the balance")
    member.balance = balance
    entry._saved_in_db = True
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
    **fields: Any,
) -> LedgerEntry:
    """Add ``points`` (>= 0) as a new lot (repaying any debt first).

    Keyed credits run as one batch (balance update, entry, lot, repayment draw).
    """
    before = member.balance
    if key is None:
        balance = await _move_balance(conn, member.id, points)
        assert balance is not None
        entry = await _new_entry(conn, member.id, kind, points, balance, key, now, **fields)
        if points > 0:
            await _new_lot(conn, entry, points, before, expires_at, now)
    else:
        entry, values = _entry_row(member.id, kind, points, before + points, key, now, fields)
        moved, inserted, *_ = await _sql.batch(
            conn,
            [_balance_step(member.id, points), *_credit_steps(entry, values, before, expires_at)],
        )
        _check_moved(member.id, moved, entry.balance_after)
        entry.id, balance = inserted[0]["id"], entry.balance_after
        entry._saved_in_db = True
    member.balance = balance
    return entry


def _check_moved(member_id: int, moved: list[dict[str, Any]], expected: int) -> None:
    """The balance UPDATE matched and landed where the locked row said it would."""
    if not moved or int(moved[0]["balance"]) != expected:
        raise RuntimeError(f"member {member_id}: balance changed under its lock")


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
        await _sql.execute(
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
    """Queue a notice to the member (when they can and want to hear from us)."""
    if member.telegram_id and member.notifications_enabled and member.deleted_at is None:
        await outbox.enqueue(
            chat_id=member.telegram_id, template=template, args=args, member=member, using_db=conn
        )
