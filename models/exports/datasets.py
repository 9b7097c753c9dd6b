"""Exports for owners: ledger, purchases, members, vouchers and segments as CSV or XLSX.

Rows are read in keyset pages (``id > last ORDER BY id LIMIT 5000``) and written page by
page, so an export of a million rows holds one page in memory: CSV is UTF-8 with a BOM
(Excel opens it with the right encoding), XLSX uses openpyxl's write-only workbook. The
file writing runs in a thread so the event loop stays free. Headers and yes/no are
localized through the ``t(key, **args)`` translator; times are local to ``tz`` and
money is in major units (``128.50``). Every export leaves an audit row.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from models.ledger import rule_versions, tiers
from models.ledger.config import Currency
from models.marketing.segments import SEGMENT_KEYS, iter_segments
from models.reports.periods import Period
from models.reports.query import Sql, as_int
from models.spreadsheets.writing import CsvWriter, SheetWriter, XlsxWriter
from models.store import audit
from models.store.tables import EntryKind, VoucherStatus

CHUNK_SIZE = 5000
LOCALE_KEYS = (
    *(f"reports-entry-{kind.value}" for kind in EntryKind),
    *(f"reports-voucher-{status.value}" for status in VoucherStatus),
)
"""Every key a cell builds from a stored value (``tests/test_runtime_locale_keys.py``)."""

Translator = Callable[..., str]


class ExportKind(StrEnum):
    LEDGER = "ledger"
    PURCHASES = "purchases"
    MEMBERS = "members"
    VOUCHERS = "vouchers"
    SEGMENTS = "segments"


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


@dataclass(frozen=True)
class Exported:
    path: Path
    rows: int
    kind: ExportKind
    format: ExportFormat


@dataclass(frozen=True)
class Col:
    """One column: its header's locale key, its SQL expression and how to present it."""

    key: str
    sql: str
    kind: str = "text"  # text | int | money | time | bool | names | entry | status | tier


@dataclass(frozen=True)
class Source:
    """A table to page through: columns, FROM clause, id column, and the period's column."""

    cols: tuple[Col, ...]
    source: str
    id: str
    time: str | None
    location: str | None = None
    where: str = ""


SOURCES: dict[ExportKind, Source] = {
    ExportKind.LEDGER: Source(
        cols=(
            Col("reports-col-id", "e.id", "int"),
            Col("reports-col-time", "e.created_at", "time"),
            Col("reports-col-member", "m.code"),
            Col("reports-col-kind", "e.kind", "entry"),
            Col("reports-col-points", "e.points", "int"),
            Col("reports-col-balance", "e.balance_after", "int"),
            Col("reports-col-receipt", "p.receipt_code"),
            Col("reports-col-voucher", "v.code"),
            Col("reports-col-reason", "e.reason"),
            Col("reports-col-channel", "e.channel"),
        ),
        source="ledger_entry e JOIN member m ON m.id = e.member_id"
        " LEFT JOIN purchase p ON p.id = e.purchase_id LEFT JOIN voucher v ON v.id = e.voucher_id",
        id="e.id",
        time="e.created_at",
    ),
    ExportKind.PURCHASES: Source(
        cols=(
            Col("reports-col-id", "p.id", "int"),
            Col("reports-col-time", "p.created_at", "time"),
            Col("reports-col-member", "m.code"),
            Col("reports-col-receipt", "p.receipt_code"),
            Col("reports-col-order", "p.order_id"),
            Col("reports-col-amount", "p.amount_minor", "money"),
            Col("reports-col-refunded", "p.refunded_minor", "money"),
            Col("reports-col-currency", "p.currency"),
            Col("reports-col-category", "p.category"),
            Col("reports-col-location", "p.location"),
            Col("reports-col-channel", "p.channel"),
            Col("reports-col-points", "p.points_awarded", "int"),
            Col("reports-col-points-reversed", "p.points_reversed", "int"),
        ),
        source="purchase p JOIN member m ON m.id = p.member_id",
        id="p.id",
        time="p.created_at",
        location="p.location",
    ),
    ExportKind.MEMBERS: Source(
        cols=(
            Col("reports-col-id", "m.id", "int"),
            Col("reports-col-member", "m.code"),
            Col("reports-col-first-name", "m.first_name"),
            Col("reports-col-last-name", "m.last_name"),
            Col("reports-col-username", "m.username"),
            Col("reports-col-phone", "m.phone"),
            Col("reports-col-language", "m.language"),
            Col("reports-col-tier", "m.tier", "tier"),
            Col("reports-col-balance", "m.balance", "int"),
            Col("reports-col-opt-in", "m.marketing_opt_in", "bool"),
            Col("reports-col-reachable", "(m.reachable AND m.telegram_id IS NOT NULL)", "bool"),
            Col("reports-col-joined", "m.created_at", "time"),
            Col("reports-col-last-purchase", "m.last_purchase_at", "time"),
        ),
        source="member m",
        id="m.id",
        time="m.created_at",
        where="m.deleted_at IS NULL AND m.enrolled",  # members, not staff
    ),
    ExportKind.VOUCHERS: Source(
        cols=(
            Col("reports-col-id", "v.id", "int"),
            Col("reports-col-voucher", "v.code"),
            Col("reports-col-member", "m.code"),
            Col("reports-col-reward", "r.names", "names"),
            Col("reports-col-status", "v.status", "status"),
            Col("reports-col-points", "v.cost_points", "int"),
            Col("reports-col-issued", "v.issued_at", "time"),
            Col("reports-col-valid-until", "v.valid_until", "time"),
            Col("reports-col-redeemed", "v.redeemed_at", "time"),
            Col("reports-col-location", "v.redeemed_location"),
        ),
        source="voucher v JOIN member m ON m.id = v.member_id"
        " LEFT JOIN reward r ON r.id = v.reward_id",
        id="v.id",
        time="v.issued_at",
        location="v.redeemed_location",
    ),
}

SEGMENT_COLS = (
    "reports-col-member",
    "reports-col-name",
    "reports-col-language",
    "reports-col-opt-in",
    "reports-col-purchases",
    "reports-col-spend",
    "reports-col-last-purchase",
    "reports-col-recency",
    "reports-col-frequency",
    "reports-col-monetary",
    "reports-col-segment",
)


@dataclass(frozen=True)
class _Presenter:
    """Turns database values into cell values (local naive times, major-unit money)."""

    t: Translator
    tz: ZoneInfo
    currency: Currency
    language: str
    tier_names: dict[str, str]

    def time(self, value: Any) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            value = datetime.fromisoformat(str(value))
        return value.astimezone(self.tz).replace(tzinfo=None, microsecond=0)

    def money(self, minor: Any) -> Decimal:
        return Decimal(as_int(minor)).scaleb(-self.currency.exponent)

    def yes_no(self, value: Any) -> str:
        return self.t("reports-export-yes") if value else self.t("reports-export-no")

    def names(self, value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, str):
            value = json.loads(value)
        return value.get(self.language) or value.get("en") or next(iter(value.values()), "")

    def cell(self, value: Any, kind: str) -> Any:
        if kind == "time":
            return self.time(value)
        if kind == "money":
            return self.money(value)
        if kind == "bool":
            return self.yes_no(value)
        if kind == "names":
            return self.names(value)
        if kind == "int":
            return None if value is None else int(value)
        if value is None:
            return value
        if kind == "entry":  # stored enum values are shown in the reader's words
            return self.t(f"reports-entry-{value}")
        if kind == "status":
            return self.t(f"reports-voucher-{value}")
        if kind == "tier":
            return self.tier_names.get(value, value)
        return value


def headers(kind: ExportKind, t: Translator) -> list[str]:
    keys = SEGMENT_COLS if kind is ExportKind.SEGMENTS else [c.key for c in SOURCES[kind].cols]
    return [t(key) for key in keys]


async def _table_pages(
    spec: Source, show: _Presenter, period: Period | None, location: str | None, size: int
) -> AsyncIterator[list[list[Any]]]:
    after = 0
    while True:
        q = Sql()
        conditions = [f"{spec.id} > {q.p(after)}"]
        if spec.where:
            conditions.append(spec.where)
        if period is not None and spec.time:
            # SQLite: "+col" keeps the planner on the id order instead of the time index.
            column = f"+{spec.time}" if q.sqlite else spec.time
            conditions.append(q.between(column, period.start, period.end))
        if location is not None and spec.location:
            conditions.append(f"{spec.location} = {q.p(location)}")
        cols = ", ".join(f"{c.sql} AS c{i}" for i, c in enumerate(spec.cols))
        rows = await q.rows(
            f"SELECT {cols} FROM {spec.source} WHERE {' AND '.join(conditions)}"
            f" ORDER BY {spec.id} LIMIT {int(size)}"
        )
        if not rows:
            return
        after = as_int(rows[-1]["c0"])
        yield [[show.cell(r[f"c{i}"], c.kind) for i, c in enumerate(spec.cols)] for r in rows]


async def _segment_pages(show: _Presenter, size: int) -> AsyncIterator[list[list[Any]]]:
    async for page in iter_segments(chunk_size=size):
        yield [
            [
                s.code,
                s.name,
                s.language,
                show.yes_no(s.marketing_opt_in),
                s.purchases,
                show.money(s.spend_minor),
                show.time(s.last_purchase_at),
                s.recency,
                s.frequency,
                s.monetary,
                show.t(SEGMENT_KEYS[s.segment]),
            ]
            for s in page
        ]


async def iter_rows(
    kind: ExportKind,
    *,
    t: Translator,
    tz: ZoneInfo,
    period: Period | None = None,
    location: str | None = None,
    currency: Currency | None = None,
    language: str = "en",
    chunk_size: int = CHUNK_SIZE,
) -> AsyncIterator[list[list[Any]]]:
    """Pages of presented rows (without the header). ``period`` filters by the row's own
    time (entry, purchase, join or voucher issue); segments ignore it (they are "now")."""
    rules = (await rule_versions.current())[1]
    names = {lvl.key: tiers.tier_name(lvl, language) for lvl in rules.tiers.levels}
    show = _Presenter(t, tz, currency or Currency(), language, names)
    if kind is ExportKind.SEGMENTS:
        pages = _segment_pages(show, chunk_size)
    else:
        pages = _table_pages(SOURCES[kind], show, period, location, chunk_size)
    async for page in pages:
        yield page


async def export(
    kind: ExportKind,
    path: Path,
    *,
    fmt: ExportFormat,
    t: Translator,
    tz: ZoneInfo,
    period: Period | None = None,
    location: str | None = None,
    currency: Currency | None = None,
    language: str = "en",
    actor_telegram_id: int | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> Exported:
    """Write the export to ``path`` page by page; return where and how many rows."""
    pages = iter_rows(
        kind,
        t=t,
        tz=tz,
        period=period,
        location=location,
        currency=currency,
        language=language,
        chunk_size=chunk_size,
    )
    count = await _write(kind, path, fmt, t, pages)
    await audit.record(
        "report.export",
        actor_telegram_id=actor_telegram_id,
        actor_kind="telegram" if actor_telegram_id is not None else "system",
        target=kind.value,
        details={
            "format": fmt.value,
            "rows": count,
            "period": period.label if period else None,
            "location": location,
        },
    )
    return Exported(path=path, rows=count, kind=kind, format=fmt)


async def _write(
    kind: ExportKind,
    path: Path,
    fmt: ExportFormat,
    t: Translator,
    pages: AsyncIterator[list[list[Any]]],
) -> int:
    """The header and then every page through the one safe writer; rows written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    writer: SheetWriter = (
        CsvWriter(path) if fmt is ExportFormat.CSV else XlsxWriter(path, kind.value)
    )
    count = 0
    try:
        await asyncio.to_thread(writer.write, [headers(kind, t)])
        async for page in pages:
            await asyncio.to_thread(writer.write, page)
            count += len(page)
    finally:
        await asyncio.to_thread(writer.close)
    return count


async def export_members(
    batches: AsyncIterator[Sequence[int]],
    path: Path,
    *,
    fmt: ExportFormat,
    t: Translator,
    tz: ZoneInfo,
    language: str = "en",
    actor_telegram_id: int | None,
    actor_kind: str,
    selection: dict[str, Any],
) -> Exported:
    """The members export's columns for a chosen list of members (the console's current
    selection, in its order), written by the same writer; audited with the selection."""
    rules = (await rule_versions.current())[1]
    names = {lvl.key: tiers.tier_name(lvl, language) for lvl in rules.tiers.levels}
    show = _Presenter(t, tz, rules.currency, language, names)
    spec = SOURCES[ExportKind.MEMBERS]

    async def pages() -> AsyncIterator[list[list[Any]]]:
        async for ids in batches:
            if not ids:
                continue
            q = Sql()
            cols = ", ".join(f"{c.sql} AS c{i}" for i, c in enumerate(spec.cols))
            marks = ", ".join(q.p(int(i)) for i in ids)
            rows = await q.rows(f"SELECT {cols} FROM {spec.source} WHERE {spec.id} IN ({marks})")
            by_id = {as_int(r["c0"]): r for r in rows}
            yield [
                [show.cell(by_id[i][f"c{n}"], c.kind) for n, c in enumerate(spec.cols)]
                for i in ids
                if i in by_id
            ]

    count = await _write(ExportKind.MEMBERS, path, fmt, t, pages())
    await audit.record(
        "report.export",
        actor_telegram_id=actor_telegram_id,
        actor_kind=actor_kind,
        target=ExportKind.MEMBERS.value,
        details={"format": fmt.value, "rows": count, "selection": selection},
    )
    return Exported(path=path, rows=count, kind=ExportKind.MEMBERS, format=fmt)
