"""Secrets every instance must agree on, generated once into the store.

Two instances starting at the same moment both try ``INSERT … ON CONFLICT DO NOTHING``
with their own random value and then both read the row: whichever insert won, they agree.
Nothing is ever written to a file, so there is no permission race to lose.
"""

from __future__ import annotations

import secrets

from models.store import clock, sql
from models.store.db import connection

SIGNING = "signing"


async def shared_secret(name: str, *, seed: str | None = None) -> str:
    """The secret called ``name``; created from ``seed`` (or 32 random bytes) if absent."""
    await sql.execute(
        connection(),
        "INSERT INTO shared_secret (name, value, created_at) VALUES (?, ?, ?)"
        " ON CONFLICT (name) DO NOTHING",
        name,
        seed or secrets.token_hex(32),
        clock.now(),
    )
    row = await sql.one(connection(), "SELECT value FROM shared_secret WHERE name = ?", name)
    assert row is not None
    return str(row["value"])
