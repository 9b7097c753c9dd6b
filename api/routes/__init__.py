"""The API's routes, one module per resource; :data:`ROUTES` is what ``build_api`` serves."""

from __future__ import annotations

from aiohttp import web

from api.routes import enrolment, events, members, meta, purchases, reports, vouchers

ROUTES: list[web.RouteDef] = [
    *purchases.ROUTES,
    *events.ROUTES,
    *members.ROUTES,
    *enrolment.ROUTES,
    *vouchers.ROUTES,
    *reports.ROUTES,
    *meta.ROUTES,
]
