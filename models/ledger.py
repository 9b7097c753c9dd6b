"""The ledger: every change of a balance, as one write transaction each.

Shape of every operation:

1. validate the request (a rejection is a value and writes nothing);
2. in one write transaction: lock the member row (``FOR UPDATE`` on PostgreSQL; SQLite's
   ``BEGIN IMMEDIATE`` already serializes writers), look the idempotency key up (a
   retry returns the FIRST result, marked ``replayed``), change ``member.balance`` by a
   conditional ``UPDATE … RETURNING`` (``balance >= cost`` for debits), append the entry,
   move points between lots and record each move as a ``LotDraw``;
3. should two calls with one key still race (different members, or a unique code
   colliding), the loser's unique-constraint error rolls it back and it answers with the
   winner's result.

Lots and negative balances. Earned points form lots (``PointLot``) that expire by the
expiry policy; debits take from lots earliest-expiry first (lots that never expire
last). Only a refund under ``refund_policy = allow_negative`` can take more than the
member has: the uncovered part is a debt, i.e. a negative balance with every lot empty.
The next credit repays the debt first: its new lot starts with ``remaining = points -
debt`` and records the repayment as a draw on itself. Hence, for every member:

    balance == SUM(entries.points)
    SUM(lots.remaining) == MAX(balance, 0)
    lot.remaining == lot.points + SUM(draws on lot), 0 <= remaining <= points

which is exactly what ``models.doctor`` checks.

Idempotency keys are namespaced per operation in ``LedgerEntry.idempotency_key``
(``earn:…``, ``spend:…``, ``bonus:…``, ``adjust:…``, ``refund:…``, ``void:…``,
``expire:<run>:<member>``), so one caller key may serve two different operations.
"""

from __future__ import annotations

import calendar
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError

from models import _sql, audit, clock, outbox, rule_versions, tiers, tokens
from models.config import ExpiryPolicy, ExpiryPolicyKind, RuleSet
from models.db import write_transaction
from models.results import (
    AmountTooLarge,
    BelowMinimumPurchase,
    Credited,
    ExpiryRun,
    InsufficientPoints,
    InvalidAmount,
    PurchaseRecorded,
    Refunded,
    RefundExceedsPurchase,
    Spent,
    UnknownCurrency,
    UnknownMember,
    UnknownPurchase,
)
from models.rules import CampaignRule, Item, PointsQuote, compute_points, explain, format_minor
from models.tables import EntryKind, LedgerEntry, LotDraw, Member, PointLot, Purchase, Refund

T = TypeVar("T")
MAX_KEY_LENGTH = 112
"""Caller keys are at most this long (the column holds 128 with our namespace prefix)."""
_FAR_FUTURE = datetime.max.replace(tzinfo=UTC)


class _Reject(Exception):
    """Roll the transaction back and answer ``result`` (a rejection found mid-way)."""

    def __init__(self, result: Any) -> None:
        super().__init__(result)
        self.result = result


async def run_keyed(
    op: Callable[[BaseDBAsyncClient], Awaitable[T]],
    replay: Callable[[], Awaitable[T | None]],
    *,
    attempts: int = 3,
) -> T:
    """Run ``op`` in one write transaction; a race on a unique key answers ``replay()``.

    ``op`` may raise :class:`_Reject` to roll back and answer a rejection. A unique
    violation that is not explained by the idempotency key (a random code collided)
    is retried a few times.
    """
    for attempt in range(attempts):
        try:
            async with write_transaction() as conn:
                return await op(conn)
        except _Reject as rejected:
            return rejected.result
        except IntegrityError:
            first = await replay()
            if first is not None:
                return first
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def check_key(key: str) -> str:
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValueError(f"idempotency key must have 1..{MAX_KEY_LENGTH} characters")
    return key


# ---- expiry dates ----


def _add_months(at: datetime, months: int) -> datetime:
    y, m = divmod(at.month - 1 + months, 12)
    year, month = at.year + y, m + 1
    return at.replace(year=year, month=month, day=min(at.day, calendar.monthrange(year, month)[1]))


def expiry_for(earned_at: datetime, policy: ExpiryPolicy, tz: str = "UTC") -> datetime | None:
    """When points earned at ``earned_at`` expire (``None`` = never).

    ``rolling``: ``months`` after earning. ``end_of_period``: at the end (local midnight,
    exclusive) of the month/quarter/year that contains the date ``months`` after earning.
    """
    if policy.policy == ExpiryPolicyKind.NEVER:
        return None
    if policy.policy == ExpiryPolicyKind.ROLLING:
        return _add_months(earned_at, policy.months).astimezone(UTC)
    local = _add_months(earned_at.astimezone(ZoneInfo(tz)), policy.months)
    start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    span = {"month": 1, "quarter": 3, "year": 12}[policy.period]
    if policy.period == "quarter":
        start = start.replace(month=(start.month - 1) // 3 * 3 + 1)
    elif policy.period == "year":
        start = start.replace(month=1)
    return _add_months(start, span).astimezone(UTC)


def local_midnight(at: datetime, tz: str) -> datetime:
    local = at.astimezone(ZoneInfo(tz))
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)


# ---- building blocks (all run inside the caller's transaction) ----


async def lock_member(conn: BaseDBAsyncClient, member_id: int) -> Member:
    """The live member row, locked for this transaction, or a rejection."""
    member, _ = await _lock_member_and_key(conn, member_id, None)
    return member


async def _lock_member_and_key(
    conn: BaseDBAsyncClient, member_id: int, key: str | None
) -> tuple[Member, int | None]:
    """Lock the live member row and, in the same statement, look ``key`` up.

    The second value is the id of the entry already written under ``key`` (a retry that
    lost the race to the pre-transaction lookup), else ``None``.
    """
    lookup = "(SELECT e.id FROM ledger_entry e WHERE e.idempotency_key = ?)" if key else "NULL"
    row = await _sql.one(
        conn,
        f"SELECT m.*, {lookup} AS first_id FROM member m WHERE m.id = ?" + _sql.for_update(),
        *([key] if key else []),
        member_id,
    )
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


async def _entry_by_key(key: str) -> LedgerEntry | None:
    return await LedgerEntry.get_or_none(idempotency_key=key)


# ---- earning ----


async def _earned_since(conn: BaseDBAsyncClient, member_id: int, since: datetime) -> int:
    row = await _sql.one(
        conn,
        "SELECT SUM(points) AS s FROM ledger_entry"
        " WHERE member_id = ? AND created_at >= ? AND kind = 'earn'",
        member_id,
        since,
    )
    return _sql.as_int(row and row["s"])


async def _purchase_replay(purchase: Purchase | None) -> PurchaseRecorded | None:
    if purchase is None:
        return None
    entry = await LedgerEntry.get(purchase_id=purchase.id, kind=EntryKind.EARN)
    data = dict(entry.breakdown)
    return PurchaseRecorded(
        purchase_id=purchase.id,
        receipt_code=purchase.receipt_code,
        member_id=purchase.member_id,  # type: ignore[attr-defined]
        entry_id=entry.id,
        points=entry.points,
        balance=entry.balance_after,
        quote=PointsQuote.from_json(data),
        tier=data.get("tier", ""),
        upgraded_to=data.get("upgraded_to"),
        replayed=True,
    )


def _may_upgrade(rules: RuleSet, tier: str) -> bool:
    """Whether an earn could lift ``tier`` (not at the top already): else no tier sum."""
    return tiers.rank(rules.tiers, tier) < len(rules.tiers.levels) - 1


async def _resolve_rules(
    rules: RuleSet | None, rule_version_id: int | None
) -> tuple[RuleSet, int | None]:
    if rules is not None:
        return rules, rule_version_id
    version, current = await rule_versions.current()
    return current, version.id


async def earn_for_purchase(
    member_id: int,
    amount_minor: int,
    currency: str,
    *,
    idempotency_key: str,
    rules: RuleSet | None = None,
    rule_version_id: int | None = None,
    category: str | None = None,
    items: Iterable[Item | Mapping[str, Any]] = (),
    location: str | None = None,
    channel: str = "telegram",
    staff_telegram_id: int | None = None,
    order_id: str | None = None,
    campaigns: Iterable[CampaignRule] = (),
    tz: str = "UTC",
) -> (
    PurchaseRecorded
    | InvalidAmount
    | AmountTooLarge
    | UnknownCurrency
    | BelowMinimumPurchase
    | UnknownMember
):
    """Record a purchase and award its points (see :mod:`models.rules` for how).

    ``rules=None`` uses the current rule version. ``tz`` is the shop's time zone, for
    the daily cap's "day" and the end-of-period expiry. Queues the member's receipt
    (outbox ``till-receipt-member``) in the same transaction.
    """
    key = check_key(idempotency_key)

    async def replay() -> PurchaseRecorded | None:
        return await _purchase_replay(await Purchase.get_or_none(idempotency_key=key))

    rules, version_id = await _resolve_rules(rules, rule_version_id)
    try:
        parsed = [Item.parse(i) for i in items]
    except (KeyError, TypeError, ValueError):
        return await replay() or InvalidAmount(reason="items")
    from models.referrals import reward_referrer_on_first_purchase
    from models.rules import check_purchase

    rejection = check_purchase(amount_minor, currency, rules, parsed)
    if rejection is not None:  # a retry is answered its first result, whatever rules say now
        return await replay() or rejection
    offers = list(campaigns)

    async def op(conn: BaseDBAsyncClient) -> PurchaseRecorded | None:
        # the key is looked up in the statement that locks the member (a retry rolls back
        # and is answered by ``replay`` below); two first tries racing on different
        # connections meet on purchase's unique key and the loser replays (run_keyed)
        member, first_id = await _lock_member_and_key(conn, member_id, f"earn:{key}")
        if first_id is not None:
            raise _Reject(None)
        now = clock.now()
        earned_today = 0
        if rules.earning.daily_cap_points:
            earned_today = await _earned_since(conn, member.id, local_midnight(now, tz))
        quote = compute_points(
            amount_minor,
            rules,
            tier=member.tier,
            category=category,
            items=parsed,
            campaigns=offers,
            at=now,
            channel=channel,
            earned_today=earned_today,
        )
        tier_before = member.tier
        purchase = Purchase(
            member_id=member.id,
            receipt_code=tokens.receipt_code(),
            order_id=order_id,
            idempotency_key=key,
            amount_minor=amount_minor,
            currency=currency,
            category=category,
            items=[i.to_json() for i in parsed],
            location=location,
            channel=channel,
            staff_telegram_id=staff_telegram_id,
            points_awarded=quote.points,
            created_at=now,
        )
        steps = [_sql.insert("purchase", _sql.columns(purchase))]
        upgraded = None
        if _may_upgrade(rules, member.tier):
            # the upgrade counts this purchase, so it is decided before the entry is written
            [[row]] = await _sql.batch(conn, steps)
            purchase.id, steps = row["id"], []
            upgraded = await tiers.upgrade_after_earn(
                conn, member, rules, now, pending_points=quote.points
            )
        breakdown = quote.to_json() | {"tier": tier_before, "upgraded_to": upgraded}
        entry, values = _entry_row(
            member.id,
            EntryKind.EARN,
            quote.points,
            member.balance + quote.points,
            f"earn:{key}",
            now,
            {
                "rule_version_id": version_id,
                "breakdown": breakdown,
                "actor_telegram_id": staff_telegram_id,
                "channel": channel,
            },
        )
        by_key = ("(SELECT id FROM purchase WHERE idempotency_key = ?)", [key])
        before = member.balance
        steps += [
            _balance_step(member.id, quote.points, last_purchase_at=now),
            *_credit_steps(
                entry, values, before, expiry_for(now, rules.expiry, tz), {"purchase_id": by_key}
            ),
        ]
        member.balance, member.last_purchase_at = entry.balance_after, now
        if member.telegram_id and member.notifications_enabled:
            # the receipt rides in the same batch (it names no id the batch assigns)
            steps.append(
                outbox.enqueue_step(
                    chat_id=member.telegram_id,
                    template="till-receipt-member",
                    args=receipt_args(member, purchase, quote, upgraded, rules),
                    kind="receipt",
                    member=member,
                )
            )
        done = await _sql.batch(conn, steps)
        if purchase.id is None:
            purchase.id, done = done[0][0]["id"], done[1:]
        _check_moved(member.id, done[0], entry.balance_after)
        entry.id, entry.purchase_id = done[1][0]["id"], purchase.id  # type: ignore[attr-defined]
        purchase._saved_in_db = entry._saved_in_db = True
        await reward_referrer_on_first_purchase(member, rules, using_db=conn, tz=tz)
        return PurchaseRecorded(
            purchase_id=purchase.id,
            receipt_code=purchase.receipt_code,
            member_id=member.id,
            entry_id=entry.id,
            points=quote.points,
            balance=member.balance,
            quote=quote,
            tier=tier_before,
            upgraded_to=upgraded,
        )

    result = await run_keyed(op, replay)
    return result if result is not None else await replay()  # type: ignore[return-value]


def receipt_args(
    member: Member,
    purchase: Purchase,
    quote: PointsQuote,
    upgraded: str | None,
    rules: RuleSet,
) -> dict[str, Any]:
    """Arguments of the ``till-receipt-member`` message (all strings or integers)."""
    upgraded_name = (
        tiers.tier_name(tiers.level(rules.tiers, upgraded), member.language) if upgraded else ""
    )
    return {
        "points": quote.points,
        "balance": member.balance,
        "amount": format_minor(purchase.amount_minor, quote.exponent, quote.symbol),
        "receipt": purchase.receipt_code,
        "breakdown": explain(quote, member.language),
        "tier": tiers.tier_name(tiers.level(rules.tiers, member.tier), member.language),
        "upgraded": upgraded_name,
        "location": purchase.location or "",
    }


# ---- spending, bonuses, adjustments ----


def _points_ok(points: Any) -> bool:
    return isinstance(points, int) and not isinstance(points, bool) and points > 0


async def spend(
    member_id: int,
    points: int,
    *,
    idempotency_key: str,
    reason: str,
    voucher_id: int | None = None,
    channel: str = "telegram",
    actor_telegram_id: int | None = None,
) -> Spent | InsufficientPoints | InvalidAmount | UnknownMember:
    """Spend points (a REDEEM entry), earliest-expiring lots first."""
    key = f"spend:{check_key(idempotency_key)}"
    if not _points_ok(points):
        return InvalidAmount(reason="points")

    async def op(conn: BaseDBAsyncClient) -> Spent:
        member, first_id = await _lock_member_and_key(conn, member_id, key)
        if first_id is not None:
            return _spent(await LedgerEntry.get(id=first_id).using_db(conn), replayed=True)
        entry = await debit(
            conn,
            member,
            points,
            kind=EntryKind.REDEEM,
            key=key,
            now=clock.now(),
            voucher_id=voucher_id,
            reason=reason,
            channel=channel,
            actor_telegram_id=actor_telegram_id,
        )
        return _spent(entry)

    async def replay() -> Spent | None:
        first = await _entry_by_key(key)
        return _spent(first, replayed=True) if first else None

    return await run_keyed(op, replay)


def _spent(entry: LedgerEntry, *, replayed: bool = False) -> Spent:
    return Spent(
        entry_id=entry.id,
        member_id=entry.member_id,  # type: ignore[attr-defined]
        points=-entry.points,
        balance=entry.balance_after,
        replayed=replayed,
    )


def _credited(entry: LedgerEntry, *, replayed: bool = False) -> Credited:
    return Credited(
        entry_id=entry.id,
        member_id=entry.member_id,  # type: ignore[attr-defined]
        points=entry.points,
        balance=entry.balance_after,
        replayed=replayed,
    )


async def _credit_op(
    member_id: int,
    points: int,
    key: str,
    kind: EntryKind,
    rules: RuleSet | None,
    tz: str,
    adjustment: dict[str, Any] | None = None,
    **fields: Any,
) -> Credited | UnknownMember:
    rules, _ = await _resolve_rules(rules, None)

    async def op(conn: BaseDBAsyncClient) -> Credited:
        member = await lock_member(conn, member_id)
        first = await LedgerEntry.get_or_none(idempotency_key=key).using_db(conn)
        if first is not None:
            return _credited(first, replayed=True)
        now = clock.now()
        entry = await credit(
            conn,
            member,
            points,
            kind=kind,
            key=key,
            expires_at=expiry_for(now, rules.expiry, tz),
            now=now,
            **fields,
        )
        if adjustment is not None:
            await _record_adjustment(conn, member, entry, adjustment)
        return _credited(entry)

    async def replay() -> Credited | None:
        first = await _entry_by_key(key)
        return _credited(first, replayed=True) if first else None

    return await run_keyed(op, replay)


async def _record_adjustment(
    conn: BaseDBAsyncClient, member: Member, entry: LedgerEntry, details: dict[str, Any]
) -> None:
    """An adjustment's audit row and the member's notice, in the adjustment's transaction."""
    details = dict(details)
    await audit.record(
        "points.adjust",
        actor_telegram_id=entry.actor_telegram_id,
        actor_kind=details.pop("actor_kind"),
        target=f"member:{member.id}",
        details={**details, "entry_id": entry.id, "points": entry.points},
        using_db=conn,
    )
    await _notify(
        conn,
        member,
        "till-adjust-member",
        {"points": entry.points, "balance": entry.balance_after, "reason": details["reason"]},
    )


async def _notify(
    conn: BaseDBAsyncClient, member: Member, template: str, args: dict[str, Any]
) -> None:
    """Queue a notice to the member (when they can and want to hear from us)."""
    if member.telegram_id and member.notifications_enabled and member.deleted_at is None:
        await outbox.enqueue(
            chat_id=member.telegram_id, template=template, args=args, member=member, using_db=conn
        )


async def grant_bonus(
    member_id: int,
    points: int,
    *,
    idempotency_key: str,
    reason: str,
    actor_telegram_id: int | None = None,
    channel: str = "system",
    rules: RuleSet | None = None,
    tz: str = "UTC",
) -> Credited | InvalidAmount | UnknownMember:
    """Bonus points (birthday, referral, campaign) as a BONUS entry with its own lot.

    The scheduler's keys make reruns free, e.g. ``birthday:<member>:<year>``.
    """
    key = f"bonus:{check_key(idempotency_key)}"
    if not _points_ok(points):
        return InvalidAmount(reason="points")
    return await _credit_op(
        member_id,
        points,
        key,
        EntryKind.BONUS,
        rules,
        tz,
        reason=reason,
        actor_telegram_id=actor_telegram_id,
        channel=channel,
    )


async def adjust(
    member_id: int,
    points: int,
    *,
    reason: str,
    actor_telegram_id: int | None,
    idempotency_key: str,
    actor_kind: str = "telegram",
    rules: RuleSet | None = None,
    tz: str = "UTC",
) -> Credited | Spent | InsufficientPoints | InvalidAmount | UnknownMember:
    """A manual correction by an admin (ADJUST entry + audit row).

    Positive: a new lot under the expiry policy. Negative: taken from lots like a spend
    and refused beyond the balance (a debt only ever comes from a refund).
    """
    key = f"adjust:{check_key(idempotency_key)}"
    if isinstance(points, bool) or not isinstance(points, int) or points == 0:
        return InvalidAmount(reason="points")
    adjustment = {"actor_kind": actor_kind, "reason": reason}
    fields = {"reason": reason, "actor_telegram_id": actor_telegram_id, "channel": actor_kind}
    if points > 0:
        return await _credit_op(
            member_id, points, key, EntryKind.ADJUST, rules, tz, adjustment=adjustment, **fields
        )

    async def op(conn: BaseDBAsyncClient) -> Spent:
        member = await lock_member(conn, member_id)
        first = await LedgerEntry.get_or_none(idempotency_key=key).using_db(conn)
        if first is not None:
            return _spent(first, replayed=True)
        now = clock.now()
        entry = await debit(
            conn, member, -points, kind=EntryKind.ADJUST, key=key, now=now, **fields
        )
        await _record_adjustment(conn, member, entry, adjustment)
        return _spent(entry)

    async def replay() -> Spent | None:
        first = await _entry_by_key(key)
        return _spent(first, replayed=True) if first else None

    return await run_keyed(op, replay)


# ---- refunds ----


async def find_purchase(ref: int | str) -> Purchase | None:
    """A purchase by id or by receipt code (``R-K7QM-4PXD``, any case or spacing)."""
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
        return await Purchase.get_or_none(id=int(ref))
    text = ref.strip().upper()
    code = tokens.normalize_code(text[2:] if text.startswith("R-") else text[1:])
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
        purchase = await Purchase.filter(id=found.id).select_for_update().using_db(conn).get()
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
            row, entry, member.id, member.balance, due=due, total=total, replayed=False
        )

    async def replay() -> Refunded | None:
        return await _refund_replay(key)

    result = await run_keyed(op, replay)
    return result if result is not None else await replay()  # type: ignore[return-value]


# ---- expiry ----


async def expire_due(now: datetime | None = None) -> ExpiryRun:
    """Expire what is left of every lot due by ``now``: one EXPIRE entry per member.

    Set-based (a handful of statements whatever the number of lots). Idempotent: a
    rerun finds no due lot with points left. Entries of one run share the key prefix
    ``expire:<run>:`` (``<run>`` = timestamp + random suffix) and are found by an index
    range.
    """
    now = now or clock.now()
    # unique per call: a second sweep at the same instant finds nothing left anyway
    run = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + tokens.token()[:6]
    prefix = f"expire:{run}:"
    due = "l.expires_at <= ? AND l.remaining > 0"
    async with write_transaction() as conn:
        if _sql.pg():
            await _sql.rows(
                conn,
                "SELECT id FROM member WHERE id IN (SELECT l.member_id FROM point_lot l"
                f" WHERE {due}) ORDER BY id FOR UPDATE",
                now,
            )
        await _sql.execute(
            conn,
            "INSERT INTO ledger_entry (member_id, kind, points, balance_after,"
            " idempotency_key, breakdown, reason, channel, created_at)"
            " SELECT l.member_id, 'expire', -SUM(l.remaining), m.balance - SUM(l.remaining),"
            " CAST(? AS TEXT) || CAST(l.member_id AS TEXT), '{}', 'expiry', 'system', ?"
            f" FROM point_lot l JOIN member m ON m.id = l.member_id WHERE {due}"
            " GROUP BY l.member_id, m.balance",
            prefix,
            now,
            now,
        )
        await _sql.execute(
            conn,
            "INSERT INTO lot_draw (entry_id, lot_id, points)"
            " SELECT e.id, l.id, -l.remaining FROM point_lot l JOIN ledger_entry e"
            " ON e.idempotency_key = CAST(? AS TEXT) || CAST(l.member_id AS TEXT)"
            f" WHERE {due}",
            prefix,
            now,
        )
        in_run = "e.idempotency_key >= ? AND e.idempotency_key < ?"
        end = prefix[:-1] + ";"  # ';' sorts right after ':'
        await _sql.execute(
            conn,
            "UPDATE member SET balance = member.balance + e.points FROM ledger_entry e"
            f" WHERE e.member_id = member.id AND {in_run}",
            prefix,
            end,
        )
        await _sql.execute(
            conn,
            "UPDATE point_lot SET remaining = 0 WHERE expires_at <= ? AND remaining > 0",
            now,
        )
        row = await _sql.one(
            conn,
            f"SELECT COUNT(*) AS n, SUM(e.points) AS s FROM ledger_entry e WHERE {in_run}",
            prefix,
            end,
        )
    assert row is not None
    return ExpiryRun(members=_sql.as_int(row["n"]), points=-_sql.as_int(row["s"]), run_key=run)


async def expiring_between(start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Per member, points due to expire in ``[start, end)`` (for expiry reminders).

    Rows: ``member_id``, ``points``, ``first_expiry``.
    """
    from models.db import connection

    found = await _sql.rows(
        connection(),
        "SELECT member_id, SUM(remaining) AS points, MIN(expires_at) AS first_expiry"
        " FROM point_lot WHERE expires_at >= ? AND expires_at < ? AND remaining > 0"
        " GROUP BY member_id",
        start,
        end,
    )
    return [
        {
            "member_id": r["member_id"],
            "points": _sql.as_int(r["points"]),
            "first_expiry": _sql.as_datetime(r["first_expiry"]),
        }
        for r in found
    ]


__all__ = [
    "MAX_KEY_LENGTH",
    "adjust",
    "credit",
    "credit_back",
    "debit",
    "earn_for_purchase",
    "expire_due",
    "expiring_between",
    "expiry_for",
    "find_purchase",
    "grant_bonus",
    "lock_member",
    "refund",
    "run_keyed",
    "spend",
]
