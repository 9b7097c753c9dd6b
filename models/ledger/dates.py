"""Expiry dates and shop-local days: pure date arithmetic, no database.

Kept apart from the operations so the expiry rules can be read (and tested) on their own.
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from models.ledger.config import ExpiryPolicy, ExpiryPolicyKind


def _add_months(at: datetime, months: int) -> datetime:
    y, m = divmod(at.month - 1 + months, 12)
    year, month = at.year + y, m + 1
    return at.replace(year=year, month=month, day=min(at.day, calendar.monthrange(year, month)[1]))


def expiry_for(earned_at: datetime, policy: ExpiryPolicy, tz: str = "UTC") -> datetime | None:
    """When points earned at ``earned_at`` expire (``None`` = never).

    ``rolling``: ``months`` after earning. ``end_of_period``: at the end (local midnight,
    exclusive) of the month/quarter/year that contains the date ``months`` after earning.
    """
    if policy.policy == ExpiryPolicyKind.NEVER:
        return None
    if policy.policy == ExpiryPolicyKind.ROLLING:
        return _add_months(earned_at, policy.months).astimezone(UTC)
    local = _add_months(earned_at.astimezone(ZoneInfo(tz)), policy.months)
    start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    span = {"month": 1, "quarter": 3, "year": 12}[policy.period]
    if policy.period == "quarter":
        start = start.replace(month=(start.month - 1) // 3 * 3 + 1)
    elif policy.period == "year":
        start = start.replace(month=1)
    return _add_months(start, span).astimezone(UTC)


def local_midnight(at: datetime, tz: str) -> datetime:
    local = at.astimezone(ZoneInfo(tz))
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)


def next_local_midnight(at: datetime, tz: str) -> datetime:
    """The end of ``at``'s local day (the next local midnight), as an instant."""
    day = at.astimezone(ZoneInfo(tz)).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(tz)).astimezone(UTC)
