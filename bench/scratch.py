"""Scratch databases for benchmarks: a temporary SQLite file, a PostgreSQL database."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg


def _dsn(url: str) -> str:
    return "postgresql://" + url.split("://", 1)[1]


async def create_postgres(url: str) -> tuple[str, str]:
    """A fresh database next to ``url``: (its URL, its name) for :func:`drop_postgres`."""
    name = f"jifen_bench_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(_dsn(url))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return url.rpartition("/")[0] + "/" + name, name


async def drop_postgres(url: str, name: str) -> None:
    conn = await asyncpg.connect(_dsn(url))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@asynccontextmanager
async def postgres(url: str) -> AsyncIterator[str]:
    """A fresh database next to ``url`` (its URL), dropped afterwards."""
    scratch, name = await create_postgres(url)
    try:
        yield scratch
    finally:
        await drop_postgres(url, name)


@asynccontextmanager
async def sqlite(name: str = "bench.sqlite3") -> AsyncIterator[str]:
    """A SQLite URL in a temporary directory, removed afterwards."""
    with tempfile.TemporaryDirectory() as tmp:
        yield f"sqlite://{tmp}/{name}"


async def databases(
    postgres_url: str, *, sqlite_name: str = "bench.sqlite3"
) -> AsyncIterator[tuple[str, str]]:
    """(label, URL) of a scratch SQLite database, then PostgreSQL when ``postgres_url``."""
    async with sqlite(sqlite_name) as url:
        yield "SQLite", url
    if postgres_url:
        async with postgres(postgres_url) as url:
            yield "PostgreSQL", url
