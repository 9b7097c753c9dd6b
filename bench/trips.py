"""Counting round trips to the database and commits: what a request costs in waits.

A trip is one call that waits for the database: on SQLite one hop to aiosqlite's worker
thread, on PostgreSQL one query sent through Tortoise's asyncpg client (a transaction's
BEGIN and COMMIT included). This is measuring tooling (tests and benchmarks), so it wraps
the libraries' own methods for the duration of a ``with``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Trips:
    trips: int = 0
    commits: int = 0
    what: list[str] = field(default_factory=list)

    def note(self, kind: str) -> None:
        self.trips += 1
        self.what.append(kind)


def _wrap(owner: type, name: str, counted: Callable[[Any, tuple[Any, ...]], str | None]) -> Any:
    original = getattr(owner, name)

    async def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        kind = counted(self, args)
        if kind is not None:
            _current.note(kind)
            if kind == "commit":
                _current.commits += 1
        return await original(self, *args, **kwargs)

    return original, wrapper


_current = Trips()


@contextmanager
def counting() -> Iterator[Trips]:
    """Count every trip and commit made inside the ``with`` (this process, both dialects)."""
    global _current
    import aiosqlite
    from tortoise.backends.asyncpg import client as pg

    def sqlite_kind(_: Any, args: tuple[Any, ...]) -> str:
        fn = args[0] if args else None
        name = getattr(fn, "__name__", "call")
        if name == "commit":
            return "commit"
        sql = next((a for a in args[1:] if isinstance(a, str)), "")
        return f"{name}: {sql[:70]}" if sql else name

    def pg_kind(name: str) -> Callable[[Any, tuple[Any, ...]], str]:
        return lambda _self, args: name if name != "sql" else str(args[0])[:70]

    patches = [
        (aiosqlite.Connection, "_execute", sqlite_kind),
        *(
            (pg.AsyncpgDBClient, m, pg_kind("sql"))
            for m in ("execute_insert", "execute_many", "execute_query", "execute_query_dict")
        ),
        (pg.TransactionWrapper, "execute_many", pg_kind("sql")),
        (pg.TransactionWrapper, "begin", pg_kind("begin")),
        (pg.TransactionWrapper, "commit", pg_kind("commit")),
        (pg.TransactionWrapper, "rollback", pg_kind("rollback")),
    ]
    saved = []
    trips = Trips()
    previous, _current = _current, trips
    try:
        for owner, name, counted in patches:
            original, wrapper = _wrap(owner, name, counted)
            saved.append((owner, name, original))
            setattr(owner, name, wrapper)
        yield trips
    finally:
        for owner, name, original in reversed(saved):
            setattr(owner, name, original)
        _current = previous
