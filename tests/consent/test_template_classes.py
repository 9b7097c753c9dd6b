"""Every outbox template the code can queue has a class, read from the source.

A template reaches the outbox as a ``template=`` keyword or a ``"template":`` dict entry
(``outbox.enqueue``, ``new_message``, ``Notice``, ``outbox_parts``). Its value is followed
back to string literals: through constants (``WEEKLY_TEMPLATE``), and through the
parameters of helpers (``_notify(conn, member, "till-refund-member", …)``) to every call of
the helper. A value the scan cannot follow fails the test too, so a new way of naming a
template cannot slip past it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from locales import LANGUAGES, translator
from models.delivery import classes, outbox
from models.delivery.classes import MessageClass, UnclassifiedTemplate
from models.store.tables import OutboxMessage
from tests.store.helpers import member

ROOT = Path(__file__).resolve().parent.parent.parent
SOURCES = ("models", "scheduler", "handlers", "api", "bot")


@dataclass
class Scan:
    keys: dict[str, list[str]] = field(default_factory=dict)
    """Each template key found → where."""
    unresolved: list[str] = field(default_factory=list)


class _Source:
    def __init__(self) -> None:
        self.trees: dict[Path, ast.Module] = {}
        self.parents: dict[ast.AST, ast.AST] = {}
        self.constants: dict[str, set[str]] = {}
        self.functions: dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]] = {}
        self.calls: dict[str, list[tuple[Path, ast.Call]]] = {}
        for folder in SOURCES:
            for path in sorted((ROOT / folder).rglob("*.py")):
                tree = ast.parse(path.read_text(encoding="utf-8"))
                self.trees[path] = tree
                for node in ast.walk(tree):
                    for child in ast.iter_child_nodes(node):
                        self.parents[child] = node
                    self._index(path, node)

    def _index(self, path: Path, node: ast.AST) -> None:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                pairs = (
                    zip(target.elts, node.value.elts, strict=False)
                    if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple)
                    else [(target, node.value)]
                )
                for name, value in pairs:
                    if isinstance(name, ast.Name) and _is_str(value):
                        self.constants.setdefault(name.id, set()).add(value.value)  # type: ignore[attr-defined]
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            self.functions.setdefault(node.name, []).append(node)
        elif isinstance(node, ast.Call):
            name = _called(node)
            if name:
                self.calls.setdefault(name, []).append((path, node))

    def enclosing(self, node: ast.AST) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        while node in self.parents:
            node = self.parents[node]
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                return node
        return None

    def sites(self) -> Iterator[tuple[Path, ast.expr]]:
        """Every expression that names an outbox template."""
        for path, tree in self.trees.items():
            for node in ast.walk(tree):
                if isinstance(node, ast.Call):
                    for kw in node.keywords:
                        if kw.arg == "template":
                            yield path, kw.value
                elif isinstance(node, ast.Dict):
                    for key, value in zip(node.keys, node.values, strict=True):
                        if key is not None and _is_str(key) and key.value == "template":  # type: ignore[attr-defined]
                            yield path, value

    def resolve(self, path: Path, expr: ast.expr, scan: Scan, depth: int = 0) -> None:
        where = f"{path.relative_to(ROOT)}:{expr.lineno}"
        if depth > 8:
            scan.unresolved.append(f"{where}: too deep")
        elif _is_str(expr):
            scan.keys.setdefault(expr.value, []).append(where)  # type: ignore[attr-defined]
        elif isinstance(expr, ast.IfExp):
            self.resolve(path, expr.body, scan, depth + 1)
            self.resolve(path, expr.orelse, scan, depth + 1)
        elif isinstance(expr, ast.Attribute) and expr.attr == "template":
            pass  # a row's or notice's own field, forwarded: its construction is a site
        elif isinstance(expr, ast.Attribute) and expr.attr in self.constants:
            for value in self.constants[expr.attr]:
                scan.keys.setdefault(value, []).append(where)
        elif isinstance(expr, ast.Name):
            self._resolve_name(path, expr, scan, depth)
        else:
            scan.unresolved.append(f"{where}: {ast.unparse(expr)}")

    def _resolve_name(self, path: Path, expr: ast.Name, scan: Scan, depth: int) -> None:
        function = self.enclosing(expr)
        params = _params(function) if function is not None else []
        if function is not None and expr.id in params:
            calls = self.calls.get(function.name, [])
            if not calls:
                scan.unresolved.append(f"{path.relative_to(ROOT)}:{expr.lineno}: never called")
            for call_path, call in calls:
                arg = _argument(call, params, expr.id)
                if arg is None and any(kw.arg is None for kw in call.keywords):
                    continue  # passed in a ``**mapping``: its ``"template":`` entry is a site
                if arg is None:
                    where = f"{call_path.relative_to(ROOT)}:{call.lineno}"
                    scan.unresolved.append(f"{where}: {expr.id} not passed")
                else:
                    self.resolve(call_path, arg, scan, depth + 1)
        elif expr.id in self.constants:
            for value in self.constants[expr.id]:
                scan.keys.setdefault(value, []).append(f"{path.relative_to(ROOT)}:{expr.lineno}")
        else:
            scan.unresolved.append(f"{path.relative_to(ROOT)}:{expr.lineno}: {expr.id}")


def _is_str(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _called(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _params(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    names = [a.arg for a in (*function.args.posonlyargs, *function.args.args)]
    names += [a.arg for a in function.args.kwonlyargs]
    return names[1:] if names[:1] in (["self"], ["cls"]) else names


def _argument(call: ast.Call, params: list[str], name: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    index = params.index(name)
    positional = [a for a in call.args if not isinstance(a, ast.Starred)]
    return positional[index] if index < len(positional) else None


def scan_templates() -> Scan:
    source, scan = _Source(), Scan()
    for path, expr in source.sites():
        source.resolve(path, expr, scan)
    return scan


SCAN = scan_templates()


def test_the_scan_follows_every_template_to_its_key() -> None:
    assert SCAN.unresolved == []
    # one of each way a key travels: literal, constant, helper parameter, dict, attribute
    assert {
        "till-receipt-member",
        "reports-weekly",
        "till-refund-member",
        "till-pay-staff-declined",
        "notice-campaign-started",
        "broadcast-text",
    } <= set(SCAN.keys)


def test_every_template_queued_anywhere_has_a_class() -> None:
    missing = {key: SCAN.keys[key] for key in SCAN.keys if key not in classes.TEMPLATES}
    assert missing == {}, "give these templates a class in models/delivery/classes.py"


def test_every_class_entry_is_a_template_the_code_queues() -> None:
    assert set(classes.TEMPLATES) - set(SCAN.keys) == set()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_classified_template_has_its_text(language: str) -> None:
    t = translator(language)
    keys = [*classes.TEMPLATES, *classes.FOOTERS.values()]
    assert [k for k in keys if not t.has(k)] == []


async def test_an_unclassified_template_is_refused_loudly(store: str) -> None:
    m = await member(7401, marketing_opt_in=True)
    with pytest.raises(UnclassifiedTemplate):
        await outbox.enqueue(chat_id=7401, template="notice-something-new", member=m)
    assert await OutboxMessage.all().count() == 0


async def test_enqueue_asks_the_class(store: str) -> None:
    declined = await member(7402, marketing_opt_in=False, notifications_enabled=False)
    for template in ("broadcast-text", "notice-expiry-reminder"):
        assert await outbox.enqueue(chat_id=7402, template=template, args={}) is None
        assert await outbox.to_member(declined, template=template, args={}) is None
    assert await OutboxMessage.all().count() == 0
    # transactional: to the member regardless, and to a staff chat without a member row
    assert await outbox.to_member(declined, template="till-adjust-member") is not None
    assert await outbox.enqueue(chat_id=9001, template="webhook-failed-admin") is not None
    assert classes.class_of("webhook-failed-admin") == MessageClass.TRANSACTIONAL
