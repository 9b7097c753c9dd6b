"""``GET /reports/summary``: the figures of the chat's /report, as JSON."""

from __future__ import annotations

import dataclasses
from typing import Any

from aiohttp import web

from api import validation as v
from api.auth import api_key
from api.context import plain, rules_in_force, timezone
from api.errors import ApiError
from models.marketing import offers
from models.reports import periods, summary


def _figure(figure: summary.Figure) -> dict[str, Any]:
    return {
        "current": figure.current,
        "previous": figure.previous,
        "change_percent": figure.change_percent,
    }


def _jsonable(value: Any) -> Any:
    """Report dataclasses as plain data (figures with their change, decimals as strings)."""
    if isinstance(value, summary.Figure):
        return _figure(value)
    if isinstance(value, periods.Period):
        return {
            "start": value.start,
            "end": value.end,
            "first_day": value.first_day,
            "last_day": value.last_day,
            "days": value.days,
            "label": value.label,
        }
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    return value


def period_of(text: str | None, tz: str) -> periods.Period:
    """The report period the query names (empty: 7d), or 422 ``invalid_period``."""
    period = periods.parse_period(text, tz)
    if isinstance(period, periods.InvalidPeriod):
        raise ApiError(422, "invalid_period", reason=period.reason.value)
    return period


async def summary_body(period: periods.Period, location: str | None) -> dict[str, Any]:
    """The summary as JSON: one function behind ``/api/v1/reports/summary`` and the
    console's ``/console/api/reports/summary``, so the two answer the same figures."""
    rules = await rules_in_force()
    report = await summary.summary(
        period,
        location=location,
        point_value_minor=rules.usage.point_value_minor,
        tiers=rules.tiers,
    )
    body = {"currency": rules.currency.code, **_jsonable(report)}
    body["targeted_campaigns"] = _jsonable(await offers.targeted_reports(period.start, period.end))
    return plain(body)


async def get_summary(request: web.Request) -> web.Response:
    v.only(request.query, {"period", "location"})  # a typo ("locaton") would report all
    period = period_of(request.query.get("period"), timezone(request))
    asked = v.text(request.query, "location")
    bound = api_key(request).location
    if bound is not None and asked not in (None, bound):
        raise ApiError(403, "location_mismatch", location=bound)
    return web.json_response(await summary_body(period, bound or asked))


ROUTES = [web.get("/reports/summary", get_summary)]
