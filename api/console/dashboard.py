"""The dashboard: ``/report``'s figures for a period beside the previous one, as charts.

The figures are :func:`api.routes.reports.summary_body`, the very function behind
``GET /api/v1/reports/summary`` (so the two answer the same), and the daily series are
:mod:`models.reports.series`, the chart album's; the page draws them with ECharts from
the JSON (``/console/api/reports/summary`` and ``/console/api/reports/series``).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from api import validation as v
from api.console.common import Route, Section, Visitor, page, settings
from api.context import plain
from api.openapi import TEXT_PATTERN
from api.routes.reports import period_of, summary_body
from models.ledger import rule_versions
from models.reports import periods, series

PERIODS = ("today", "7d", "30d", "month", "last-month", "90d")


def period_key(period: str) -> str:
    return f"console-period-{period}"


LOCALE_KEYS = tuple(period_key(period) for period in PERIODS)
"""Every key built at run time here (``tests/test_runtime_locale_keys.py``)."""
FIGURES = (
    ("sales_minor", "console-fig-sales", "money"),
    ("purchases", "console-fig-purchases", "count"),
    ("average_ticket_minor", "console-fig-average-ticket", "money"),
    ("points_issued", "console-fig-points-issued", "points"),
    ("points_redeemed", "console-fig-points-redeemed", "points"),
    ("points_expired", "console-fig-points-expired", "points"),
    ("liability_points", "console-fig-liability", "points"),
    ("new_members", "console-fig-new-members", "count"),
    ("active_members", "console-fig-active-members", "count"),
)
"""The cards on top: (summary field, label key, how to show it)."""

PERIOD_QUERY = {
    "name": "period",
    "in": "query",
    "schema": {"type": "string", "maxLength": 32, "pattern": r"^[A-Za-z0-9.\-]*$"},
    "description": "today, yesterday, 7d, 30d, month, last-month or YYYY-MM-DD..YYYY-MM-DD "
    "(default 7d)",
}
LOCATION_QUERY = {
    "name": "location",
    "in": "query",
    "schema": {"type": "string", "minLength": 1, "maxLength": 64, "pattern": TEXT_PATTERN},
}


def _period(request: web.Request) -> periods.Period:
    return period_of(request.query.get("period"), settings(request).scheduler.timezone)


async def get_summary(request: web.Request, visitor: Visitor) -> dict[str, Any]:
    """The same figures as ``GET /api/v1/reports/summary`` (one function, two routes)."""
    v.only(request.query, {"period", "location"})
    return await summary_body(_period(request), v.text(request.query, "location"))


async def get_series(request: web.Request, visitor: Visitor) -> dict[str, Any]:
    """Day by day: sales and purchases (and the previous period's, day for day), points
    issued, redeemed and expired; campaign days marked."""
    v.only(request.query, {"period", "location"})
    period = _period(request)
    location = v.text(request.query, "location")
    before = period.previous()
    sales = await series.sales_series(period, location=location)
    sales_before = await series.sales_series(before, location=location)
    points = await series.points_series(period)
    currency = (await rule_versions.current())[1].currency
    return plain(
        {
            "currency": {"code": currency.code, "exponent": currency.exponent},
            "days": [d.day for d in sales],
            "previous_days": [d.day for d in sales_before],
            "sales_minor": [d.sales_minor for d in sales],
            "purchases": [d.purchases for d in sales],
            "previous_sales_minor": [d.sales_minor for d in sales_before],
            "previous_purchases": [d.purchases for d in sales_before],
            "campaign_days": [d.campaign for d in sales],
            "points_issued": [d.issued for d in points],
            "points_redeemed": [d.redeemed for d in points],
            "points_expired": [d.expired for d in points],
        }
    )


async def dashboard(request: web.Request, visitor: Visitor) -> web.StreamResponse:
    v.only(request.query, {"period"})
    chosen = request.query.get("period") or "7d"
    report = await summary_body(_period(request), None)
    rules = (await rule_versions.current())[1]
    return page(
        request,
        visitor,
        "dashboard.html",
        report=report,
        rules=rules,
        figures=FIGURES,
        periods=[(p, visitor.t(period_key(p))) for p in PERIODS],
        chosen=chosen,
    )


REPORT_DOC = {
    "parameters": [PERIOD_QUERY, LOCATION_QUERY],
    "responses": {
        "200": {
            "description": "figures",
            "content": {"application/json": {"schema": {"type": "object"}}},
        },
        "422": {"$ref": "#/components/responses/Error"},
    },
}

SECTION = Section(
    key="dashboard",
    title="console-nav-dashboard",
    path="/",
    routes=(
        Route("GET", "/", dashboard),
        Route(
            "GET",
            "/api/reports/summary",
            get_summary,
            doc={
                "operationId": "getReportSummary",
                "summary": "The /report figures (same as /api/v1/reports/summary)",
                **REPORT_DOC,
            },
        ),
        Route(
            "GET",
            "/api/reports/series",
            get_series,
            doc={
                "operationId": "getReportSeries",
                "summary": "Daily series for the dashboard's charts",
                **REPORT_DOC,
            },
        ),
    ),
)
