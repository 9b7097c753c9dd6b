"""Exports re-read with csv and openpyxl hold exactly the rows of the data set."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from models.exports.datasets import ExportFormat, ExportKind, export, headers
from models.reports.periods import Period, parse_period
from models.store.tables import AuditLog
from tests.reports import dataset
from tests.reports.conftest import translator


async def test_ledger_csv_for_a_period(data: dataset.Chunk, tmp_path: Path) -> None:
    period = parse_period("30d", "Asia/Shanghai")
    assert isinstance(period, Period)
    t = translator("en")
    result = await export(
        ExportKind.LEDGER, tmp_path / "ledger.csv", fmt=ExportFormat.CSV, t=t, tz=period.tz,
        period=period, chunk_size=500, actor_telegram_id=42,
    )  # fmt: skip
    raw = result.path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM, so Excel reads UTF-8
    with result.path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == headers(ExportKind.LEDGER, t) and rows[0][1] == "Time"
    codes = {m[0]: m[1] for m in data.members}
    expected = sorted(
        (e for e in data.entries if period.start <= e[9] < period.end), key=lambda e: e[0]
    )
    assert result.rows == len(expected) == len(rows) - 1 > 500
    for row, e in zip(rows[1:], expected, strict=True):
        assert row[0] == str(e[0]) and row[2] == codes[e[1]]
        assert row[3] == t(f"reports-entry-{e[2]}")  # the reader's word, never "redeem"
        assert row[4] == str(e[3])
        assert row[1] == e[9].astimezone(period.tz).strftime("%Y-%m-%d %H:%M:%S")
    audit = await AuditLog.get(action="report.export")
    assert audit.actor_telegram_id == 42 and audit.details["rows"] == result.rows


async def test_members_xlsx_with_opt_in(data: dataset.Chunk, tmp_path: Path) -> None:
    t = translator("zh-Hans")
    period = parse_period("7d", "Asia/Shanghai")
    assert isinstance(period, Period)
    result = await export(
        ExportKind.MEMBERS, tmp_path / "members.xlsx", fmt=ExportFormat.XLSX, t=t,
        tz=period.tz, chunk_size=64,
    )  # fmt: skip
    sheet = load_workbook(result.path, read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1] == "会员号" and rows[0][9] == "接收营销"
    expected = [m for m in data.members if m[14] is None]
    assert result.rows == len(expected) == len(rows) - 1
    for row, m in zip(rows[1:], expected, strict=True):
        assert (row[0], row[1], row[8]) == (m[0], m[1], m[11])
        assert row[9] == ("是" if m[5] else "否")


async def test_purchases_xlsx_at_one_location(data: dataset.Chunk, tmp_path: Path) -> None:
    period = parse_period("30d", "Asia/Shanghai")
    assert isinstance(period, Period)
    result = await export(
        ExportKind.PURCHASES, tmp_path / "p.xlsx", fmt=ExportFormat.XLSX, t=translator("en"),
        tz=period.tz, period=period, location="south",
    )  # fmt: skip
    rows = list(load_workbook(result.path, read_only=True).active.iter_rows(values_only=True))
    expected = [p for p in data.purchases if period.start <= p[12] < period.end and p[7] == "south"]
    assert [r[0] for r in rows[1:]] == [p[0] for p in expected]
    assert [Decimal(str(r[5])) for r in rows[1:]] == [Decimal(p[4]) / 100 for p in expected]


async def test_vouchers_and_segments_csv(data: dataset.Chunk, tmp_path: Path) -> None:
    period = parse_period("30d", "Asia/Shanghai")
    assert isinstance(period, Period)
    t = translator("zh-Hans")
    vouchers = await export(
        ExportKind.VOUCHERS, tmp_path / "v.csv", fmt=ExportFormat.CSV, t=t, tz=period.tz,
        period=period, language="zh-Hans",
    )  # fmt: skip
    with vouchers.path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))[1:]
    expected = [v for v in data.vouchers if period.start <= v[7] < period.end]
    assert [(r[1], r[3], r[4]) for r in rows] == [
        (v[2], f"奖品{v[4]}", t(f"reports-voucher-{v[5]}")) for v in expected
    ]
    assert not {r[4] for r in rows} & {"issued", "redeemed", "expired", "voided"}
    seg = await export(
        ExportKind.SEGMENTS, tmp_path / "s.csv", fmt=ExportFormat.CSV, t=t, tz=period.tz
    )
    with seg.path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert seg.rows == sum(m[14] is None for m in data.members) == len(rows) - 1
    assert {r[-1] for r in rows[1:]} >= {"核心会员", "新会员"}


async def test_members_without_telegram_are_not_reachable(store: str, tmp_path: Path) -> None:
    from tests.store.helpers import member

    await member(telegram_id=None, first_name="Imported", reachable=True, enrolled=True)
    await member(telegram_id=5150, first_name="Chatting", reachable=True, enrolled=True)
    t = translator("en")
    result = await export(
        ExportKind.MEMBERS, tmp_path / "members.csv", fmt=ExportFormat.CSV, t=t,
        tz=ZoneInfo("Asia/Shanghai"),
    )  # fmt: skip
    with result.path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    reachable = {r["First name"]: r["Reachable"] for r in rows}
    assert reachable == {"Imported": "no", "Chatting": "yes"}
