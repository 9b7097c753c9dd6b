"""Reading a table a person exported from another system, within bounds.

A hostile or broken file must answer with a clear reason, never eat the machine: the
file's size, an XLSX's unpacked size (a zip "bomb"), the rows, the columns (a single cell
in column XFD makes every row 16,384 cells wide) and each cell's length are bounded
before or while reading, and reading stops at the first bound passed. Rows are yielded
one at a time as lists of text, the header first.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
MAX_ROWS = 250_000
"""Data rows (the header aside): a larger table is split into several files."""
MAX_COLUMNS = 64
MAX_CELL_CHARS = 4096
"""Longer cells are refused row by row by the importer (a giant one stops the file)."""


class FileError(Exception):
    """The file as a whole cannot be read (the importer exits 2); ``code`` is stable."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def rows(path: Path) -> Iterator[list[str]]:
    """The rows of ``path`` (XLSX by its suffix, else CSV), header first, within bounds."""
    if not path.is_file():
        raise FileError("not_found", f"no such file: {path}")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise FileError(
            "too_large", f"the file has {size:,} bytes; at most {MAX_FILE_BYTES:,} are read"
        )
    raw = _xlsx(path) if path.suffix.lower() == ".xlsx" else _csv(path)
    for count, cells in enumerate(raw):
        if count > MAX_ROWS:
            raise FileError(
                "too_many_rows", f"more than {MAX_ROWS:,} rows: split the file and import each"
            )
        if len(cells) > MAX_COLUMNS and any(c.strip() for c in cells[MAX_COLUMNS:]):
            raise FileError(
                "too_many_columns", f"line {count + 1} has cells past column {MAX_COLUMNS}"
            )
        yield cells[:MAX_COLUMNS]


ENCODINGS = ("utf_8", "gb18030")
"""What a shop's CSV is written in: UTF-8 (with or without a BOM) or GB18030, the
superset of GBK that Chinese Excel saves by default."""


def decode(data: bytes) -> str:
    """``data`` as text: UTF-8 when it is, else the encoding charset-normalizer finds
    most plausible among :data:`ENCODINGS` (a GBK file is also valid GB18030 bytes, and
    some text in other encodings happens to be too, so plausibility decides)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=list(ENCODINGS[1:]), threshold=0.3).best()
    if best is None:
        raise FileError(
            "unknown_encoding",
            "could not tell the text encoding (tried UTF-8, GBK/GB18030): in Excel use"
            ' Save As → "CSV UTF-8 (Comma delimited)", or save the sheet as .xlsx',
        )
    return str(best)


def _csv(path: Path) -> Iterator[list[str]]:
    text = decode(path.read_bytes())
    # csv's own field limit (131,072 characters, process-wide: never changed here) refuses
    # a giant cell; a long but smaller one is refused row by row by the importer
    try:
        yield from csv.reader(io.StringIO(text, newline=""))
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            limit = csv.field_size_limit()
            raise FileError("cell_too_long", f"a cell longer than {limit:,} characters") from None
        raise FileError("bad_csv", str(exc)) from None


def _xlsx(path: Path) -> Iterator[list[str]]:
    _check_unpacked(path)
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise FileError(
            "bad_xlsx", f"not a readable XLSX workbook ({type(exc).__name__})"
        ) from None
    try:
        sheet = book.worksheets[0]
        # the dimension the sheet declares ("A1:XFD300000") refuses a bomb before any row
        # is read; a missing or understated one is caught while reading, and only the
        # columns an import can use are ever materialized
        columns, rows = sheet.max_column or 0, sheet.max_row or 0
        if columns > MAX_COLUMNS:
            raise FileError(
                "too_many_columns",
                f"the sheet spans {columns:,} columns; at most {MAX_COLUMNS} are read"
                " (delete the columns after the last one you use)",
            )
        if rows > MAX_ROWS + 1:
            raise FileError(
                "too_many_rows", f"the sheet has {rows - 1:,} rows; at most {MAX_ROWS:,}"
            )
        for values in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
            cells = [_cell_text(value) for value in values]
            while cells and not cells[-1]:  # rows are padded to the widest one read
                cells.pop()
            yield cells
    finally:
        book.close()


def _check_unpacked(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        raise FileError("bad_xlsx", "not a readable XLSX workbook (not a zip archive)") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise FileError(
            "too_large",
            f"the workbook unpacks to {unpacked:,} bytes; at most {MAX_UNPACKED_BYTES:,}",
        )


def _cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a CSV would hold (dates as YYYY-MM-DD)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
