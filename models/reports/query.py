"""Report SQL on both dialects: numbered parameters, local calendar days, typed reads."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from models.reports.periods import Period, utc_offsets
from models.store import db
from models.store.tables import Campaign, CampaignStatus


class Sql:
    """Numbered parameters in the dialect's spelling (``?n`` on SQLite, ``$n`` on PostgreSQL),
    so a query may be written in any order and reuse a parameter.

    SQLite stores datetimes as UTC ISO text (``2026-11-22 15:36:54.747051+00:00``), which
    sorts like time; parameters are written the same way. asyncpg takes datetimes as is.
    """

    def __init__(self) -> None:
        self.dialect = db.dialect()
        self.values: list[Any] = []

    @property
    def sqlite(self) -> bool:
        return self.dialect == "sqlite"

    def p(self, value: Any) -> str:
        if isinstance(value, datetime) and self.sqlite:
            value = value.astimezone(UTC).isoformat(sep=" ")
        self.values.append(value)
        return f"?{len(self.values)}" if self.sqlite else f"${len(self.values)}"

    def between(self, column: str, start: datetime, end: datetime) -> str:
        return f"{column} >= {self.p(start)} AND {column} < {self.p(end)}"

    def local_day(self, column: str, period: Period) -> str:
        """An expression for the local calendar day of a timestamp within ``period``."""
        if not self.sqlite:
            return f"CAST(({column} AT TIME ZONE {self.p(period.tz.key)}) AS DATE)"
        pieces = utc_offsets(period)
        if len(pieces) == 1:
            return f"date({column}, '{pieces[0][1]:+d} seconds')"
        cases = " ".join(
            f"WHEN {column} < {self.p(until)} THEN '{offset:+d} seconds'"
            for until, offset in pieces[:-1]
        )
        return f"date({column}, CASE {cases} ELSE '{pieces[-1][1]:+d} seconds' END)"

    async def rows(self, sql: str) -> list[dict[str, Any]]:
        return await db.connection().execute_query_dict(sql, self.values)

    async def one(self, sql: str) -> dict[str, Any]:
        rows = await self.rows(sql)
        return rows[0] if rows else {}


def as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def as_int(value: Any) -> int:
    return int(value or 0)


ISSUED_KINDS = ("earn", "bonus")
POINT_KINDS = ("earn", "bonus", "redeem", "expire", "adjust", "reverse")


def location_filter(q: Sql, location: str | None, column: str = "location") -> str:
    return f" AND {column} = {q.p(location)}" if location is not None else ""


async def campaigns_overlapping(period: Period) -> list[Campaign]:
    """Campaigns whose span meets the period (few rows: read as objects)."""
    return (
        await Campaign.filter(starts_at__lt=period.end, ends_at__gt=period.start)
        .exclude(status=CampaignStatus.PAUSED)
        .order_by("starts_at", "id")
    )
