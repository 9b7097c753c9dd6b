"""The audit log (admins): every privileged action, searchable by who (a name or a
Telegram id), what (an action or its prefix, ``role.``) and when (local dates,
inclusive), newest first, a page at a time by keyset (``before=<id>``), so paging stays
fast on a long trail and a row written meanwhile does not shift the pages.

The search is :func:`models.store.audit.search`; a malformed parameter is 422 naming it.
Actors are shown by name (their member row), else by id.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from aiohttp import web

from api import validation as v
from api.console.common import ERROR, Route, Section, Visitor, json_doc, page, zone
from api.errors import ApiError
from api.openapi import PRINTABLE_PATTERN, SAFE_MAX
from models.access import staff
from models.store import audit, days
from models.store.tables import AuditLog, Role

PAGE = 50
PARAMS = {"actor", "action", "from", "to", "before", "limit"}
ACTION = re.compile(r"^[a-z][a-z0-9_.]{0,63}$")
EMPTY_OR_DATE = {
    "anyOf": [
        {"type": "string", "maxLength": 0},
        {"type": "string", "format": "date", "pattern": days.YEAR_PATTERN},
    ]
}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _day(request: web.Request, name: str) -> date | None:
    text = request.query.get(name, "")
    if not text:
        return None
    try:
        if not DATE.match(text):
            raise ValueError(text)
        day = date.fromisoformat(text)
        if not days.storable(day):
            raise ValueError(text)
        return day
    except ValueError:
        raise v.invalid(name, "format") from None


def keyset(query: Mapping[str, str]) -> tuple[int | None, int]:
    """``before`` (the last id of the page read) and ``limit`` of a keyset-paged list."""
    before, limit = query.get("before"), query.get("limit")
    return (
        None if before is None else v.whole_number(before, "before", minimum=1, maximum=SAFE_MAX),
        PAGE if limit is None else v.whole_number(limit, "limit", minimum=1, maximum=200),
    )


async def search(request: web.Request) -> dict[str, Any]:
    """The query read and run: rows, and the cursor of the next page (or None)."""
    query = request.query
    v.only(query, PARAMS)
    if len(query.get("actor", "")) > 64:
        raise v.invalid("actor", "length")
    actor = query.get("actor", "").strip()
    action = query.get("action", "")
    if action and not ACTION.match(action):
        raise v.invalid("action", "format")
    first, last = _day(request, "from"), _day(request, "to")  # to < from: finds nothing
    before_id, limit = keyset(query)
    actors: list[int] | None = None
    if actor:
        actors = [int(actor)] if actor.isdigit() and len(actor) < 16 else []
        actors += await staff.ids_named(actor)
    tz = zone(request)
    rows = await audit.search(
        actors=actors,
        action=action or None,
        since=datetime.combine(first, time(), tz) if first else None,
        until=datetime.combine(last + timedelta(days=1), time(), tz) if last else None,
        before_id=before_id,
        limit=limit,
    )
    names = await staff.names_of(r.actor_telegram_id for r in rows)
    return {
        "entries": [entry_json(r, names) for r in rows],
        "next": rows[-1].id if len(rows) == limit else None,
        "query": {"actor": actor, "action": action, "from": first, "to": last},
    }


def entry_json(row: AuditLog, names: dict[int, str]) -> dict[str, Any]:
    actor = row.actor_telegram_id
    return {
        "id": row.id,
        "at": row.created_at,
        "actor": None if actor is None else names.get(actor, str(actor)),
        "actor_kind": row.actor_kind,
        "action": row.action,
        "target": row.target,
        "details": row.details,
    }


async def audit_page(request: web.Request, visitor: Visitor) -> web.Response:
    try:
        found, problem = await search(request), None
    except ApiError as error:
        found, problem = None, visitor.t("console-audit-bad-query", field=error.details["field"])
    params = {k: val for k, val in request.query.items() if k != "before" and val}
    return page(request, visitor, "audit.html", found=found, problem=problem, params=params)


async def get_audit(request: web.Request, visitor: Visitor) -> dict[str, Any]:
    return await search(request)


def _text(name: str, pattern: str = PRINTABLE_PATTERN, length: int = 64) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "schema": {"type": "string", "maxLength": length, "pattern": pattern},
    }


SECTION = Section(
    key="audit",
    title="console-nav-audit",
    path="/audit",
    role=Role.ADMIN,
    schemas={
        "AuditEntry": {
            "type": "object",
            "required": ["id", "at", "actor_kind", "action"],
            "properties": {
                "id": {"type": "integer"},
                "at": {"type": "string", "format": "date-time"},
                "actor": {"type": ["string", "null"]},
                "actor_kind": {"type": "string"},
                "action": {"type": "string"},
                "target": {"type": ["string", "null"]},
                "details": {"type": "object"},
            },
        }
    },
    routes=(
        Route("GET", "/audit", audit_page, role=Role.ADMIN),
        Route(
            "GET",
            "/api/audit",
            get_audit,
            role=Role.ADMIN,
            doc={
                "operationId": "searchAudit",
                "summary": "The audit trail newest first, by actor, action and dates (keyset)",
                "parameters": [
                    _text("actor"),
                    _text("action", "^$|^[a-z][a-z0-9_.]{0,63}$"),
                    {"name": "from", "in": "query", "schema": EMPTY_OR_DATE},
                    {"name": "to", "in": "query", "schema": EMPTY_OR_DATE},
                    {
                        "name": "before",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": SAFE_MAX},
                    },
                    {
                        "name": "limit",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 200},
                    },
                ],
                "responses": {
                    "200": json_doc(
                        {
                            "type": "object",
                            "properties": {
                                "entries": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/AuditEntry"},
                                },
                                "next": {"type": ["integer", "null"]},
                                "query": {"type": "object"},
                            },
                        },
                        "one page",
                    ),
                    "422": ERROR,
                },
            },
        ),
    ),
)
