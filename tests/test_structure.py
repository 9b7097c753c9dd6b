"""The house rules, read from the source: no import circles, rooms in one direction, small
modules, and no domain code touching a library's private attributes.

The import graph counts every ``import`` statement, at module level or inside a function
or an ``if TYPE_CHECKING:`` block alike: an import deferred into a function to dodge a
circle is still a circle.
"""

from __future__ import annotations

import ast
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("api", "bench", "bot", "handlers", "locales", "models", "observability", "scheduler")

ROOMS = (
    "codes",
    "spreadsheets",
    "store",
    "delivery",
    "conversation",
    "access",
    "ledger",
    "reports",
    "members",
    "catalogue",
    "stamps",
    "marketing",
    "exports",
    "importing",
    "sandbox",
)
"""``models/``'s rooms, lowest first: a room imports only rooms before it (and itself).
The same order, with what each room owns, is in ``models/__init__.py`` and the README."""

FACES = ("api", "bot", "handlers", "scheduler")
LIBRARIES_MODELS_NEVER_IMPORT = ("telegram", "aiohttp", "apscheduler")

MAX_LINES = 600
SIZE_EXEMPT = ("migrations/",)
"""Generated migrations; vendored files live under a ``vendor/`` folder and are exempt too."""

PLUMBING = ("models/store/",)
"""The one named place where the store's plumbing may use Tortoise's internals."""
DOMAIN = ("models/", "handlers/", "api/", "scheduler/")


def tracked(*patterns: str) -> list[Path]:
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", *patterns],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [ROOT / p for p in out if (ROOT / p).exists()]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_modules() -> dict[str, Path]:
    files = tracked(*(f"{p}/*.py" for p in PACKAGES))
    return {module_name(f): f for f in files}


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> Iterator[tuple[str, int]]:
    """The project modules ``name`` imports, each with the line of the import."""

    def resolve(dotted: str) -> str | None:
        while dotted and dotted not in modules:
            dotted = dotted.rpartition(".")[0]
        return dotted or None

    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if (target := resolve(alias.name)) and target != name:
                    yield target, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                origin = ".".join([*base, *([node.module] if node.module else [])])
            else:
                origin = node.module or ""
            for alias in node.names:
                full = f"{origin}.{alias.name}"
                target = full if full in modules else resolve(origin)
                if target and target != name:
                    yield target, node.lineno


def import_graph() -> dict[str, dict[str, int]]:
    modules = source_modules()
    return {name: dict(imports_of(name, path, modules)) for name, path in sorted(modules.items())}


def cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph.get(child, {}))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}, "d": {"a": 1}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b": 1}, "b": {}}) == []


def test_no_import_circles() -> None:
    graph = import_graph()
    assert len(graph) > 200, "the graph must cover the project"
    found = cycles(graph)
    detail = "\n".join(
        " → ".join(f"{m} (line {graph[m].get(n, '?')})" for m, n in pairs)
        for pairs in (zip(c, [*c[1:], c[0]], strict=True) for c in found)
    )
    assert not found, f"import circles:\n{detail}"


def room_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "models" and len(parts) > 1 else None


def test_every_room_is_declared() -> None:
    on_disk = {p.name for p in (ROOT / "models").iterdir() if (p / "__init__.py").exists()}
    assert on_disk == set(ROOMS), "a room on disk must be declared in ROOMS, in its place"
    loose = sorted(p.name for p in (ROOT / "models").glob("*.py") if p.name != "__init__.py")
    assert not loose, f"every module of models/ lives in a room: {loose}"
    for room in ROOMS:
        doc = ast.get_docstring(ast.parse((ROOT / "models" / room / "__init__.py").read_text()))
        assert doc and "Imports" in doc, f"models/{room}/__init__.py says what it may import"


def test_rooms_import_in_one_direction() -> None:
    wrong = []
    for module, targets in import_graph().items():
        if (room := room_of(module)) is None:
            continue
        for target, line in targets.items():
            other = room_of(target)
            if other is None and target.split(".")[0] in FACES:
                wrong.append(f"{module}:{line} imports the face {target}")
            elif other is not None and ROOMS.index(other) > ROOMS.index(room):
                wrong.append(f"{module}:{line} ({room}) imports {target} ({other}, a room above)")
    assert not wrong, "\n".join(wrong)


def test_the_core_imports_no_face_library() -> None:
    wrong = []
    for path in tracked("models/*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom) and not node.level
                else []
            )
            for name in names:
                if name.split(".")[0] in LIBRARIES_MODELS_NEVER_IMPORT:
                    wrong.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {name}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("suffix", ["py", "js", "css", "html"])
def test_no_module_over_600_lines(suffix: str) -> None:
    long = []
    for path in tracked(f"*.{suffix}"):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith(SIZE_EXEMPT) or "/vendor/" in f"/{rel}":
            continue
        lines = path.read_text(encoding="utf-8").count("\n")
        if lines > MAX_LINES:
            long.append(f"{rel}: {lines} lines")
    assert not long, f"split these (at most {MAX_LINES} lines):\n" + "\n".join(long)


def test_domain_code_touches_no_private_attribute() -> None:
    """``x._name`` is another object's private attribute (``self``/``cls`` aside): a
    library's internals belong in the store's plumbing, a sibling's private helper is a
    sign the two modules want one public function."""
    wrong = []
    for path in tracked(*(f"{d}*.py" for d in DOMAIN)):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith(PLUMBING):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
                and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))
            ):
                wrong.append(f"{rel}:{node.lineno} {ast.unparse(node)}")
    assert not wrong, "\n".join(wrong)


def test_hand_written_sql_names_its_columns() -> None:
    """``SELECT *`` or ``m.*`` over a table breaks under running instances when an
    upgrade's migration adds a column (PostgreSQL refuses the cached plan inside a
    transaction): list them with ``models.store.sql.select_list``. A star over a
    subquery whose columns are named (``FROM (SELECT a, b …) x``) is fine."""
    star = re.compile(r"\bSELECT\s+\*|\b\w+\.\*")
    wrong = set()
    for path in tracked(*(f"{d}*.py" for d in ("models/", "api/", "scheduler/", "bot/"))):
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.Constant | ast.JoinedStr):
                continue
            text = ast.get_source_segment(source, node) or ""
            statement = "FROM" in text or re.search(r"\b\w{1,2}\.\*", text)  # or `m.*` alone
            if star.search(text) and statement and "FROM (" not in text:
                wrong.add(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not wrong, "\n".join(sorted(wrong))
