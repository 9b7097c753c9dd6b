"""Periods: words and ranges in the merchant's time zone, previous periods, bad input."""

from datetime import UTC, date, datetime

import pytest

from models.reports.periods import (
    InvalidPeriod,
    InvalidPeriodReason,
    Period,
    parse_period,
    utc_offsets,
)
from models.store import clock

SHANGHAI = "Asia/Shanghai"


@pytest.fixture(autouse=True)
def _late_evening_utc() -> None:
    # 2026-03-31 20:00 UTC is already 1 April in Shanghai: "today" must follow local time.
    clock.freeze(datetime(2026, 3, 31, 20, 0, tzinfo=UTC))


def days(period: Period | InvalidPeriod) -> tuple[date, date, int]:
    assert isinstance(period, Period), period
    return period.first_day, period.last_day, period.days


def test_words_follow_the_local_day() -> None:
    assert days(parse_period("today", SHANGHAI)) == (date(2026, 4, 1), date(2026, 4, 1), 1)
    assert days(parse_period("yesterday", SHANGHAI)) == (date(2026, 3, 31), date(2026, 3, 31), 1)
    assert days(parse_period("7d", SHANGHAI)) == (date(2026, 3, 26), date(2026, 4, 1), 7)
    assert days(parse_period(" 30D ", SHANGHAI)) == (date(2026, 3, 3), date(2026, 4, 1), 30)
    assert days(parse_period("month", SHANGHAI)) == (date(2026, 4, 1), date(2026, 4, 1), 1)
    assert days(parse_period("last-month", SHANGHAI)) == (date(2026, 3, 1), date(2026, 3, 31), 31)
    assert days(parse_period(None, SHANGHAI)) == days(parse_period("7d", SHANGHAI))
    assert days(parse_period("today", "UTC")) == (date(2026, 3, 31), date(2026, 3, 31), 1)


def test_start_and_end_are_local_midnights() -> None:
    period = parse_period("today", SHANGHAI)
    assert isinstance(period, Period)
    assert period.start.astimezone(UTC) == datetime(2026, 3, 31, 16, 0, tzinfo=UTC)
    assert period.end.astimezone(UTC) == datetime(2026, 4, 1, 16, 0, tzinfo=UTC)


def test_ranges_include_both_days_and_cross_years() -> None:
    period = parse_period("2025-12-30..2026-01-02", SHANGHAI)
    assert days(period) == (date(2025, 12, 30), date(2026, 1, 2), 4)
    assert isinstance(period, Period)
    assert period.label == "2025-12-30 – 2026-01-02"
    assert days(parse_period("2024-02-29..2024-02-29", SHANGHAI))[2] == 1


def test_previous_is_as_long_and_just_before() -> None:
    period = parse_period("2026-03-01..2026-03-31", SHANGHAI)
    assert isinstance(period, Period)
    before = period.previous()
    assert days(before) == (date(2026, 1, 29), date(2026, 2, 28), 31)
    assert before.end == period.start


def test_previous_across_daylight_saving_keeps_whole_days() -> None:
    period = parse_period("2026-03-29..2026-03-29", "Europe/Berlin")  # a 23-hour day
    assert isinstance(period, Period)
    hours = (period.end.astimezone(UTC) - period.start.astimezone(UTC)).total_seconds() / 3600
    assert hours == 23
    assert days(period.previous()) == (date(2026, 3, 28), date(2026, 3, 28), 1)
    assert [offset for _, offset in utc_offsets(period)] == [3600, 7200]
    assert utc_offsets(period)[0][0] == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("yesteryear", InvalidPeriodReason.UNKNOWN),
        ("0d", InvalidPeriodReason.UNKNOWN),
        ("d", InvalidPeriodReason.UNKNOWN),
        ("-3d", InvalidPeriodReason.UNKNOWN),
        ("9999d", InvalidPeriodReason.TOO_LONG),
        ("2026-02-30..2026-03-01", InvalidPeriodReason.BAD_DATE),
        ("2026-03-01..", InvalidPeriodReason.BAD_DATE),
        ("0001-01-01..0001-01-05", InvalidPeriodReason.BAD_DATE),  # no zone can hold it
        ("9999-12-27..9999-12-31", InvalidPeriodReason.BAD_DATE),
        ("2026-03-10..2026-03-01", InvalidPeriodReason.REVERSED),
        ("2020-01-01..2026-01-01", InvalidPeriodReason.TOO_LONG),
    ],
)
def test_bad_input_is_a_value(text: str, reason: InvalidPeriodReason) -> None:
    assert parse_period(text, SHANGHAI) == InvalidPeriod(text, reason)


def test_unknown_time_zone_is_a_value() -> None:
    assert parse_period("7d", "Mars/Olympus") == InvalidPeriod("7d", InvalidPeriodReason.BAD_ZONE)
