"""Spreadsheet safety: every file jifen writes opens, and no cell of it runs as a formula.

Hostile cells (formulas, NUL and other control characters, a 10 MB text) reach every
export through the store and the rejected-rows file through an import; each result is
opened with openpyxl and the csv module. Hostile files given to the importer are refused
with a reason, quickly and without eating the machine.
"""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from models import importing
from models.exports.datasets import ExportFormat, ExportKind, export
from models.reports.periods import Period, parse_period
from models.spreadsheets import reading
from models.spreadsheets.writing import CELL_MAX, FORMULA_STARTS, csv_lines, safe_cell
from models.store import clock
from models.store.tables import EntryKind, LedgerEntry, Member, Purchase
from tests.reports.conftest import translator
from tests.store.helpers import member, rules

NOW = datetime(2026, 12, 1, 4, 0, tzinfo=UTC)

FORMULAS = (
    '=HYPERLINK("http://evil.example","click")',
    "=1+1",
    "=cmd|' /C calc'!A0",
    "@SUM(A1)",
    "+1+1",
    "-2+3",
    "\t=1",
    "\r=1",
)
CONTROLS = "bell\x07 escape\x1b start\x01 del\x7f"
NUL = "nul\x00here"
HUGE = "x" * (10 * 1024 * 1024)


def hostile_texts(dialect: str) -> list[str]:
    """What a person could put into a text column (PostgreSQL refuses NUL in text)."""
    return [*FORMULAS, CONTROLS, *([NUL] if dialect == "sqlite" else [])]


@pytest.fixture(autouse=True)
def _frozen() -> None:
    clock.freeze(NOW)


def _assert_csv_safe(path: Path) -> list[list[str]]:
    assert path.read_bytes().startswith(b"\xef\xbb\xbf"), "UTF-8 with a BOM"
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS), cell[:80]
            assert "\x00" not in cell and len(cell) <= CELL_MAX
    return rows


def _assert_xlsx_safe(path: Path) -> list[tuple[Any, ...]]:
    book = load_workbook(path)  # not read-only: every cell with its data type
    rows = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"formula cell {cell.coordinate}: {cell.value!r}"
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(FORMULA_STARTS), cell.value[:80]
            rows.append(tuple(c.value for c in row))
    return rows


async def _seed_hostile(dialect: str) -> None:
    texts = hostile_texts(dialect)
    for i, text in enumerate(texts):
        m = await member(
            telegram_id=9000 + i,
            first_name=text[:128],
            last_name=text[:128],
            username=text[:64],
            phone=None,
            balance=10,
        )
        purchase = await Purchase.create(
            member=m,
            idempotency_key=f"hostile-{i}",
            receipt_code=f"R{i:07d}",
            amount_minor=1000,
            currency="CNY",
            category=text[:64],
            location=text[:64],
            points_awarded=10,
            created_at=NOW,
        )
        await LedgerEntry.create(
            member=m,
            kind=EntryKind.EARN,
            points=10,
            balance_after=10,
            purchase=purchase,
            reason=HUGE if i == 0 else text,
            channel="telegram",
            created_at=NOW,
        )


@pytest.mark.parametrize("fmt", list(ExportFormat))
@pytest.mark.parametrize("kind", list(ExportKind))
async def test_every_export_is_safe(
    store: str, tmp_path: Path, kind: ExportKind, fmt: ExportFormat
) -> None:
    await _seed_hostile(store)
    period = parse_period("30d", "Asia/Shanghai")
    assert isinstance(period, Period)
    result = await export(
        kind,
        tmp_path / f"{kind.value}.{fmt.value}",
        fmt=fmt,
        t=translator("en"),
        tz=period.tz,
        period=period,
    )
    rows = (
        _assert_csv_safe(result.path) if fmt is ExportFormat.CSV else _assert_xlsx_safe(result.path)
    )
    assert len(rows) == result.rows + 1
    if kind is ExportKind.MEMBERS:  # the formula is kept, as text a person can read
        shown = {str(cell) for row in rows for cell in row}
        assert '\'=HYPERLINK("http://evil.example","click")' in shown
    if kind is ExportKind.LEDGER:
        assert any(isinstance(c, str) and len(c) == CELL_MAX for row in rows for c in row)


async def test_rejected_rows_file_is_safe(store: str, tmp_path: Path) -> None:
    header = "external_id,phone,name,language"
    lines = [header]
    for i, text in enumerate([*FORMULAS, CONTROLS, NUL]):
        cell = text.replace('"', '""')
        lines.append(f'"{cell}",bad-phone-{i},"{cell}",xx')
    source = tmp_path / "members.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = await importing.import_members(
        source,
        rules=rules(),
        default_country="CN",
        timezone="Asia/Shanghai",
        now=NOW,
        dry_run=False,
    )
    assert report.rejected_file is not None
    assert len(report.rejections) == len(lines) - 1
    rows = _assert_csv_safe(report.rejected_file)
    assert rows[1][0] == "'" + FORMULAS[0]  # copied, as text
    assert await Member.all().count() == 0


async def test_control_characters_reject_the_row_not_the_import(store: str, tmp_path: Path) -> None:
    source = tmp_path / "members.csv"
    source.write_text(
        "external_id,name\nok-1,Ann\nnul-1,Bad\x00Name\nbell-1,Ring\x07\nok-2,Ben\n",
        encoding="utf-8",
    )
    report = await importing.import_members(
        source, rules=rules(), default_country="CN", timezone="Asia/Shanghai", now=NOW
    )
    assert [(r.line, r.code) for r in report.rejections] == [
        (3, "control_character"),
        (4, "control_character"),
    ]
    assert sorted(await Member.all().values_list("external_id", flat=True)) == ["ok-1", "ok-2"]


def _xlsx(path: Path, cells: dict[tuple[int, int], Any]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.cell(row=1, column=1, value="external_id")
    for (row, column), value in cells.items():
        sheet.cell(row=row, column=column, value=value)
    book.save(path)
    return path


@pytest.mark.parametrize(
    ("cells", "code"),
    [
        ({(2, 1): "a", (2, 16384): "far"}, "too_many_columns"),  # a cell in column XFD
        ({(2, 1): "a", (300_001, 1): "far"}, "too_many_rows"),
    ],
)
def test_an_xlsx_bomb_is_refused_before_its_rows_are_read(
    tmp_path: Path, cells: dict[tuple[int, int], Any], code: str
) -> None:
    path = _xlsx(tmp_path / "bomb.xlsx", cells)
    started = datetime.now(UTC)
    with pytest.raises(reading.FileError) as refused:
        list(reading.rows(path))
    assert refused.value.code == code
    assert (datetime.now(UTC) - started).total_seconds() < 5


def test_a_zip_bomb_is_refused_by_its_unpacked_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _xlsx(tmp_path / "big.xlsx", {(2, 1): "a"})
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/padding.bin", b"\0" * (2 * 1024 * 1024))
    monkeypatch.setattr(reading, "MAX_UNPACKED_BYTES", 1024 * 1024)
    with pytest.raises(reading.FileError) as refused:
        list(reading.rows(path))
    assert refused.value.code == "too_large"


def test_csv_bounds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    huge = tmp_path / "huge-cell.csv"
    huge.write_text(f"external_id,name\na,{HUGE}\n", encoding="utf-8")
    with pytest.raises(reading.FileError) as refused:
        list(reading.rows(huge))
    assert refused.value.code == "cell_too_long"
    monkeypatch.setattr(reading, "MAX_ROWS", 3)
    many = tmp_path / "many.csv"
    many.write_text("external_id\n" + "".join(f"m{i}\n" for i in range(5)), encoding="utf-8")
    with pytest.raises(reading.FileError) as refused:
        list(reading.rows(many))
    assert refused.value.code == "too_many_rows"
    monkeypatch.setattr(reading, "MAX_FILE_BYTES", 10)
    with pytest.raises(reading.FileError) as refused:
        list(reading.rows(many))
    assert refused.value.code == "too_large"


def _texts() -> Iterator[str]:
    yield from FORMULAS
    yield from (CONTROLS, NUL, HUGE, "plain", "negative -1 inside", "")


@pytest.mark.parametrize("text", list(_texts()), ids=lambda t: repr(t[:12]))
def test_the_cell_rule(text: str) -> None:
    cell = safe_cell(text)
    assert not cell.startswith(FORMULA_STARTS) and len(cell) <= CELL_MAX
    assert "\x00" not in cell and "\x07" not in cell
    if text and text[0] not in "\t\r" and text.isprintable() and len(text) < CELL_MAX:
        assert cell.lstrip("'") == text  # nothing else changes
    assert safe_cell(-5) == -5 and safe_cell(None) is None  # numbers are never formulas
    line = next(csv.reader([csv_lines([[text[:100]]]).rstrip("\r\n")]))
    assert not line[0].startswith(FORMULA_STARTS)
