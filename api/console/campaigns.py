"""Campaigns and offers: the list with status, audience and lift; creating one with an
audience builder that counts as the conditions change; pausing, resuming and ending.

Everything goes through the chat's store operations: a campaign for everyone is
:func:`campaigns.create`, a targeted one :func:`audiences.create_campaign` (the same rule
validation, the same refusal of an audience that finds nobody), the count is
:func:`audiences.preview`, the lift :func:`offers.campaign_report`; the status changes are
:func:`campaigns.pause` / ``resume`` / ``end``. Writes are audited with actor kind
``console`` and keyed by ``Idempotency-Key``; a refused write leaves nothing.

The builder's fields are flat (``audience``, ``tiers``, ``segment``, ``days``,
``category``, ``codes``, ``mode``, ``control_percent``) so one reading
(:func:`read_audience`) serves the htmx count as a query and the creation as JSON.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from aiohttp import web

from api import validation as v
from api.console.common import (
    ACTOR_KIND,
    ERROR,
    IDEMPOTENCY,
    Route,
    Section,
    Visitor,
    created_responses,
    error_text,
    json_doc,
    page,
    settings,
    status_changed_responses,
)
from api.console.forms import text as _str
from api.console.forms import whole as _int
from api.context import refusal, respond
from api.errors import ApiError
from api.idempotency import Answer, run_once
from api.openapi import PRINTABLE_PATTERN, SAFE_MAX
from models.ledger import rule_versions, tiers
from models.ledger.targeting import Audience, AudienceKind, AudienceMode, audience_of
from models.marketing import audiences, campaigns, offers, segments
from models.marketing.audiences import EmptyAudience, InvalidAudience, TargetedCampaignCreated
from models.marketing.campaigns import (
    CampaignChanged,
    CampaignCreated,
    CampaignDraft,
    CampaignNotChangeable,
    InvalidCampaign,
    UnknownCampaign,
)
from models.store import clock
from models.store.tables import Campaign, CampaignKind, CampaignStatus

KINDS = ("all", *(k.value for k in AudienceKind if k != AudienceKind.WINBACK))
"""What the builder offers: everyone, or one rule (win-back is the scheduler's own)."""
AUDIENCE_FIELDS = {"audience", "tiers", "segment", "days", "category", "codes", "mode"}
AUDIENCE_FIELDS |= {"control_percent"}
CAMPAIGN_FIELDS = {"name_en", "name_zh", "kind", "multiplier", "bonus_points", "starts_at"}
CAMPAIGN_FIELDS |= {"ends_at"}
DEFAULT_DAYS = {AudienceKind.AT_RISK: 60, AudienceKind.CATEGORY: 30}
"""The rules that look back a number of days, and the chat's default for each."""
MAX_BODY = 128 * 1024
MAX_CODES_TEXT = 100_000
LIST_LIMIT = 50


def status_key(status: CampaignStatus) -> str:
    return f"console-campaign-status-{status.value}"


LOCALE_KEYS = tuple(status_key(s) for s in CampaignStatus)
"""Every key built at run time here (``tests/test_runtime_locale_keys.py``)."""


# ---- reading the builder --------------------------------------------------------------


def read_audience(source: Mapping[str, Any]) -> Audience | None:
    """The builder's rule (``None``: everyone); 422 ``invalid_field`` for a malformed one.
    Whether the rule itself holds (known tiers, a real segment…) is the store's check."""
    kind = _str(source, "audience") if "audience" in source else "all"
    if kind not in KINDS:
        raise v.invalid("audience", "unknown")
    mode = _str(source, "mode") if "mode" in source else AudienceMode.SNAPSHOT.value
    if mode not in tuple(AudienceMode):
        raise v.invalid("mode", "unknown")
    tiers_text, codes = _str(source, "tiers", 400), _str(source, "codes", MAX_CODES_TEXT)
    segment, category = _str(source, "segment"), _str(source, "category")
    control = _int(source, "control_percent", 0, 100)
    wanted = None if kind == "all" else AudienceKind(kind)
    days = _int(source, "days", DEFAULT_DAYS.get(wanted, 0) if wanted else 0, 100_000)
    if wanted is None:
        return None
    # only the chosen rule's own fields: the form sends them all, the chat asks for one
    return Audience(
        kind=wanted,
        mode=AudienceMode(mode),
        control_percent=control,
        tiers=tuple(tiers_text.replace(",", " ").split()) if wanted == AudienceKind.TIER else (),
        segment=segment if wanted == AudienceKind.SEGMENT else "",
        category=category if wanted == AudienceKind.CATEGORY else "",
        days=days if wanted in DEFAULT_DAYS else 0,
        codes=(codes,) if wanted == AudienceKind.MEMBERS else (),  # read by ``with_phones``
    )


async def tier_keys() -> list[str]:
    return [level.key for level in (await rule_versions.current())[1].tiers.levels]


async def with_phones(
    request: web.Request, audience: Audience | None
) -> tuple[Audience | None, tuple[str, ...]]:
    """A member list's phones replaced by their members' codes, and what was not read."""
    if audience is None or audience.kind != AudienceKind.MEMBERS:
        return audience, ()
    country = settings(request).members.default_country
    read = await audiences.read_member_list("\n".join(audience.codes), country)
    return replace(audience, codes=read.codes), (*read.unknown, *read.unreadable)


async def count(request: web.Request, source: Mapping[str, Any]) -> dict[str, Any]:
    """The live count the builder shows: :func:`audiences.preview`'s, or 422 with why."""
    audience, unread = await with_phones(request, read_audience(source))
    if audience is None:
        return {"everyone": True, "size": None, "unknown_codes": [], "unread": []}
    problem = audiences.validate(audience, await tier_keys())
    if problem is not None:
        listed = {"unread": ", ".join(unread)} if unread else {}
        raise ApiError(422, "invalid_audience", field=problem.field, **listed)
    found = await audiences.preview(audience)
    size = 0 if isinstance(found, EmptyAudience) else found.size
    return {
        "everyone": False,
        "size": size,
        "unknown_codes": list(found.unknown_codes),
        "unread": list(unread),
    }


# ---- reading a campaign ---------------------------------------------------------------


def _when(source: Mapping[str, Any], name: str, tz: str, *, end: bool = False) -> datetime:
    text = _str(source, name, 32)
    found = campaigns.parse_local_datetime(text, tz, end=end) if text else None
    if found is None:  # well-formed JSON, but not a time: the campaign's refusal, not JSON's
        raise ApiError(422, "invalid_campaign", field=name, reason="not-a-time")
    return found


def read_draft(body: Mapping[str, Any], tz: str) -> CampaignDraft:
    kind = _str(body, "kind")
    if kind not in tuple(CampaignKind):
        raise v.invalid("kind", "unknown")
    multiplier = Decimal(1)
    if kind == CampaignKind.MULTIPLIER:
        found = campaigns.parse_multiplier(_str(body, "multiplier", 16))
        if found is None:
            raise ApiError(422, "invalid_campaign", field="multiplier", reason="range")
        multiplier = found
    names = {"en": _str(body, "name_en", 200), "zh-Hans": _str(body, "name_zh", 200)}
    return CampaignDraft(
        names={k: n for k, n in names.items() if n},
        kind=CampaignKind(kind),
        starts_at=_when(body, "starts_at", tz),
        ends_at=_when(body, "ends_at", tz, end=True),
        multiplier=multiplier,
        bonus_points=_int(body, "bonus_points", 0, SAFE_MAX) if kind == CampaignKind.BONUS else 0,
    )


async def campaign_json(row: Campaign, visitor: Visitor) -> dict[str, Any]:
    audience = audience_of(row)
    lift = await offers.campaign_report(row) if audience is not None else None
    return {
        "id": row.id,
        "name": campaigns.campaign_name(row, visitor.language),
        "names": row.names,
        "kind": row.kind.value,
        "multiplier": str(row.multiplier),
        "bonus_points": row.bonus_points,
        "status": row.status.value,
        "status_text": visitor.t(status_key(row.status)),
        "starts_at": row.starts_at,
        "ends_at": row.ends_at,
        "audience": None
        if audience is None
        else {
            "kind": audience.kind.value,
            "mode": audience.mode.value,
            "control_percent": audience.control_percent,
            "size": audiences.size_of(row),
        },
        "lift": None
        if lift is None
        else {
            "targeted_members": lift.targeted.members,
            "targeted_buyers": lift.targeted.buyers,
            "control_members": lift.control.members,
            "control_buyers": lift.control.buyers,
            "lift_permille": lift.lift_permille(),
        },
    }


async def list_json(visitor: Visitor) -> list[dict[str, Any]]:
    rows = await campaigns.list_campaigns(include_ended=True, limit=LIST_LIMIT)
    return [await campaign_json(row, visitor) for row in rows]


# ---- handlers ---------------------------------------------------------------------------


def _tz(request: web.Request) -> str:
    return settings(request).scheduler.timezone


async def campaigns_page(request: web.Request, visitor: Visitor) -> web.Response:
    v.only(request.query, set())
    rules = (await rule_versions.current())[1]
    return page(
        request,
        visitor,
        "campaigns.html",
        campaigns=await list_json(visitor),
        tiers=[
            {"key": lvl.key, "name": tiers.tier_name(lvl, visitor.language)}
            for lvl in rules.tiers.levels
        ],
        kinds=KINDS,
        segment_names={s.value: visitor.t(segments.SEGMENT_KEYS[s]) for s in segments.Segment},
        idempotency_key=uuid.uuid4().hex,
        now=clock.now(),
    )


async def list_campaigns(request: web.Request, visitor: Visitor) -> dict[str, Any]:
    v.only(request.query, set())
    return {"items": await list_json(visitor)}


async def get_count(request: web.Request, visitor: Visitor) -> dict[str, Any]:
    v.only(request.query, AUDIENCE_FIELDS)
    return await count(request, request.query)


async def count_fragment(request: web.Request, visitor: Visitor) -> web.Response:
    """The builder's count under the form (htmx): the same numbers as ``get_count``."""
    allowed = AUDIENCE_FIELDS | CAMPAIGN_FIELDS
    try:
        v.only(request.query, allowed)
        found, problem = await count(request, request.query), None
    except ApiError as error:
        found, problem = None, error
    text = error_text(problem, visitor.language) if problem is not None else ""
    unread = problem.details.get("unread", "") if problem is not None else ""
    return page(
        request, visitor, "campaigns_count.html", found=found, problem_text=text, unread=unread
    )


def _refused(result: Any) -> ApiError | None:
    if isinstance(result, InvalidCampaign):
        return ApiError(422, "invalid_campaign", field=result.field, reason=result.reason)
    if isinstance(result, InvalidAudience):
        return ApiError(422, "invalid_audience", field=result.field)
    if isinstance(result, EmptyAudience):
        return ApiError(422, "empty_audience")
    return None


async def create_campaign(request: web.Request, visitor: Visitor) -> web.Response:
    """The builder's form as JSON → 201 with the campaign (and its audience size)."""
    key = v.idempotency_key(request)
    body = await v.read_json(request, MAX_BODY)
    v.only(body, AUDIENCE_FIELDS | CAMPAIGN_FIELDS)
    draft = read_draft(body, _tz(request))
    audience, unread = await with_phones(request, read_audience(body))

    async def work() -> Answer:
        if audience is None:
            made: Any = await campaigns.create(
                draft, actor_telegram_id=visitor.telegram_id, actor_kind=ACTOR_KIND
            )
        else:
            made = await audiences.create_campaign(
                draft,
                audience,
                tier_keys=await tier_keys(),
                actor_telegram_id=visitor.telegram_id,
                actor_kind=ACTOR_KIND,
            )
        problem = _refused(made)
        if problem is not None:
            return refusal(problem)
        size = made.size if isinstance(made, TargetedCampaignCreated) else None
        assert isinstance(made, CampaignCreated | TargetedCampaignCreated)
        return Answer(201, {"id": made.campaign_id, "audience_size": size, "unread": unread})

    answer = await run_once(
        f"console:{visitor.telegram_id}:campaign:{key}",
        "console.campaign",
        body,
        work,
        idempotent_work=False,
    )
    return respond(answer)


def _campaign_id(request: web.Request) -> int:
    return v.whole_number(request.match_info["id"], "id", minimum=1, maximum=SAFE_MAX)


def mover(operation: Any, verb: str) -> Any:
    """A handler for ``POST /api/campaigns/{id}/<verb>`` (pause, resume, end)."""

    async def move(request: web.Request, visitor: Visitor) -> web.Response:
        campaign_id = _campaign_id(request)
        key = v.idempotency_key(request)

        async def work() -> Answer:
            result = await operation(
                campaign_id, actor_telegram_id=visitor.telegram_id, actor_kind=ACTOR_KIND
            )
            if isinstance(result, UnknownCampaign):
                return refusal(ApiError(404, "campaign_not_found"))
            if isinstance(result, CampaignNotChangeable):
                return refusal(
                    ApiError(
                        409, "campaign_not_changeable", state=visitor.t(status_key(result.status))
                    )
                )
            assert isinstance(result, CampaignChanged)
            return Answer(200, {"id": campaign_id, "status": result.status.value})

        answer = await run_once(
            f"console:{visitor.telegram_id}:campaign-{verb}:{key}",
            f"console.campaign.{verb}",
            {"id": campaign_id},
            work,
            idempotent_work=False,
        )
        return respond(answer)

    move.__name__ = f"{verb}_campaign"
    return move


# ---- OpenAPI ----------------------------------------------------------------------------

TEXT = {"type": "string", "maxLength": 64, "pattern": PRINTABLE_PATTERN}
AUDIENCE_PROPERTIES: dict[str, Any] = {
    "audience": {"type": "string", "enum": list(KINDS)},
    "tiers": {"type": "string", "maxLength": 400, "pattern": PRINTABLE_PATTERN},
    "segment": TEXT,
    "days": {"type": "integer", "minimum": 0, "maximum": 100_000},
    "category": TEXT,
    "codes": {"type": "string", "maxLength": MAX_CODES_TEXT, "pattern": PRINTABLE_PATTERN},
    "mode": {"type": "string", "enum": [m.value for m in AudienceMode]},
    "control_percent": {"type": "integer", "minimum": 0, "maximum": 100},
}
COUNT_PARAMETERS = [
    {"name": name, "in": "query", "schema": schema}
    for name, schema in AUDIENCE_PROPERTIES.items()
    if name != "codes"
] + [
    {
        "name": "codes",
        "in": "query",
        "schema": {"type": "string", "maxLength": 2000, "pattern": PRINTABLE_PATTERN},
    }
]
ID = {
    "name": "id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 1, "maximum": SAFE_MAX},
}


def _move_route(verb: str, operation: Any, summary: str) -> Route:
    return Route(
        "POST",
        f"/api/campaigns/{{id}}/{verb}",
        mover(operation, verb),
        doc={
            "operationId": f"{verb}Campaign",
            "summary": summary,
            "parameters": [ID, IDEMPOTENCY],
            "responses": status_changed_responses(),
        },
    )


SECTION = Section(
    key="campaigns",
    title="console-nav-campaigns",
    path="/campaigns",
    schemas={
        "Campaign": {
            "type": "object",
            "required": ["id", "name", "kind", "status", "starts_at", "ends_at"],
            "properties": {
                "id": {"type": "integer"},
                "name": {"type": "string"},
                "kind": {"type": "string"},
                "status": {"type": "string"},
                "starts_at": {"type": "string"},
                "ends_at": {"type": "string"},
                "audience": {"type": ["object", "null"]},
                "lift": {"type": ["object", "null"]},
            },
        },
    },
    routes=(
        Route("GET", "/campaigns", campaigns_page),
        Route("GET", "/campaigns/count", count_fragment),
        Route(
            "GET",
            "/api/campaigns",
            list_campaigns,
            doc={
                "operationId": "listCampaigns",
                "summary": "Campaigns, newest first, with status, audience and lift",
                "responses": {
                    "200": json_doc(
                        {
                            "type": "object",
                            "properties": {
                                "items": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/Campaign"},
                                }
                            },
                        },
                        "the campaigns",
                    )
                },
            },
        ),
        Route(
            "GET",
            "/api/campaigns/audience-count",
            get_count,
            doc={
                "operationId": "countAudience",
                "summary": "How many members an audience rule finds now (audiences.preview)",
                "parameters": COUNT_PARAMETERS,
                "responses": {
                    "200": json_doc(
                        {
                            "type": "object",
                            "properties": {
                                "everyone": {"type": "boolean"},
                                "size": {"type": ["integer", "null"]},
                                "unknown_codes": {"type": "array", "items": {"type": "string"}},
                                "unread": {"type": "array", "items": {"type": "string"}},
                            },
                        },
                        "the count",
                    ),
                    "422": ERROR,
                },
            },
        ),
        Route(
            "POST",
            "/api/campaigns",
            create_campaign,
            doc={
                "operationId": "createCampaign",
                "summary": "Create a campaign, for everyone or a targeted audience",
                "parameters": [IDEMPOTENCY],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["kind", "starts_at", "ends_at"],
                                "additionalProperties": False,
                                "properties": {
                                    "name_en": {
                                        "type": "string",
                                        "maxLength": 200,
                                        "pattern": PRINTABLE_PATTERN,
                                    },
                                    "name_zh": {
                                        "type": "string",
                                        "maxLength": 200,
                                        "pattern": PRINTABLE_PATTERN,
                                    },
                                    "kind": {"type": "string", "enum": list(CampaignKind)},
                                    "multiplier": {
                                        "type": "string",
                                        "maxLength": 16,
                                        "pattern": PRINTABLE_PATTERN,
                                    },
                                    "bonus_points": {
                                        "type": "integer",
                                        "minimum": 0,
                                        "maximum": SAFE_MAX,
                                    },
                                    "starts_at": {
                                        "type": "string",
                                        "maxLength": 32,
                                        "pattern": PRINTABLE_PATTERN,
                                    },
                                    "ends_at": {
                                        "type": "string",
                                        "maxLength": 32,
                                        "pattern": PRINTABLE_PATTERN,
                                    },
                                    **AUDIENCE_PROPERTIES,
                                },
                            }
                        }
                    },
                },
                "responses": created_responses(
                    {
                        "type": "object",
                        "properties": {
                            "id": {"type": "integer"},
                            "audience_size": {"type": ["integer", "null"]},
                            "unread": {"type": "array", "items": {"type": "string"}},
                        },
                    },
                    "created",
                ),
            },
        ),
        _move_route("pause", campaigns.pause, "Pause a running campaign"),
        _move_route("resume", campaigns.resume, "Resume a paused campaign"),
        _move_route("end", campaigns.end, "End a campaign now"),
    ),
)
