"""reports.ftl has the same keys in every language, and the code uses each of them."""

from __future__ import annotations

import re
from pathlib import Path

from fluent.syntax import parse
from fluent.syntax.ast import Message

ROOT = Path(__file__).resolve().parents[2]
CODE = (
    "models/reports.py",
    "models/segments.py",
    "models/exports.py",
    "models/weekly.py",
    "handlers/charts.py",
    "handlers/reports.py",
)


def keys(language: str) -> set[str]:
    resource = parse((ROOT / "locales" / language / "reports.ftl").read_text("utf-8"))
    return {entry.id.name for entry in resource.body if isinstance(entry, Message)}


def test_same_keys_in_both_languages() -> None:
    assert keys("en") == keys("zh-Hans")


def test_every_key_is_used_by_name() -> None:
    source = "\n".join((ROOT / path).read_text("utf-8") for path in CODE)
    used = set(re.findall(r"\"(reports-[a-z0-9-]+)\"", source))
    assert keys("en") - used == set()
    assert used <= keys("en")
