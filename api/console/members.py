"""Members: search, filters, sort, keyset pages and the export of what is on screen.

One reading of the query (:func:`read_query`) serves the page, its htmx fragment of rows,
the JSON list and the export, so the four always mean the same selection. The query code
is :mod:`models.members.directory`; RFM segments (marketing's) filter its batches through
``keep`` with thresholds computed at most every :data:`THRESHOLDS_FOR`.
"""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from api import validation as v
from api.console.common import ACTOR_KIND, Route, Section, Visitor, page, zone
from api.console.member import MEMBER_ROUTES, member_schema, phone_for, tier_json
from api.errors import ApiError
from models.exports import datasets
from models.ledger import rule_versions
from models.ledger.config import RuleSet
from models.marketing import segments
from models.members import directory


def visit_key(visit: directory.Visit) -> str:
    return f"console-visit-{visit.value}"


def sort_key(sort: directory.Sort) -> str:
    return f"console-sort-{sort.value.replace('_', '-')}"


LOCALE_KEYS = (
    *(visit_key(visit) for visit in directory.Visit),
    *(sort_key(sort) for sort in directory.Sort),
)
"""Every key built at run time here (``tests/test_runtime_locale_keys.py``)."""

LIST_PARAMS = {"q", "tier", "segment", "visit", "days", "sort", "order", "cursor", "limit"}
THRESHOLDS_FOR = 300.0
SEGMENTS = tuple(s.value for s in segments.Segment)
SORTS = tuple(directory.Sort)
TIER = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
"""A tier key as ``config.toml`` spells them; an empty value (the form's "any") is none."""


@dataclass(frozen=True)
class Query:
    selection: directory.Selection
    segment: segments.Segment | None
    cursor: str | None
    limit: int

    def described(self) -> dict[str, Any]:
        """The selection as the export's audit row records it."""
        return {
            **{k: str(v) if v is not None else None for k, v in asdict(self.selection).items()},
            "segment": self.segment.value if self.segment else None,
        }


def _choice(query: Mapping[str, str], name: str, allowed: tuple[str, ...]) -> str | None:
    value = query.get(name) or None
    if value is not None and value not in allowed:
        raise v.invalid(name, "unknown")
    return value


def _number(query: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise v.invalid(name, "out-of-range")
    return int(raw)


def read_query(query: Mapping[str, str], extra: set[str] | frozenset[str] = frozenset()) -> Query:
    """The selection a list request names (422 ``invalid_field`` for anything else)."""
    v.only(query, LIST_PARAMS | set(extra))
    text = (query.get("q") or "").strip()
    if len(text) > 64:
        raise v.invalid("q", "length")
    tier = query.get("tier") or None
    if tier is not None and not TIER.match(tier):
        raise v.invalid("tier", "not-a-tier")
    visit = _choice(query, "visit", tuple(directory.Visit))
    sort = _choice(query, "sort", tuple(directory.Sort)) or directory.Sort.JOINED
    order = _choice(query, "order", ("asc", "desc")) or "desc"
    segment = _choice(query, "segment", SEGMENTS)
    cursor = query.get("cursor") or None
    if cursor is not None and len(cursor) > 200:
        raise v.invalid("cursor", "length")
    selection = directory.Selection(
        text=text,
        tier=tier,
        visit=directory.Visit(visit) if visit else None,
        visit_days=_number(query, "days", 30, 1, 3650),
        sort=directory.Sort(sort),
        descending=order == "desc",
    )
    return Query(
        selection,
        segments.Segment(segment) if segment else None,
        cursor,
        _number(query, "limit", directory.PAGE_SIZE, 1, directory.MAX_PAGE),
    )


class _Thresholds:
    """RFM cutoffs, recomputed at most every :data:`THRESHOLDS_FOR` seconds (ranking every
    buyer of the year is the expensive part; a page of members is cheap)."""

    def __init__(self) -> None:
        self.value: segments.RfmThresholds | None = None
        self.at = 0.0

    def clear(self) -> None:
        """Forget them (tests open a new store between calls)."""
        self.value = None

    async def get(self) -> segments.RfmThresholds:
        if self.value is None or time.monotonic() - self.at > THRESHOLDS_FOR:
            self.value, self.at = await segments.thresholds(), time.monotonic()
        return self.value


THRESHOLDS = _Thresholds()


def keep_for(segment: segments.Segment | None) -> directory.Keep | None:
    if segment is None:
        return None

    async def keep(rows: list[directory.Listed]) -> list[directory.Listed]:
        found = await segments.segments_of(directory.ids(rows), await THRESHOLDS.get())
        return [row for row in rows if found.get(row.id) is segment]

    return keep


async def _page(query: Query) -> directory.Page:
    try:
        return await directory.page(
            query.selection, after=query.cursor, limit=query.limit, keep=keep_for(query.segment)
        )
    except directory.InvalidCursor:
        raise ApiError(422, "invalid_cursor", field="cursor") from None


def item_json(row: directory.Listed, visitor: Visitor, rules: RuleSet) -> dict[str, Any]:
    return {
        "code": row.code,
        "name": row.name,
        "tier": tier_json(row.tier, rules, visitor.language),
        "balance": row.balance,
        "phone": phone_for(visitor, row.phone),
        "external_id": row.external_id,
        "joined_at": row.created_at,
        "last_purchase_at": row.last_purchase_at,
    }


async def list_members(request: web.Request, visitor: Visitor) -> dict[str, Any]:
    query = read_query(request.query)
    found = await _page(query)
    rules = (await rule_versions.current())[1]
    return {"items": [item_json(r, visitor, rules) for r in found.items], "next": found.next}


async def _listing(request: web.Request, visitor: Visitor, template: str) -> web.Response:
    query = read_query(request.query)
    found = await _page(query)
    rules = (await rule_versions.current())[1]
    params = {k: val for k, val in request.query.items() if k != "cursor" and val}
    say = visitor.t
    return page(
        request,
        visitor,
        template,
        fragment=template == "members_rows.html",
        first_page=query.cursor is None,
        segment_names={s: say(segments.SEGMENT_KEYS[segments.Segment(s)]) for s in SEGMENTS},
        visit_names={x.value: say(visit_key(x)) for x in directory.Visit},
        sort_names={x.value: say(sort_key(x)) for x in directory.Sort},
        rows=[item_json(r, visitor, rules) for r in found.items],
        next=found.next,
        params=params,
        query=query,
        tiers=[tier_json(lvl.key, rules, visitor.language) for lvl in rules.tiers.levels],
        segments=SEGMENTS,
        visits=tuple(directory.Visit),
        sorts=tuple(directory.Sort),
    )


async def members_page(request: web.Request, visitor: Visitor) -> web.Response:
    return await _listing(request, visitor, "members.html")


async def rows_fragment(request: web.Request, visitor: Visitor) -> web.Response:
    """The htmx fragment: the rows of a page and the button that loads the next."""
    return await _listing(request, visitor, "members_rows.html")


async def export_members(request: web.Request, visitor: Visitor) -> web.Response:
    """The current selection (every page of it, in its order) as CSV or XLSX."""
    query = read_query(request.query, {"format"})
    fmt = datasets.ExportFormat(_choice(request.query, "format", ("csv", "xlsx")) or "csv")

    async def batches() -> AsyncIterator[list[int]]:
        async for rows in directory.pages(query.selection, keep=keep_for(query.segment)):
            yield directory.ids(rows)

    with tempfile.TemporaryDirectory(prefix="jifen-console-") as folder:
        path = Path(folder) / f"members.{fmt.value}"
        await datasets.export_members(
            batches(),
            path,
            fmt=fmt,
            t=visitor.t,
            tz=zone(request),
            language=visitor.language,
            actor_telegram_id=visitor.telegram_id,
            actor_kind=ACTOR_KIND,
            selection=query.described(),
        )
        data = path.read_bytes()
    kinds = {
        "csv": "text/csv",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    return web.Response(
        body=data,
        content_type=kinds[fmt.value],
        headers={
            "Content-Disposition": f'attachment; filename="members.{fmt.value}"',
            "Cache-Control": "no-store",
        },
    )


def _query_param(name: str, schema: dict[str, Any], description: str = "") -> dict[str, Any]:
    return {"name": name, "in": "query", "schema": schema, "description": description}


def _number_or_empty(low: int, high: int) -> dict[str, Any]:
    """An integer, or empty as an HTML form sends a cleared number field (the default)."""
    return {"anyOf": [{"type": "integer", "minimum": low, "maximum": high}, {"const": ""}]}


LIST_QUERY = [
    _query_param(
        "q",
        {"type": "string", "maxLength": 64, "pattern": r"^[^\u0000-\u001f\u007f-\u009f]*$"},
        "name (every word), member code, external id or phone (whole or last digits)",
    ),
    _query_param("tier", {"type": "string", "maxLength": 32, "pattern": r"^[A-Za-z0-9_-]*$"}),
    _query_param("segment", {"enum": ["", *SEGMENTS]}, "empty: any"),
    _query_param(
        "visit", {"enum": ["", *directory.Visit]}, "last purchase within/over `days`, or never"
    ),
    _query_param("days", _number_or_empty(1, 3650), "default 30"),
    _query_param("sort", {"enum": ["", *directory.Sort]}),
    _query_param("order", {"enum": ["", "asc", "desc"]}),
    _query_param(
        "cursor",
        {"type": "string", "maxLength": 200, "pattern": r"^[A-Za-z0-9_-]*$"},
        "the previous page's next",
    ),
    _query_param("limit", _number_or_empty(1, directory.MAX_PAGE)),
]

SECTION = Section(
    key="members",
    title="console-nav-members",
    path="/members",
    schemas={"Member": member_schema()},
    routes=(
        Route("GET", "/members", members_page),
        Route("GET", "/members/rows", rows_fragment),
        Route(
            "GET",
            "/api/members",
            list_members,
            doc={
                "operationId": "listMembers",
                "summary": "Search, filter and sort members, a keyset page at a time",
                "parameters": LIST_QUERY,
                "responses": {
                    "200": {
                        "description": "a page",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["items", "next"],
                                    "properties": {
                                        "items": {"type": "array", "items": {"type": "object"}},
                                        "next": {"type": ["string", "null"]},
                                    },
                                }
                            }
                        },
                    },
                    "422": {"$ref": "#/components/responses/Error"},
                },
            },
        ),
        Route(
            "GET",
            "/api/exports/members",
            export_members,
            doc={
                "operationId": "exportMembers",
                "summary": "The current selection as CSV or XLSX (audited)",
                "parameters": [
                    *[p for p in LIST_QUERY if p["name"] not in ("cursor", "limit")],
                    _query_param("format", {"enum": ["", "csv", "xlsx"]}, "default csv"),
                ],
                "responses": {
                    "200": {
                        "description": "the file",
                        "content": {
                            "text/csv": {"schema": {"type": "string"}},
                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                                "schema": {"type": "string"}
                            },
                        },
                    },
                    "422": {"$ref": "#/components/responses/Error"},
                },
            },
        ),
        *MEMBER_ROUTES,
    ),
)
"""Admins and marketers; adjusting points (in :mod:`api.console.member`) is admins' only."""
