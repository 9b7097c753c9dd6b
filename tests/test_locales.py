"""Every sentence exists in every language, and every key is used somewhere.

Keys are found in code as string literals (``t("member-balance")``) or as the constant
prefix of an f-string (``t(f"member-kind-{kind}")`` uses every ``member-kind-*``).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from fluent.syntax import FluentParser
from fluent.syntax import ast as fluent_ast

from locales import LANGUAGES, LOCALES_DIR, Translator

ROOT = Path(__file__).resolve().parent.parent
CODE_DIRS = ("bot", "handlers", "models", "scheduler", "api", "locales")
REFERENCE = re.compile(r"\{\s*-?([a-z][a-z0-9-]*)")


def keys_of(path: Path) -> set[str]:
    resource = FluentParser().parse(path.read_text(encoding="utf-8"))
    junk = [e for e in resource.body if isinstance(e, fluent_ast.Junk)]
    assert not junk, f"{path}: syntax error near {junk[0].content[:80]!r}"
    return {e.id.name for e in resource.body if isinstance(e, fluent_ast.Message | fluent_ast.Term)}


def test_same_files_and_keys_in_every_language() -> None:
    files = {lang: sorted(p.name for p in (LOCALES_DIR / lang).glob("*.ftl")) for lang in LANGUAGES}
    assert files["en"] == files["zh-Hans"], "each feature needs its .ftl in both languages"
    for name in files["en"]:
        en, zh = (keys_of(LOCALES_DIR / lang / name) for lang in ("en", "zh-Hans"))
        assert en - zh == set(), f"{name}: missing in zh-Hans: {sorted(en - zh)}"
        assert zh - en == set(), f"{name}: missing in en: {sorted(zh - en)}"


TEMPLATE_KEY = re.compile(r"""\bt\(\s*["']([a-z][a-z0-9-]*)["']""")
"""``t("key")`` in a Jinja2 template (the console's pages)."""


def template_keys() -> set[str]:
    return {
        key
        for path in (ROOT / "api").rglob("templates/*.html")
        for key in TEMPLATE_KEY.findall(path.read_text(encoding="utf-8"))
    }


def _code_strings() -> tuple[set[str], set[str]]:
    literals: set[str] = template_keys()
    prefixes: set[str] = set()
    for folder in CODE_DIRS:
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    literals.add(node.value)
                elif isinstance(node, ast.JoinedStr) and node.values:
                    first = node.values[0]
                    if isinstance(first, ast.Constant) and isinstance(first.value, str):
                        prefixes.add(first.value)
    return literals, prefixes


def test_every_key_is_used() -> None:
    literals, prefixes = _code_strings()
    referenced: set[str] = set()
    all_keys: set[str] = set()
    for path in (LOCALES_DIR / "en").glob("*.ftl"):
        all_keys |= keys_of(path)
        referenced |= set(REFERENCE.findall(path.read_text(encoding="utf-8")))
    unused = {
        key
        for key in all_keys
        if key not in literals
        and key not in referenced
        and not any(p and key.startswith(p) for p in prefixes if p.endswith("-"))
    }
    assert unused == set(), f"keys never used in code: {sorted(unused)}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_formats(language: str) -> None:
    """Formatting each message with dummy arguments must not raise or leave references."""
    t = Translator(language)
    for path in (LOCALES_DIR / language).glob("*.ftl"):
        for key in keys_of(path):
            if key.startswith("-"):
                continue
            assert t.has(key)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_template_key_exists(language: str) -> None:
    t = Translator(language)
    missing = sorted(key for key in template_keys() if not t.has(key))
    assert missing == [], f"templates use keys missing in {language}: {missing}"
