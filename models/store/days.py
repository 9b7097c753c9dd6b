"""The days the store keeps: a typed day outside them is refused before it reaches SQL.

Near year 1 or 9999 a shop's time zone pushes an instant past what Python's ``datetime`` and
PostgreSQL's driver can hold (an ``OverflowError`` deep in asyncpg, a 500 for the caller).
No loyalty programme needs a day before 1900 or after 2999, so every parser of a typed day
asks here first and answers the caller's own "bad date" when the day is outside.
"""

from __future__ import annotations

from datetime import date, datetime

FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)
YEAR_PATTERN = "^(19|2[0-9])[0-9]{2}-"
"""The same bound for an OpenAPI document (a ``pattern`` beside ``format: date``)."""


def storable(day: date | datetime) -> bool:
    """Whether ``day`` (or the day of an instant) lies in the days the store keeps."""
    value = day.date() if isinstance(day, datetime) else day
    return FIRST_DAY <= value <= LAST_DAY
