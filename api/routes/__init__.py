"""The API's routes, one module per resource; :data:`ROUTES` is what ``build_api`` serves."""

from __future__ import annotations

from aiohttp import web

from api.routes import members, meta, purchases, reports, vouchers

ROUTES: list[web.RouteDef] = [
    *purchases.ROUTES,
    *members.ROUTES,
    *vouchers.ROUTES,
    *reports.ROUTES,
    *meta.ROUTES,
]
