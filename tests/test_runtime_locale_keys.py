"""Run-time locale keys: a key built while running (``t(f"miniapp-history-{kind}")``) exists
in every language, because the module that builds it lists every key it can build.

``tests/test_locales.py`` reads keys from string literals, so a key made of an f-string
and a value (an entry kind, a role, an error code) escapes it: the Mini App showed
``miniapp-history-opening`` for an imported balance. So here:

- every f-string in the code that builds a locale key is found by an AST scan: one that
  starts with a locale namespace and a dash (``till-``, ``miniapp-``, …), or any f-string
  handed straight to a translator (``t(f"…")``, ``context.t(f"…")``, ``say(f"…")``);
- its module declares ``LOCALE_KEYS``: every key it can build (a tuple, or a function
  returning one), made from the same enum or constant the f-string is filled from;
- every f-string matches at least one listed key (a new kind of key needs a listing), and
  every listed key exists in every language;
- the error codes of both HTTP faces (``api-error-<code>``, ``miniapp-error-<code>``)
  are listed too, and every literal code an ``ApiError`` of a face is raised with is in
  its face's list.

A scan that finds nothing fails, and the scan is itself tested on a snippet, so this
cannot pass by looking nowhere.
"""

from __future__ import annotations

import ast
import importlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

from locales import LANGUAGES, LOCALES_DIR
from tests.test_locales import CODE_DIRS, ROOT, keys_of

TRANSLATORS = {"t", "say", "translate", "_t"}
"""Names a translator goes by where it is called (``t(…)``, ``context.t(…)``, ``say(…)``)."""
KNOWN_BUILDERS = {
    "api/errors.py",
    "api/miniapp/common.py",
    "api/miniapp/member.py",
    "handlers/broadcast.py",
    "handlers/core.py",
    "handlers/member/joining.py",
    "handlers/rules.py",
    "handlers/till/purchase.py",
    "handlers/till/staffing.py",
    "handlers/marketing/rewards.py",
    "models/exports/datasets.py",
}
"""Modules known to build keys when this test was written: the scan must find them."""


def language_keys(language: str) -> set[str]:
    keys: set[str] = set()
    for path in (LOCALES_DIR / language).glob("*.ftl"):
        keys |= keys_of(path)
    return keys


NAMESPACES = {key.split("-", 1)[0] for key in language_keys("en") if "-" in key}
"""The first word of every key (``till``, ``member``, ``miniapp``, …)."""


@dataclass(frozen=True)
class Built:
    """One f-string that builds a locale key: where, and the keys it may make (a regex)."""

    module: str
    line: int
    source: str
    pattern: re.Pattern[str]


def _pattern(node: ast.JoinedStr) -> re.Pattern[str]:
    parts = [
        re.escape(part.value) if isinstance(part, ast.Constant) else ".+" for part in node.values
    ]
    return re.compile("".join(parts))


def _leading_text(node: ast.JoinedStr) -> str:
    first = node.values[0] if node.values else None
    return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else ""


def _key_shaped(node: ast.JoinedStr) -> bool:
    """Its fixed text could be part of a key (``a-z0-9-``): ``till-pay-ask:{id}`` (a dedupe
    key) or ``jifen-{code}.json`` (a file name) could not."""
    return all(
        re.fullmatch(r"[a-z0-9-]*", part.value)
        for part in node.values
        if isinstance(part, ast.Constant)
    )


def _is_translator(func: ast.expr) -> bool:
    if isinstance(func, ast.Name):
        return func.id in TRANSLATORS
    if isinstance(func, ast.Attribute):
        return func.attr in TRANSLATORS
    return isinstance(func, ast.Call)  # translator(language)(f"…")


def built_keys(source: str, module: str) -> list[Built]:
    """Every f-string in ``source`` that builds a locale key."""
    tree = ast.parse(source)
    handed: set[int] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and node.args
            and _is_translator(node.func)
            and isinstance(node.args[0], ast.JoinedStr)
        ):
            handed.add(id(node.args[0]))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.JoinedStr):
            continue
        lead = re.match(r"([a-z]+)-", _leading_text(node))
        namespaced = lead is not None and lead.group(1) in NAMESPACES and _key_shaped(node)
        if id(node) in handed or namespaced:
            found.append(Built(module, node.lineno, ast.unparse(node), _pattern(node)))
    return sorted(found, key=lambda b: b.line)


def code_modules() -> dict[str, str]:
    """Every module of the code (not tests), by its path from the repository root."""
    return {
        path.relative_to(ROOT).as_posix(): path.read_text(encoding="utf-8")
        for folder in CODE_DIRS
        for path in sorted((ROOT / folder).rglob("*.py"))
    }


def builders() -> dict[str, list[Built]]:
    found: dict[str, list[Built]] = {}
    for module, source in code_modules().items():
        built = built_keys(source, module)
        if built:
            found[module] = built
    return found


def listing(module: str) -> tuple[str, ...] | None:
    """The module's ``LOCALE_KEYS`` (called when it is a function), or None."""
    name = module.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
    listed = getattr(importlib.import_module(name), "LOCALE_KEYS", None)
    if listed is None:
        return None
    keys = listed() if callable(listed) else listed
    assert isinstance(keys, Iterable) and not isinstance(keys, str), module
    return tuple(keys)


def unlisted(found: dict[str, list[Built]]) -> list[str]:
    """Modules that build keys but declare no listing, and f-strings no listed key matches."""
    problems = []
    for module, built in sorted(found.items()):
        keys = listing(module)
        if keys is None:
            problems.append(f"{module}: builds {built[0].source} but has no LOCALE_KEYS")
            continue
        for b in built:
            if not any(b.pattern.fullmatch(key) for key in keys):
                problems.append(f"{module}:{b.line}: no key in LOCALE_KEYS matches {b.source}")
    return problems


def raised_codes(source: str) -> set[str]:
    """The literal codes of every ``ApiError(status, "code", …)`` in ``source``."""
    codes = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or len(node.args) < 2:
            continue
        name = getattr(node.func, "id", getattr(node.func, "attr", None))
        code = node.args[1]
        if name == "ApiError" and isinstance(code, ast.Constant) and isinstance(code.value, str):
            codes.add(code.value)
    return codes


class TestRunTimeLocaleKeys:
    def test_the_scan_finds_the_known_builders(self) -> None:
        missed = KNOWN_BUILDERS - set(builders())
        assert missed == set(), f"the scan no longer finds {sorted(missed)}"

    def test_the_scan_flags_an_unlisted_f_string_key(self) -> None:
        snippet = (
            "def show(context, kind, t):\n"
            "    a = context.t(f'miniapp-history-{kind}')\n"
            "    b = t(f'{kind}-anything')\n"
            "    c = f'till-role-{kind}'\n"
            "    d = f'jifen-{kind}.json'  # a file name, not a key\n"
            "    e = f'till-pay-ask:{kind}'  # a dedupe key, not a locale key\n"
        )
        built = built_keys(snippet, "snippet.py")
        assert [b.line for b in built] == [2, 3, 4]
        assert built[0].pattern.fullmatch("miniapp-history-opening")

    def test_every_builder_lists_every_key_it_builds(self) -> None:
        problems = unlisted(builders())
        assert problems == [], "\n".join(problems)

    @pytest.mark.parametrize("language", LANGUAGES)
    def test_every_listed_key_exists(self, language: str) -> None:
        present = language_keys(language)
        missing = {
            f"{module}: {key}"
            for module in builders()
            for key in listing(module) or ()
            if key not in present
        }
        assert missing == set(), f"missing in locales/{language}: {sorted(missing)}"

    @pytest.mark.parametrize(
        ("listed_in", "face"),
        [
            (
                "api.errors:CODES",
                (
                    "api/routes/",
                    "api/app.py",
                    "api/auth.py",
                    "api/validation.py",
                    "api/idempotency.py",
                ),
            ),
            ("api.miniapp.common:ERROR_CODES", ("api/miniapp/",)),
        ],
    )
    def test_every_error_code_raised_is_listed(self, listed_in: str, face: tuple[str, ...]) -> None:
        module, name = listed_in.split(":")
        codes = set(getattr(importlib.import_module(module), name))
        raised = {
            code
            for path, source in code_modules().items()
            if path.startswith(face)
            for code in raised_codes(source)
        }
        assert raised, f"no ApiError found under {face}"
        assert raised - codes == set(), f"raised but not in {listed_in}: {raised - codes}"


def test_this_file_is_where_the_readme_says() -> None:
    """The convention is written down where the next engineer looks."""
    assert "LOCALE_KEYS" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert Path(__file__).name in (ROOT / "README.md").read_text(encoding="utf-8")
