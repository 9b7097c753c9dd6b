"""Report periods: a span of local days in the shop's time zone, parsed from what people type.

``today``, ``7d``, ``month``, ``2026-11``, ``2026-11-01..2026-11-30``: :func:`parse_period`
answers a :class:`Period` (half-open, in UTC instants) or an :class:`InvalidPeriod`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from models.store import clock, days

MAX_PERIOD_DAYS = 731
"""Longer ranges are refused: the daily series would not fit a chart anyway."""


@dataclass(frozen=True)
class Period:
    """Whole local days ``[start, end)``: ``start`` and ``end`` are local midnights.

    "To date" periods (``today``, ``7d``, ``month``) end at tomorrow's midnight, so the
    current day counts so far and the daily series has one bucket per calendar day.
    """

    start: datetime
    end: datetime

    @classmethod
    def of_days(cls, first: date, last: date, tz: ZoneInfo) -> Period:
        """The period covering local days ``first`` … ``last`` (both included)."""
        return cls(
            datetime.combine(first, time(), tzinfo=tz),
            datetime.combine(last + timedelta(days=1), time(), tzinfo=tz),
        )

    @property
    def tz(self) -> ZoneInfo:
        assert isinstance(self.start.tzinfo, ZoneInfo)
        return self.start.tzinfo

    @property
    def first_day(self) -> date:
        return self.start.date()

    @property
    def last_day(self) -> date:
        return self.end.date() - timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end.date() - self.start.date()).days

    def dates(self) -> list[date]:
        return [self.first_day + timedelta(days=i) for i in range(self.days)]

    def previous(self) -> Period:
        """The same number of days immediately before (by calendar, so DST-safe)."""
        return Period.of_days(
            self.first_day - timedelta(days=self.days),
            self.first_day - timedelta(days=1),
            self.tz,
        )

    @property
    def label(self) -> str:
        """``2026-11-01 – 2026-11-22`` (one date for a single day): language-neutral."""
        if self.days == 1:
            return self.first_day.isoformat()
        return f"{self.first_day.isoformat()} – {self.last_day.isoformat()}"


class InvalidPeriodReason(StrEnum):
    UNKNOWN = "unknown"
    BAD_DATE = "bad_date"
    REVERSED = "reversed"
    TOO_LONG = "too_long"
    BAD_ZONE = "bad_zone"


@dataclass(frozen=True)
class InvalidPeriod:
    """What the user typed and why it is not a period (rendered as ``reports-period-invalid``)."""

    text: str
    reason: InvalidPeriodReason


def zone(tz: str | ZoneInfo) -> ZoneInfo | None:
    if isinstance(tz, ZoneInfo):
        return tz
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def parse_period(text: str | None, tz: str | ZoneInfo) -> Period | InvalidPeriod:
    """Parse ``today``, ``yesterday``, ``Nd`` (``7d``, ``30d``), ``month`` (month to date),
    ``last-month`` or ``YYYY-MM-DD..YYYY-MM-DD`` (both days included); empty means ``7d``.
    """
    raw = (text or "").strip()
    word = raw.lower() or "7d"
    zone_info = zone(tz)
    if zone_info is None:
        return InvalidPeriod(raw, InvalidPeriodReason.BAD_ZONE)
    today = clock.now().astimezone(zone_info).date()
    if word == "today":
        return Period.of_days(today, today, zone_info)
    if word == "yesterday":
        day = today - timedelta(days=1)
        return Period.of_days(day, day, zone_info)
    if word == "month":
        return Period.of_days(today.replace(day=1), today, zone_info)
    if word in ("last-month", "lastmonth"):
        last = today.replace(day=1) - timedelta(days=1)
        return Period.of_days(last.replace(day=1), last, zone_info)
    if word.endswith("d") and word[:-1].isdigit():
        n = int(word[:-1])
        if n < 1:
            return InvalidPeriod(raw, InvalidPeriodReason.UNKNOWN)
        if n > MAX_PERIOD_DAYS:
            return InvalidPeriod(raw, InvalidPeriodReason.TOO_LONG)
        return Period.of_days(today - timedelta(days=n - 1), today, zone_info)
    if ".." in word:
        left, _, right = word.partition("..")
        try:
            first, last = date.fromisoformat(left.strip()), date.fromisoformat(right.strip())
        except ValueError:
            return InvalidPeriod(raw, InvalidPeriodReason.BAD_DATE)
        if not (days.storable(first) and days.storable(last)):
            return InvalidPeriod(raw, InvalidPeriodReason.BAD_DATE)
        if last < first:
            return InvalidPeriod(raw, InvalidPeriodReason.REVERSED)
        if (last - first).days + 1 > MAX_PERIOD_DAYS:
            return InvalidPeriod(raw, InvalidPeriodReason.TOO_LONG)
        return Period.of_days(first, last, zone_info)
    return InvalidPeriod(raw, InvalidPeriodReason.UNKNOWN)


def utc_offsets(period: Period) -> list[tuple[datetime, int]]:
    """``(until, offset_seconds)`` pieces: each offset holds for instants before ``until``
    (the last piece until the period's end). One piece unless a DST change falls inside."""
    tz = period.tz

    def offset(instant: datetime) -> int:
        delta = instant.astimezone(tz).utcoffset()
        return int(delta.total_seconds()) if delta else 0

    t = period.start.astimezone(UTC)
    end = period.end.astimezone(UTC)
    current = offset(t)
    pieces: list[tuple[datetime, int]] = []
    while t < end:
        nxt = min(t + timedelta(hours=6), end)
        if offset(nxt) != current and nxt < end:
            lo, hi = t, nxt
            while hi - lo > timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                lo, hi = (mid, hi) if offset(mid) == current else (lo, mid)
            pieces.append((hi.replace(microsecond=0), current))
            current = offset(hi)
        t = nxt
    pieces.append((end, current))
    return pieces
