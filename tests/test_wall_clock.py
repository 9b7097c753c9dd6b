"""Domain code reads "now" from ``models.store.clock`` only, never the wall clock.

The sandbox's time control moves that clock and runs every job that falls due on the
way; code that asked the wall clock instead would act on the real date in the middle of
a jump (a reminder dated today for points that expire next year, a campaign started by
the wrong calendar). Tests freeze the same clock. This reads the source of ``models/``,
``scheduler/``, ``handlers/`` and ``api/`` and fails on ``datetime.now``/``utcnow``/
``today``, ``date.today`` and ``time.time`` (called or passed along), outside the clock
itself and the short list below.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("models", "scheduler", "handlers", "api")

ALLOWED = {
    "models/store/clock.py": "the one clock everything else asks",
    "models/delivery/pace.py": "the shared send budget is Telegram's rate: real seconds",
    "scheduler/pace.py": "the in-process send budget (SQLite): real seconds, as above",
}
"""Files that may read the wall clock, and why: none of them decides what day it is."""

WALL = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
    ("time", "time_ns"),
}


def wall_clock_reads(source: str) -> list[tuple[int, str]]:
    """``(line, expression)`` of every wall-clock read in ``source``."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute):
            base = node.value
            name = base.id if isinstance(base, ast.Name) else getattr(base, "attr", None)
            if (name, node.attr) in WALL:
                found.append((node.lineno, ast.unparse(node)))
        elif isinstance(node, ast.ImportFrom) and node.module == "time":
            for alias in node.names:
                if alias.name in ("time", "time_ns"):
                    found.append((node.lineno, f"from time import {alias.name}"))
    return found


def test_the_finder_finds_wall_clock_reads() -> None:
    source = (
        "import datetime as dt, time\n"
        "from datetime import date, datetime\n"
        "from time import time as now\n"
        "a = datetime.now(UTC)\n"
        "b = dt.datetime.utcnow()\n"
        "c = date.today()\n"
        "d = time.time()\n"
        "e = Pace(clock=time.time)\n"
        "f = clock.now()\n"
        "g = time.monotonic()\n"
    )
    assert [line for line, _ in wall_clock_reads(source)] == [3, 4, 5, 6, 7, 8]


def test_domain_code_asks_the_store_clock() -> None:
    wrong = []
    for folder in SCANNED:
        for path in sorted((ROOT / folder).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel in ALLOWED:
                continue
            for line, expression in wall_clock_reads(path.read_text(encoding="utf-8")):
                wrong.append(f"{rel}:{line} {expression}")
    assert not wrong, (
        "read models.store.clock.now() instead (the sandbox moves it; tests freeze it):\n"
        + "\n".join(wrong)
    )


def test_every_allowed_file_still_needs_it() -> None:
    """An allowance outlives its reason unnoticed: each allowed file still reads the clock."""
    for rel in ALLOWED:
        assert wall_clock_reads((ROOT / rel).read_text(encoding="utf-8")), rel
