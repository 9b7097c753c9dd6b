"""reports.ftl has the same keys in every language, and the code uses each of them."""

from __future__ import annotations

import re
from pathlib import Path

from fluent.syntax import parse
from fluent.syntax.ast import Message

from models.store.tables import EntryKind, VoucherStatus

ROOT = Path(__file__).resolve().parents[2]
CODE = (
    "models/reports/summary.py",
    "models/reports/messages.py",
    "models/reports/periods.py",
    "models/reports/series.py",
    "models/marketing/segments.py",
    "models/exports/datasets.py",
    "models/reports/weekly.py",
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
    prefixes = set(re.findall(r"f\"(reports-[a-z0-9-]+-)\{", source))
    by_prefix = {k for k in keys("en") if any(k.startswith(p) for p in prefixes)}
    assert keys("en") - used - by_prefix == set()
    assert used <= keys("en")


def test_every_stored_value_shown_in_exports_has_words() -> None:
    """Exports show entry kinds and voucher states in the reader's words, never raw."""
    wanted = {f"reports-entry-{k.value}" for k in EntryKind}
    wanted |= {f"reports-voucher-{s.value}" for s in VoucherStatus}
    for language in ("en", "zh-Hans"):
        assert wanted - keys(language) == set()
