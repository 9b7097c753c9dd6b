"""Reading a member file (CSV or XLSX) and checking each row on its own (no database).

The header names the columns (any order); ``external_id`` is required, the others are
optional, an unknown column stops the import (a typo would otherwise drop data
silently). Line numbers count the header as line 1, as a spreadsheet shows them. Every
refusal has a stable ``code`` and an English ``message``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from models.members import membership, phones
from models.spreadsheets import reading
from models.spreadsheets.reading import FileError
from models.spreadsheets.writing import write_csv

COLUMNS = (
    "external_id",
    "phone",
    "name",
    "language",
    "birthday",
    "tier",
    "points",
    "points_expire_on",
    "joined_on",
)
LANGUAGES = ("en", "zh-Hans")
MAX_EXTERNAL_ID = 64
MAX_NAME = 128
MAX_POINTS = 1_000_000_000
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
"""C0 and C1 control characters (tab and newline too: no column holds them)."""


@dataclass(frozen=True)
class Rejection:
    line: int
    code: str
    message: str
    cells: dict[str, str]


@dataclass
class MemberRow:
    """A row that passed its own checks; ``None`` means "not given" (left unchanged)."""

    line: int
    external_id: str
    phone: str | None
    name: str | None
    language: str | None
    birthday: date | None
    tier: str | None
    points: int
    points_expire_on: date | None
    joined_on: date | None
    cells: dict[str, str]


REJECTED_COLUMNS = ("line", "error_code", "error")
"""What the rejected-rows file adds to a row: ignored, so it can be corrected and imported."""


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]
    """``(line, cells)`` of every non-blank row."""
    ignored: tuple[str, ...] = ()
    """Columns jifen does not know, left out (``--strict`` refuses the file instead)."""
    repeated: tuple[tuple[int, int], ...] = ()
    """``(line, first line)`` of rows that repeat an earlier row exactly: imported once."""


def read(path: Path, *, strict: bool = False) -> Table:
    """The header and rows of ``path`` (``.xlsx`` by its suffix, else CSV)."""
    raw = reading.rows(path)
    try:
        header = [cell.strip() for cell in next(raw)]
    except StopIteration:
        raise FileError("empty", "the file has no header row") from None
    ignored = _check_header(header, strict=strict)
    rows: list[tuple[int, dict[str, str]]] = []
    seen: dict[tuple[str, ...], int] = {}
    repeated: list[tuple[int, int]] = []
    for line, cells in enumerate(raw, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
            extra = {"": ",".join(cells)}
            rows.append((line, {**dict.fromkeys(header, ""), **extra}))
            continue
        known = tuple(
            cells[i].strip() if i < len(cells) else "" for i, n in enumerate(header) if n in COLUMNS
        )
        if known in seen:
            repeated.append((line, seen[known]))
            continue
        seen[known] = line
        rows.append(
            (line, {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header)})
        )
    return Table(header, rows, ignored, tuple(repeated))


def _check_header(header: list[str], *, strict: bool) -> tuple[str, ...]:
    """The columns to ignore; a header that cannot be read at all is a :class:`FileError`."""
    unnamed = [str(i) for i, name in enumerate(header, start=1) if not name]
    unknown = [name for name in header if name and name not in COLUMNS]
    if strict:
        unknown = [name for name in unknown if name not in REJECTED_COLUMNS]
        if unnamed or unknown:
            named = [*unknown, *(f"#{i}" for i in unnamed)]
            raise FileError(
                "unknown_columns",
                f"unknown column(s): {', '.join(named)}; known: {', '.join(COLUMNS)}",
            )
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    if repeated:
        raise FileError("duplicate_columns", "column(s) given twice: " + ", ".join(repeated))
    if "external_id" not in header:
        raise FileError(
            "missing_column",
            f"the external_id column is required; known columns: {', '.join(COLUMNS)}",
        )
    return tuple(n for n in unknown if n not in REJECTED_COLUMNS) + tuple(f"#{i}" for i in unnamed)


# ---- one row -------------------------------------------------------------------------


class _Bad(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(code)
        self.code, self.message = code, message


_DATE = re.compile(r"^([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})$")
"""A date as people type it and as the bot reads it: ``1990-03-07``, ``1990/3/7``, ``1990.3.7``."""


def parse_date(text: str, name: str) -> date:
    match = _DATE.match(text)
    if match is None:
        raise _Bad(f"invalid_{name}", f"{name} must be a date like 1990-03-07, got {text!r}")
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        raise _Bad(f"invalid_{name}", f"{name}: {text} is not a date that exists") from None


def check(
    line: int, cells: dict[str, str], *, default_country: str, tiers: tuple[str, ...], today: date
) -> MemberRow | Rejection:
    """Everything about one row that needs no database; every problem of the row is
    reported, not only the first."""
    if "" in cells:
        bad = _Bad("too_many_cells", "the row has more cells than the header")
        return Rejection(line, bad.code, bad.message, cells)
    problems: list[_Bad] = []

    def field(name: str, parse: Callable[[str], Any]) -> Any:
        text = cells.get(name, "").strip()
        if not text:
            return None
        try:
            return parse(text)
        except _Bad as bad:
            problems.append(bad)
            return None

    for column in COLUMNS:
        text = cells.get(column, "")
        if _CONTROL.search(text):  # NUL would kill a PostgreSQL insert; none belongs here
            problems.append(_Bad("control_character", f"{column} holds a control character"))
        elif len(text) > reading.MAX_CELL_CHARS:
            problems.append(
                _Bad("cell_too_long", f"{column} is longer than {reading.MAX_CELL_CHARS:,}")
            )
    if problems:  # nothing else is worth reading in such a row
        return _rejected(line, problems, cells)
    external_id = field("external_id", _external_id)
    if external_id is None and not problems:
        problems.append(_Bad("missing_external_id", "external_id is empty"))
    phone = field("phone", lambda text: _phone(text, default_country))
    name = field("name", _name)
    language = field("language", _language)
    birthday = field("birthday", lambda text: _birthday(text, today))
    tier = field("tier", lambda text: _tier(text, tiers))
    points = field("points", _points) or 0
    expire_on = field("points_expire_on", lambda text: parse_date(text, "points_expire_on"))
    if expire_on is not None and points and expire_on <= today:
        problems.append(
            _Bad("points_expired", f"points_expire_on {expire_on} is not in the future")
        )
    joined_on = field("joined_on", lambda text: parse_date(text, "joined_on"))
    if joined_on is not None and joined_on > today:
        problems.append(_Bad("invalid_joined_on", f"joined_on {joined_on} is in the future"))
    if problems:
        return _rejected(line, problems, cells)
    return MemberRow(
        line=line,
        external_id=external_id,
        phone=phone,
        name=name,
        language=language,
        birthday=birthday,
        tier=tier,
        points=points,
        points_expire_on=expire_on,
        joined_on=joined_on,
        cells=cells,
    )


def _rejected(line: int, problems: list[_Bad], cells: dict[str, str]) -> Rejection:
    return Rejection(
        line,
        ",".join(p.code for p in problems),
        "; ".join(p.message for p in problems),
        cells,
    )


def _external_id(text: str) -> str:
    if len(text) > MAX_EXTERNAL_ID:
        raise _Bad("invalid_external_id", f"external_id is longer than {MAX_EXTERNAL_ID}")
    return text


def _phone(text: str, country: str) -> str:
    phone = phones.normalize(text, country)
    if phone is None:
        international = text.startswith(("+", "00"))  # judged by its own country code
        where = "" if international else f" for {country}"
        raise _Bad("invalid_phone", f"not a valid phone number{where}: {text!r}")
    return phone


def _name(text: str) -> str:
    if len(text) > MAX_NAME:
        raise _Bad("invalid_name", f"name is longer than {MAX_NAME}")
    return text


def _language(text: str) -> str:
    if text not in LANGUAGES:
        raise _Bad("invalid_language", f"language must be en or zh-Hans, got {text!r}")
    return text


def _birthday(text: str, today: date) -> date:
    if _DATE.match(text):
        parse_date(text, "birthday")  # a date that does not exist says so
    parsed = membership.parse_birthday(text, today)
    if not isinstance(parsed, date):
        raise _Bad("invalid_birthday", f"birthday must be a past date like 1990-03-07: {text!r}")
    return parsed


def _tier(text: str, tiers: tuple[str, ...]) -> str:
    if text not in tiers:
        raise _Bad("unknown_tier", f"tier {text!r} is not one of {', '.join(tiers)}")
    return text


def _points(text: str) -> int:
    if not text.isascii() or not text.isdigit():
        raise _Bad("invalid_points", f"points must be a whole number >= 0: {text!r}")
    if int(text) > MAX_POINTS:
        raise _Bad("invalid_points", f"points above {MAX_POINTS}")
    return int(text)


def duplicates(rows: list[MemberRow]) -> tuple[list[MemberRow], list[Rejection]]:
    """Rows sharing an external_id or a phone with another row: all of them are refused."""
    seen: dict[tuple[str, str], list[int]] = {}
    for i, row in enumerate(rows):
        seen.setdefault(("external_id", row.external_id), []).append(i)
        if row.phone is not None:
            seen.setdefault(("phone", row.phone), []).append(i)
    bad: dict[int, Rejection] = {}
    for (column, _), indexes in seen.items():
        if len(indexes) < 2:
            continue
        lines = [rows[i].line for i in indexes]
        for i in indexes:
            if i in bad:
                continue
            others = ", ".join(str(n) for n in lines if n != rows[i].line)
            bad[i] = Rejection(
                rows[i].line,
                f"duplicate_{column}",
                f"the same {column} is also on line {others}",
                rows[i].cells,
            )
    good = [row for i, row in enumerate(rows) if i not in bad]
    return good, sorted(bad.values(), key=lambda r: r.line)


def write_rejected(path: Path, header: list[str], rejected: list[Rejection]) -> None:
    """``rejected`` rows as a CSV with the original columns plus line, code and reason,
    through the safe writer (a cell like ``=1+1`` is copied as text, never as a formula)."""
    header = [name for name in header if name not in REJECTED_COLUMNS]  # a corrected re-run
    lines = [[*header, *REJECTED_COLUMNS]]
    for r in sorted(rejected, key=lambda r: r.line):
        row = [r.cells.get(name, "") for name in header]
        if "" in r.cells:
            row = [r.cells[""]] + [""] * (len(header) - 1)
        lines.append([*row, r.line, r.code, r.message])
    write_csv(path, lines)
