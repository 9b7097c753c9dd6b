"""Reading a member file (CSV or XLSX) and checking each row on its own (no database).

The header names the columns (any order); ``external_id`` is required, the others are
optional, an unknown column stops the import (a typo would otherwise drop data
silently). Line numbers count the header as line 1, as a spreadsheet shows them. Every
refusal has a stable ``code`` and an English ``message``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

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


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]
    """``(line, cells)`` of every non-blank row."""


def read(path: Path) -> Table:
    """The header and rows of ``path`` (``.xlsx`` by its suffix, else UTF-8 CSV)."""
    raw = reading.rows(path)
    try:
        header = [cell.strip() for cell in next(raw)]
    except StopIteration:
        raise FileError("empty", "the file has no header row") from None
    _check_header(header)
    rows: list[tuple[int, dict[str, str]]] = []
    for line, cells in enumerate(raw, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
            extra = {"": ",".join(cells)}
            rows.append((line, {**dict.fromkeys(header, ""), **extra}))
            continue
        rows.append(
            (line, {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header)})
        )
    return Table(header, rows)


def _check_header(header: list[str]) -> None:
    unnamed = [str(i) for i, name in enumerate(header, start=1) if not name]
    if unnamed:
        raise FileError("unknown_columns", "column(s) without a name: " + ", ".join(unnamed))
    unknown = [name for name in header if name not in COLUMNS]
    if unknown:
        raise FileError("unknown_columns", "unknown column(s): " + ", ".join(unknown))
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise FileError("duplicate_columns", "column(s) given twice: " + ", ".join(repeated))
    if "external_id" not in header:
        raise FileError("missing_column", "the external_id column is required")


# ---- one row -------------------------------------------------------------------------


class _Bad(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(code)
        self.code, self.message = code, message


def _date(cells: dict[str, str], name: str) -> date | None:
    text = cells.get(name, "").strip()
    if not text:
        return None
    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise _Bad(f"invalid_{name}", f"{name} must be a date YYYY-MM-DD, got {text!r}") from None


def check(
    line: int, cells: dict[str, str], *, default_country: str, tiers: tuple[str, ...], today: date
) -> MemberRow | Rejection:
    """Everything about one row that needs no database."""
    try:
        return _check(line, cells, default_country, tiers, today)
    except _Bad as bad:
        return Rejection(line, bad.code, bad.message, cells)


def _check(
    line: int, cells: dict[str, str], country: str, tiers: tuple[str, ...], today: date
) -> MemberRow:
    if "" in cells:
        raise _Bad("too_many_cells", "the row has more cells than the header")
    for column, text in cells.items():
        if _CONTROL.search(text):  # NUL would kill a PostgreSQL insert; none belongs here
            raise _Bad("control_character", f"{column} holds a control character")
        if len(text) > reading.MAX_CELL_CHARS:
            raise _Bad("cell_too_long", f"{column} is longer than {reading.MAX_CELL_CHARS:,}")
    external_id = cells.get("external_id", "").strip()
    if not external_id:
        raise _Bad("missing_external_id", "external_id is empty")
    if len(external_id) > MAX_EXTERNAL_ID:
        raise _Bad("invalid_external_id", f"external_id is longer than {MAX_EXTERNAL_ID}")
    phone_text = cells.get("phone", "").strip()
    phone = phones.normalize(phone_text, country) if phone_text else None
    if phone_text and phone is None:
        raise _Bad("invalid_phone", f"not a valid phone number for {country}: {phone_text!r}")
    name = cells.get("name", "").strip() or None
    if name is not None and len(name) > MAX_NAME:
        raise _Bad("invalid_name", f"name is longer than {MAX_NAME}")
    language = cells.get("language", "").strip() or None
    if language is not None and language not in LANGUAGES:
        raise _Bad("invalid_language", f"language must be en or zh-Hans, got {language!r}")
    birthday_text = cells.get("birthday", "").strip()
    birthday = None
    if birthday_text:
        parsed = (
            membership.parse_birthday(birthday_text, today) if len(birthday_text) == 10 else None
        )
        if not isinstance(parsed, date):
            raise _Bad(
                "invalid_birthday", f"birthday must be a past date YYYY-MM-DD: {birthday_text!r}"
            )
        birthday = parsed
    tier = cells.get("tier", "").strip() or None
    if tier is not None and tier not in tiers:
        raise _Bad("unknown_tier", f"tier {tier!r} is not one of {', '.join(tiers)}")
    points_text = cells.get("points", "").strip()
    points = 0
    if points_text:
        if not points_text.isascii() or not points_text.isdigit():
            raise _Bad("invalid_points", f"points must be a whole number >= 0: {points_text!r}")
        points = int(points_text)
        if points > MAX_POINTS:
            raise _Bad("invalid_points", f"points above {MAX_POINTS}")
    expire_on = _date(cells, "points_expire_on")
    if expire_on is not None and points and expire_on <= today:
        raise _Bad("points_expired", f"points_expire_on {expire_on} is not in the future")
    joined_on = _date(cells, "joined_on")
    if joined_on is not None and joined_on > today:
        raise _Bad("invalid_joined_on", f"joined_on {joined_on} is in the future")
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
    lines = [[*header, "line", "error_code", "error"]]
    for r in sorted(rejected, key=lambda r: r.line):
        row = [r.cells.get(name, "") for name in header]
        if "" in r.cells:
            row = [r.cells[""]] + [""] * (len(header) - 1)
        lines.append([*row, r.line, r.code, r.message])
    write_csv(path, lines)
