"""Flow state in the store: what one person's half-done conversation remembers.

The chat face loads it with the member (one LEFT JOIN in
:func:`models.members.membership.identify`),
changes it in memory while handling an update, and writes it back at most once, only when
it changed (:func:`save`). Every write is conditional on the version read, so when two
instances handle the same person at once exactly one write wins; an empty state deletes
the row and a row idle past its expiry is ignored by the read and purged by the next
first write, so the table stays as small as the number of people mid-flow.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from tortoise.exceptions import IntegrityError

from models.store import clock, sql
from models.store.db import connection

DEFAULT_IDLE = timedelta(hours=24)


def _dump(state: dict[str, Any]) -> str:
    return json.dumps(state, sort_keys=True, separators=(",", ":"))


@dataclass
class Flow:
    """One person's flow state as read at the start of an update.

    ``version`` 0 means no live row. Change :attr:`state` freely; :func:`save` writes it
    back only if it differs from what was read.
    """

    telegram_id: int
    state: dict[str, Any] = field(default_factory=dict)
    version: int = 0
    read_as: str = "{}"
    """The state as it was read (JSON), so it is written back only when it changed."""

    @classmethod
    def loaded(cls, telegram_id: int, raw: Any, version: Any) -> Flow:
        """From the columns a query returned (``raw`` is JSON text, a dict, or NULL)."""
        if raw is None or version is None:
            return cls(telegram_id)
        state = json.loads(raw) if isinstance(raw, str | bytes) else dict(raw)
        return cls(telegram_id, state, int(version), _dump(state))

    @property
    def changed(self) -> bool:
        return _dump(self.state) != self.read_as


_UPDATE = (
    "UPDATE chat_flow SET state = ?, version = version + 1, updated_at = ?, expires_at = ?"
    " WHERE telegram_id = ? AND version = ?"
)
_DELETE = "DELETE FROM chat_flow WHERE telegram_id = ? AND version = ?"
_INSERT = (
    "INSERT INTO chat_flow (telegram_id, state, version, updated_at, expires_at)"
    " VALUES (?, ?, 1, ?, ?)"
)
_DELETE_STALE_ONE = "DELETE FROM chat_flow WHERE telegram_id = ? AND expires_at <= ?"
_PURGE = "DELETE FROM chat_flow WHERE expires_at <= ?"


async def save(flow: Flow, idle: timedelta = DEFAULT_IDLE) -> bool:
    """Write ``flow`` back if it changed; False when another writer got there first."""
    if not flow.changed:
        return True
    now, conn = clock.now(), connection()
    text = _dump(flow.state)
    if flow.version:
        if flow.state:
            count = await sql.execute(
                conn, _UPDATE, text, now, now + idle, flow.telegram_id, flow.version
            )
        else:
            count = await sql.execute(conn, _DELETE, flow.telegram_id, flow.version)
        won = count == 1
    elif not flow.state:
        won = True
    else:
        # A first write: clear this person's expired row (ignored by the read) and purge
        # everyone's, so idle rows never pile up, then insert; the unique key picks one.
        await sql.execute(conn, _DELETE_STALE_ONE, flow.telegram_id, now)
        await sql.execute(conn, _PURGE, now)
        try:
            await sql.execute(conn, _INSERT, flow.telegram_id, text, now, now + idle)
        except IntegrityError:
            return False
        won = True
    if won:
        flow.version = (flow.version + 1) if flow.state else 0
        flow.read_as = text
    return won


async def load(telegram_id: int) -> Flow:
    """The live flow of one person (the chat face gets it from ``identify`` instead)."""
    row = await sql.one(
        connection(),
        "SELECT state, version FROM chat_flow WHERE telegram_id = ? AND expires_at > ?",
        telegram_id,
        clock.now(),
    )
    return Flow.loaded(telegram_id, *(row["state"], row["version"]) if row else (None, None))


async def count() -> int:
    """Rows in the table (live and not yet purged), for tests and health checks."""
    row = await sql.one(connection(), "SELECT COUNT(*) AS n FROM chat_flow")
    return sql.as_int(row["n"] if row else 0)
