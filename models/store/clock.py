"""The one source of "now" for the store, so tests and the scheduler can move time.

Every operation in ``models/`` asks :func:`now` instead of calling ``datetime.now``;
tests freeze or advance it to prove that reminders go once and sweeps catch up.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_frozen: datetime | None = None


def now() -> datetime:
    """Current time, timezone-aware UTC (or the frozen test time)."""
    return _frozen if _frozen is not None else datetime.now(UTC)


def freeze(at: datetime) -> None:
    """Stop the clock at ``at`` (naive datetimes are taken as UTC)."""
    global _frozen
    _frozen = at if at.tzinfo else at.replace(tzinfo=UTC)


def advance(delta: timedelta) -> datetime:
    """Move a frozen clock forward (freezes the real time first if it runs)."""
    freeze(now() + delta)
    return now()


def unfreeze() -> None:
    """Let the clock run again."""
    global _frozen
    _frozen = None
