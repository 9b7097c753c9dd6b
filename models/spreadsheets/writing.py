"""The one writer of CSV and XLSX files (see the package docstring for the rules).

:func:`safe_cell` is the rule itself; :class:`CsvWriter` and :class:`XlsxWriter` apply it
to every cell, and :func:`csv_lines` does so for a CSV streamed in pieces (coupon lists
downloaded while they are read).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any, Protocol

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet reads as the start of a formula (OWASP, CSV injection)."""

CELL_MAX = 32_767
"""The most characters one spreadsheet cell holds (Excel's limit; LibreOffice's too)."""

_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 (so XLSX) cannot hold, and that no spreadsheet cell shows; CSV gets
the same treatment so the two formats of one export agree."""

REPLACEMENT = "\ufffd"

BOM = "\ufeff"


def safe_cell(value: Any) -> Any:
    """``value`` as it may stand in a spreadsheet cell.

    Numbers, dates and ``None`` pass as they are (a number is never a formula); text has
    illegal characters replaced, is cut to :data:`CELL_MAX`, and gets a leading ``'``
    when it starts like a formula, so ``=HYPERLINK(…)`` shows as text and runs nothing.
    """
    if not isinstance(value, str):
        return value
    text = _ILLEGAL.sub(REPLACEMENT, value)
    if text.startswith(FORMULA_STARTS):
        text = "'" + text
    return text[:CELL_MAX]


def safe_row(row: Iterable[Any]) -> list[Any]:
    return ["" if v is None else safe_cell(v) for v in row]


class SheetWriter(Protocol):
    def write(self, rows: Sequence[Sequence[Any]]) -> None: ...
    def close(self) -> None: ...


class CsvWriter:
    """A CSV file: UTF-8 with a BOM, every cell through :func:`safe_cell`."""

    def __init__(self, path: Path) -> None:
        self.file: IO[str] = path.open("w", encoding="utf-8-sig", newline="")
        self.csv = csv.writer(self.file)

    def write(self, rows: Sequence[Sequence[Any]]) -> None:
        self.csv.writerows(safe_row(row) for row in rows)

    def close(self) -> None:
        self.file.close()


class XlsxWriter:
    """An XLSX workbook of one sheet (openpyxl's write-only mode: one row in memory).

    Text is written as a string cell (``data_type = "s"``), so even a value that slipped
    past :func:`safe_cell` could never become a formula cell.
    """

    def __init__(self, path: Path, title: str) -> None:
        from openpyxl import Workbook

        self.path = path
        self.book = Workbook(write_only=True)
        self.sheet = self.book.create_sheet(title=_ILLEGAL.sub("", title)[:31] or "Sheet")

    def write(self, rows: Sequence[Sequence[Any]]) -> None:
        from openpyxl.cell import WriteOnlyCell

        for row in rows:
            cells = []
            for value in safe_row(row):
                cell = WriteOnlyCell(self.sheet, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"
                cells.append(cell)
            self.sheet.append(cells)

    def close(self) -> None:
        self.book.save(self.path)


def write_csv(path: Path, rows: Iterable[Sequence[Any]]) -> None:
    """A whole CSV file at once (small files: rejected import rows)."""
    writer = CsvWriter(path)
    try:
        writer.write(list(rows))
    finally:
        writer.close()


def csv_lines(rows: Iterable[Sequence[Any]], *, first: bool = False) -> str:
    """Rows as CSV text for a file sent in pieces; ``first`` starts it with the BOM."""
    out = io.StringIO()
    csv.writer(out).writerows(safe_row(row) for row in rows)
    return (BOM if first else "") + out.getvalue()
