"""The one source of "now" for the store, so tests and the scheduler can move time.

Every operation in ``models/`` asks :func:`now` instead of calling ``datetime.now``;
tests freeze or advance it to prove that reminders go once and sweeps catch up. The
sandbox moves it too: its time control (``scheduler.timetravel``) freezes it at every
moment a job falls due on the way, then lets it run on from the new time
(:func:`run_from`). ``tests/test_wall_clock.py`` fails when code under ``models/``,
``scheduler/``, ``handlers/`` or ``api/`` reads the wall clock itself.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_frozen: datetime | None = None
_offset = timedelta(0)


def now() -> datetime:
    """Current time, timezone-aware UTC (or the frozen test time, or the sandbox's time)."""
    return _frozen if _frozen is not None else datetime.now(UTC) + _offset


def _utc(at: datetime) -> datetime:
    """``at`` in UTC (naive datetimes are taken as UTC): SQLite compares stored times as
    text, so "now" must always read in the one zone the store writes."""
    return at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)


def freeze(at: datetime) -> None:
    """Stop the clock at ``at`` (naive datetimes are taken as UTC)."""
    global _frozen
    _frozen = _utc(at)


def advance(delta: timedelta) -> datetime:
    """Move a frozen clock forward (freezes the real time first if it runs)."""
    freeze(now() + delta)
    return now()


def run_from(at: datetime) -> None:
    """Let the clock run again, from ``at`` on: real seconds pass, counted from ``at``
    (the sandbox after a jump in time, or resuming the time it had reached)."""
    global _frozen, _offset
    _frozen, _offset = None, _utc(at) - datetime.now(UTC)


def unfreeze() -> None:
    """Let the clock run again, on the real time."""
    global _frozen, _offset
    _frozen, _offset = None, timedelta(0)
