"""The one lock order of every write transaction (so no two of them ever wait on each other
in a circle, i.e. no deadlock on PostgreSQL and no ``database is locked`` on SQLite).

A write transaction takes the rows it will change in this order, and never goes back to an
earlier step once it has taken a later one:

1. **member** rows, ascending ``id`` (:func:`members`). Every operation that changes a
   balance, a voucher, a coupon, a purchase or reward stock on behalf of a member locks
   that member FIRST, even when its "real" target is the voucher (redeem, void) or the
   purchase (refund). An operation that touches two members (an earn that pays a
   referrer) locks both up front, lower id first; the expiry sweep locks all its members
   in one ``ORDER BY id`` statement.
2. **voucher** row (its conditional ``UPDATE … WHERE status = 'issued'``: redeem, void).
3. **coupon** row (its conditional ``UPDATE … WHERE claimed_by_id IS NULL``: claim).
4. **purchase** row (:func:`purchase`, a refund's ``refunded_minor``).
5. **reward** row (stock: ``UPDATE reward SET stock = stock ∓ 1``).
6. the member's **lots** (only ever touched under the member's lock, so never contended).
7. new rows: entries, draws, lots, purchases, vouchers, outbox messages, audit rows,
   refunds, tier changes. An ``INSERT`` takes PostgreSQL's ``FOR KEY SHARE`` on the rows
   its foreign keys name; that lock does not conflict with ``FOR NO KEY UPDATE``, which
   is why steps 1 and 4 lock with it (``FOR UPDATE`` would make every receipt insert
   that names a member wait for, and so order itself against, that member's lock).

Rows already queued in the outbox are locked only by the sender, which holds no lock of
steps 1–6 when it does (it marks a blocked member after its outbox row, and that update
is its last statement). On SQLite, ``BEGIN IMMEDIATE`` takes the one database write lock
up front (models.store.sqlite_backend), so writers never interleave and the order is moot; the
same code runs on both.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from models.store import sql
from models.store.tables import Member, Purchase


def row_lock() -> str:
    """The row-lock suffix of steps 1 and 4 (nothing on SQLite: the write lock covers it)."""
    return " FOR NO KEY UPDATE" if sql.pg() else ""


async def members(
    conn: BaseDBAsyncClient,
    ids: Sequence[int],
    *,
    referrer_of: int | None = None,
    columns: str | None = None,
    params: Sequence[Any] = (),
) -> dict[int, dict[str, Any]]:
    """Lock the member rows ``ids`` (step 1, ascending id); their rows by id.

    ``referrer_of``: also lock the referrer of that member while its referral bonus is
    still unpaid (an earn may pay it), in the same statement and the same order.
    ``columns`` (default: every column of ``member``, listed by name) may add
    expressions over ``m`` (bound with ``params``), e.g. an idempotency-key lookup done
    in the same round trip. Missing ids are absent.
    """
    wanted = sorted(set(ids))
    columns = columns or sql.select_list(Member, "m")
    where = f"m.id IN ({', '.join('?' * len(wanted))})"
    extra: list[Any] = []
    if referrer_of is not None:
        where += (
            " OR m.id = (SELECT r.referred_by_id FROM member r"
            " WHERE r.id = ? AND r.referral_rewarded_at IS NULL)"
        )
        extra.append(referrer_of)
    found = await sql.rows(
        conn,
        f"SELECT {columns} FROM member m WHERE {where} ORDER BY m.id" + row_lock(),
        *params,
        *wanted,
        *extra,
    )
    return {row["id"]: row for row in found}


async def member(conn: BaseDBAsyncClient, member_id: int) -> Member | None:
    """Lock one member row (step 1), deleted or not; the row."""
    query = Member.filter(id=member_id).select_for_update(no_key=True).using_db(conn)
    return await query.get_or_none()


async def purchase(conn: BaseDBAsyncClient, purchase_id: int) -> Purchase:
    """Lock one purchase row (step 4: after its member); the row."""
    return await Purchase.filter(id=purchase_id).select_for_update(no_key=True).using_db(conn).get()
