"""Numbers people read have thousands separators everywhere (issue 22): f-strings in the
faces and models that print points, balances or money without ``:,`` (or the shared
formatter, ``locales.money``) are found here, and so are the Mini App's unformatted ones.

Fluent groups the numbers it is given (``{ $points }`` → ``1,234``); what slips through is
a number turned into text before it reaches a message.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from locales import money, translator

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("handlers", "api/miniapp", "models", "scheduler")
NUMERIC = re.compile(r"(^|_)(points|balance|amount_minor|sales_minor|cost_points)$")
"""Names that hold a number a person reads."""


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def ungrouped(source: str) -> list[int]:
    """Lines of f-strings that print a points/balance/money name without ``:,``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FormattedValue) or not NUMERIC.search(_name(node.value)):
            continue
        spec = node.format_spec
        text = ast.unparse(spec) if spec is not None else ""
        if "," not in text:
            found.append(node.lineno)
    return found


def test_the_scan_finds_an_ungrouped_number() -> None:
    assert ungrouped('x = f"{member.balance} points"') == [1]
    assert ungrouped('x = f"{member.balance:,} points"') == []
    assert ungrouped('key = f"opening:{member_id}"') == []


def test_no_face_or_model_prints_an_ungrouped_number() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for folder in SCANNED
        for path in sorted((ROOT / folder).rglob("*.py"))
        for line in ungrouped(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_mini_app_groups_the_numbers_it_shows() -> None:
    script = (ROOT / "api/miniapp/static/app.js").read_text(encoding="utf-8")
    shown = re.findall(r"text:[^\n]*\b(?:balance|cost_points|points)\b[^\n]*", script)
    assert shown, "the scan found no numbers: has app.js changed shape?"
    bare = [
        s
        for s in shown
        if re.search(r"(?<!num\()\b[\w.]*(balance|cost_points|\.points)\b(?!\s*[>=<])", s)
        and "num(" not in s
    ]
    assert bare == []


@pytest.mark.parametrize("language", ["en", "zh-Hans"])
def test_big_numbers_render_grouped_in_both_languages(language: str) -> None:
    t = translator(language)
    assert "1,234,567" in t("common-points", points=1234567)
    assert money(123456789, "¥", 2) == "¥1,234,567.89"
