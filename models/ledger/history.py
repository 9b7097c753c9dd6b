"""A member's journal, a page at a time, with what each line needs to be explained (/history).

Newest first. Each :class:`HistoryLine` carries the entry and what it refers to (the
purchase's receipt and amount, the reward's names) so the chat face renders it without
further queries: three queries per page (count, entries, related rows).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from models.ledger.quotes import PointsQuote, explain
from models.store import sql
from models.store.db import connection
from models.store.tables import EntryKind, LedgerEntry


@dataclass(frozen=True)
class HistoryLine:
    kind: EntryKind
    points: int
    balance_after: int
    created_at: datetime
    reason: str | None
    breakdown: dict[str, Any]
    receipt_code: str | None = None
    amount_minor: int | None = None
    reward_names: dict[str, str] | None = None


@dataclass(frozen=True)
class HistoryPage:
    lines: tuple[HistoryLine, ...]
    page: int
    pages: int
    total: int


async def page(member_id: int, number: int = 0, size: int = 8) -> HistoryPage:
    """Page ``number`` (0-based, clamped into range) of the member's entries, newest first."""
    total = await LedgerEntry.filter(member_id=member_id).count()
    pages = max(1, -(-total // size))
    number = min(max(number, 0), pages - 1)
    rows = (
        await LedgerEntry.filter(member_id=member_id)
        .order_by("-created_at", "-id")
        .offset(number * size)
        .limit(size)
        .prefetch_related("purchase", "voucher__reward")
    )
    lines = tuple(
        HistoryLine(
            kind=EntryKind(row.kind),
            points=row.points,
            balance_after=row.balance_after,
            created_at=row.created_at,
            reason=row.reason,
            breakdown=row.breakdown or {},
            receipt_code=row.purchase.receipt_code if row.purchase else None,
            amount_minor=row.purchase.amount_minor if row.purchase else None,
            reward_names=(row.voucher.reward.names if row.voucher and row.voucher.reward else None),
        )
        for row in rows
    )
    return HistoryPage(lines, number, pages, total)


_RECENT = (
    "SELECT e.kind, e.points, e.balance_after, e.created_at, e.reason, e.breakdown,"
    " p.receipt_code, p.amount_minor, r.names AS reward_names FROM ledger_entry e"
    " LEFT JOIN purchase p ON p.id = e.purchase_id"
    " LEFT JOIN voucher v ON v.id = e.voucher_id"
    " LEFT JOIN reward r ON r.id = v.reward_id"
    " WHERE e.member_id = ? ORDER BY e.created_at DESC, e.id DESC LIMIT ?"
)


def _json(value: Any) -> Any:
    """A JSON column read by hand-written SQL (text on SQLite and asyncpg)."""
    return json.loads(value) if isinstance(value, str | bytes) else value


async def recent(member_id: int, count: int) -> tuple[HistoryLine, ...]:
    """The newest ``count`` lines in ONE query (the Mini App's card shows them each time);
    the same lines :func:`page` gives, without the page count."""
    rows = await sql.rows(connection(), _RECENT, member_id, count)
    return tuple(
        HistoryLine(
            kind=EntryKind(row["kind"]),
            points=int(row["points"]),
            balance_after=int(row["balance_after"]),
            created_at=sql.as_datetime(row["created_at"]),  # type: ignore[arg-type]
            reason=row["reason"],
            breakdown=_json(row["breakdown"]) or {},
            receipt_code=row["receipt_code"],
            amount_minor=row["amount_minor"],
            reward_names=_json(row["reward_names"]),
        )
        for row in rows
    )


def how(line: HistoryLine, language: str) -> str:
    """Why an earn line has its points ("¥128.50 × 1 × Gold 1.2"), from the structured
    breakdown stored with it; empty when there is none (older or other entries)."""
    if not line.breakdown.get("lines"):
        return ""
    try:
        return explain(PointsQuote.from_json(line.breakdown), language)
    except (KeyError, ValueError, TypeError):
        return ""


def bonus_kind(reason: str | None) -> str:
    """``birthday`` | ``referral`` | ``campaign`` | ``other``, from a bonus entry's reason."""
    head = (reason or "").split(":", 1)[0]
    return head if head in ("birthday", "referral", "campaign") else "other"
