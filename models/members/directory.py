"""The console's member list: search, filters, sort and keyset pages (``/console/members``).

A :class:`Selection` says who (text, tier, last visit) and in what order; :func:`page`
answers a page of it and an opaque cursor for the next. Pages are keyset pages: each
continues after the last row of the previous one on the sort column's index
(``member (balance, id)``, ``(last_purchase_at, id)``, ``(first_name, id)``, the primary
key for "joined"), so page 2,000 of 100,000 members costs what page 1 does, and rows
added meanwhile never shift a page. A sort column that may be NULL (last purchase) is
read in two runs, rows with a value first, then the rest by id, each on its index (an
``ORDER BY col IS NULL`` would sort the whole table).

The text matches a member code (``K7QM4PXD``), an external id, a phone number (whole, or
its last digits) or every word of it a first or last name; that is one pass over the
table however it is sorted, cheap at a hundred thousand rows.

Filters this room cannot compute (RFM segments live in marketing, a room above) come in
as ``keep``: a coroutine that keeps some of a batch of rows. A page then examines at most
:data:`EXAMINE` rows and may come back short (even empty) with a cursor to go on from.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from models.codes import tokens
from models.members.membership import is_phone_text
from models.reports.query import Sql, as_int
from models.store import clock, days, sql

PAGE_SIZE = 50
MAX_PAGE = 200
EXAMINE = 2000
"""Rows one page may look at when a ``keep`` filter drops rows."""
MAX_WORDS = 4


class Sort(StrEnum):
    JOINED = "joined"
    NAME = "name"
    BALANCE = "balance"
    LAST_PURCHASE = "last_purchase"


_COLUMNS: dict[Sort, str] = {
    Sort.JOINED: "id",
    Sort.NAME: "first_name",
    Sort.BALANCE: "balance",
    Sort.LAST_PURCHASE: "last_purchase_at",
}
_NULLABLE = {Sort.LAST_PURCHASE}


class Visit(StrEnum):
    """The last-visit filter: bought within N days, not for N days (but before), never."""

    WITHIN = "within"
    OVER = "over"
    NEVER = "never"


@dataclass(frozen=True)
class Selection:
    text: str = ""
    tier: str | None = None
    visit: Visit | None = None
    visit_days: int = 30
    sort: Sort = Sort.JOINED
    descending: bool = True


@dataclass(frozen=True)
class Listed:
    """One row of the list."""

    id: int
    code: str
    name: str
    tier: str
    balance: int
    phone: str | None
    external_id: str | None
    created_at: datetime
    last_purchase_at: datetime | None


@dataclass(frozen=True)
class Page:
    items: tuple[Listed, ...]
    next: str | None


class InvalidCursor(ValueError):
    """A cursor this module did not make (or made for another sort)."""


Keep = Callable[[list[Listed]], Awaitable[list[Listed]]]

_SELECT = (
    "SELECT id, code, first_name, last_name, tier, balance, phone, external_id,"
    " created_at, last_purchase_at FROM member m"
)


def _like(q: Sql, column: str, word: str) -> str:
    """``column`` contains ``word``, ignoring case (LIKE's wildcards in it are literal)."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    operator = "LIKE" if q.sqlite else "ILIKE"  # SQLite's LIKE ignores ASCII case already
    return f"{column} {operator} {q.p(f'%{escaped}%')} ESCAPE '\\'"


def _text_condition(q: Sql, text: str) -> str:
    words = text.split()
    if not words:
        return ""
    alternatives = []
    code = tokens.normalize_code(text.strip())
    if code is not None:
        alternatives.append(f"m.code = {q.p(code.replace('-', ''))}")
    alternatives.append(f"m.external_id = {q.p(text.strip())}")
    if is_phone_text(text):
        digits = "".join(ch for ch in text if ch.isdigit())
        if digits:
            alternatives.append(f"m.phone = {q.p('+' + digits)}")
            alternatives.append(f"m.phone LIKE {q.p('%' + digits)}")
    else:
        names = [
            f"({_like(q, 'm.first_name', w)} OR {_like(q, 'm.last_name', w)})"
            for w in words[:MAX_WORDS]
        ]
        alternatives.append("(" + " AND ".join(names) + ")")
    return "(" + " OR ".join(alternatives) + ")"


def _filters(q: Sql, selection: Selection, now: datetime) -> list[str]:
    found = ["m.deleted_at IS NULL", "m.enrolled"]
    if text := _text_condition(q, selection.text):
        found.append(text)
    if selection.tier:
        found.append(f"m.tier = {q.p(selection.tier)}")
    since = now - timedelta(days=selection.visit_days)
    if selection.visit is Visit.WITHIN:
        found.append(f"m.last_purchase_at >= {q.p(since)}")
    elif selection.visit is Visit.OVER:
        found.append(f"m.last_purchase_at < {q.p(since)}")
    elif selection.visit is Visit.NEVER:
        found.append("m.last_purchase_at IS NULL")
    return found


def _encode(phase: int, value: Any, row_id: int) -> str:
    raw = json.dumps([phase, value, row_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str | None, sort: Sort) -> tuple[int, Any, int] | None:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        phase, value, row_id = json.loads(base64.urlsafe_b64decode(padded))
    except (ValueError, TypeError, binascii.Error):
        raise InvalidCursor(cursor) from None
    expected: tuple[type, ...] = {
        Sort.JOINED: (int,),
        Sort.NAME: (str,),
        Sort.BALANCE: (int,),
        Sort.LAST_PURCHASE: (str, type(None)),
    }[sort]
    if phase not in (0, 1) or not isinstance(row_id, int) or not isinstance(value, expected):
        raise InvalidCursor(cursor)
    if sort is Sort.LAST_PURCHASE and value is not None:
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise InvalidCursor(cursor) from None
        if not days.storable(value):
            raise InvalidCursor(cursor)
    return phase, value, row_id


def _row(r: dict[str, Any]) -> Listed:
    name = " ".join(x for x in (r["first_name"], r["last_name"]) if x) or str(r["code"])
    return Listed(
        id=as_int(r["id"]),
        code=str(r["code"]),
        name=name,
        tier=str(r["tier"]),
        balance=as_int(r["balance"]),
        phone=r["phone"],
        external_id=r["external_id"],
        created_at=sql.as_datetime(r["created_at"]),  # type: ignore[arg-type]
        last_purchase_at=sql.as_datetime(r["last_purchase_at"]),
    )


async def _batch(
    selection: Selection, after: tuple[int, Any, int] | None, size: int, now: datetime
) -> list[tuple[int, Listed, Any]]:
    """Up to ``size`` rows after ``after``, as (phase, row, sort value)."""
    sort, desc = selection.sort, selection.descending
    column = "m." + _COLUMNS[sort]
    direction, before = ("DESC", "<") if desc else ("ASC", ">")
    phase = after[0] if after else 0
    out: list[tuple[int, Listed, Any]] = []
    while phase < 2 and len(out) < size:
        q = Sql()
        where = _filters(q, selection, now)
        if sort is Sort.JOINED or phase == 1:
            order = f"m.id {direction}"
            if sort in _NULLABLE:
                where.append(f"{column} IS NULL")
            if after and after[0] == phase:
                where.append(f"m.id {before} {q.p(after[2])}")
        else:
            order = f"{column} {direction}, m.id {direction}"
            if sort in _NULLABLE:
                where.append(f"{column} IS NOT NULL")
            if after and after[0] == 0:
                value = after[1]
                where.append(
                    f"{column} {before}= {q.p(value)} AND ({column} {before} {q.p(value)}"
                    f" OR m.id {before} {q.p(after[2])})"
                )
        statement = (
            f"{_SELECT} WHERE {' AND '.join(where)} ORDER BY {order} LIMIT {int(size - len(out))}"
        )
        rows = await (
            sql.rows_planned_for_values(statement, q.values)  # "contains": trigram indexes
            if selection.text.strip()
            else q.rows(statement)
        )
        for r in rows:
            listed = _row(r)
            if sort is Sort.NAME:
                value: Any = str(r["first_name"])
            elif sort is Sort.JOINED or phase == 1:
                value = None if sort in _NULLABLE else listed.id
            else:
                value = _plain(listed, sort)
            out.append((phase, listed, value))
        if len(out) < size:
            phase, after = phase + 1, None
            if sort not in _NULLABLE:
                break
    return out


def _plain(row: Listed, sort: Sort) -> Any:
    if sort is Sort.BALANCE:
        return row.balance
    return row.last_purchase_at.isoformat() if row.last_purchase_at else None


async def page(
    selection: Selection,
    *,
    after: str | None = None,
    limit: int = PAGE_SIZE,
    keep: Keep | None = None,
) -> Page:
    """One page of ``selection`` after the cursor ``after`` (:class:`InvalidCursor` if it
    is not one of ours); ``next`` is None on the last page."""
    limit = max(1, min(int(limit), MAX_PAGE))
    position = _decode(after, selection.sort)
    now = clock.now()
    items: list[Listed] = []
    examined = 0
    while True:
        size = limit + 1 if keep is None else max(limit, 200)
        batch = await _batch(selection, position, size, now)
        if keep is None:
            items = [row for _, row, _ in batch[:limit]]
            last = batch[limit - 1] if len(batch) > limit else None
            return Page(tuple(items), _encode(*_cursor(last)) if last else None)
        kept = {row.id for row in await keep([row for _, row, _ in batch])}
        for entry in batch:
            examined += 1
            if entry[1].id in kept:
                items.append(entry[1])
            position = _cursor(entry)
            if len(items) == limit:
                more = entry is not batch[-1] or len(batch) == size
                return Page(tuple(items), _encode(*position) if more else None)
        if len(batch) < size:
            return Page(tuple(items), None)
        if examined >= EXAMINE:
            return Page(tuple(items), _encode(*position))


def _cursor(entry: tuple[int, Listed, Any]) -> tuple[int, Any, int]:
    phase, row, value = entry
    return phase, value, row.id


async def pages(
    selection: Selection, *, keep: Keep | None = None, size: int = 1000
) -> AsyncIterator[list[Listed]]:
    """The whole selection in batches, in its order (an export of what is on screen)."""
    position: tuple[int, Any, int] | None = None
    now = clock.now()
    while True:
        batch = await _batch(selection, position, size, now)
        if not batch:
            return
        rows = [row for _, row, _ in batch]
        yield await keep(rows) if keep is not None else rows
        if len(batch) < size:
            return
        position = _cursor(batch[-1])


def ids(rows: Sequence[Listed]) -> list[int]:
    return [row.id for row in rows]
