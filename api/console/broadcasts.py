"""Broadcasts: compose in English and Chinese with a live preview of each version and the
live count of who will get it, send now or schedule, follow delivery, cancel.

Everything is the chat's (``/broadcast``): the draft is :func:`broadcasts.create_draft`,
sending :func:`broadcasts.start_now`, scheduling :func:`broadcasts.schedule`, cancelling
:func:`broadcasts.cancel` (only undelivered messages are withdrawn). The count is
:func:`broadcasts.count`, the very query that queues the deliveries (marketing class:
opted-in, reachable members only), so the number shown is the number who receive it.
The preview renders the outbox row a member reading that language would be sent
(:func:`broadcasts.outbox_parts` → :func:`models.delivery.outbox.new_message` →
:class:`scheduler.render.Renderer`, the sender's code), then shows Telegram's HTML.

The compose form's fields are flat (``text_en``, ``text_zh``, ``button_text``,
``button_url``, ``audience``, ``value``, ``scheduled_at``) and read once
(:func:`read_compose`) for the preview (a query) and the write (JSON).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
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
)
from api.console.forms import text
from api.console.telegram_html import shown
from api.context import refusal, respond
from api.errors import ApiError
from api.idempotency import Answer, run_once
from api.openapi import PRINTABLE_PATTERN, SAFE_MAX
from locales import LANGUAGES, localized
from models.delivery import outbox
from models.delivery.outbox_delivery import BroadcastCancelled
from models.ledger import rule_editing, rule_versions
from models.marketing import broadcasts
from models.marketing.broadcasts import (
    AUDIENCE_KINDS,
    Audience,
    AudienceKind,
    BroadcastSummary,
    InvalidButton,
    InvalidTime,
    LinkButton,
    NotADraft,
    Scheduled,
    Started,
    TextTooLong,
)
from models.store.tables import Broadcast, BroadcastStatus
from scheduler.render import Renderer

COMPOSE_FIELDS = {"text_en", "text_zh", "button_text", "button_url", "audience", "value"}
WRITE_FIELDS = COMPOSE_FIELDS | {"scheduled_at"}
TEXT_FIELDS = {"en": "text_en", "zh-Hans": "text_zh"}
MAX_BODY = 64 * 1024
MAX_DAYS = 3650
LIST_LIMIT = 20
LIVE = (BroadcastStatus.SCHEDULED, BroadcastStatus.SENDING)


def status_key(status: str) -> str:
    return f"console-broadcast-status-{status}"


def audience_key(kind: str) -> str:
    return f"broadcast-audience-{kind.replace('_', '-')}"


LOCALE_KEYS = (
    *(status_key(s.value) for s in BroadcastStatus),
    *(audience_key(kind) for kind in AUDIENCE_KINDS),
)
"""Every key built at run time here (``tests/test_runtime_locale_keys.py``)."""


# ---- reading the form -------------------------------------------------------------------


@dataclass(frozen=True)
class Compose:
    """A checked broadcast: what :func:`broadcasts.create_draft` and the preview take."""

    texts: dict[str, str]
    """The versions written, by language (at least one)."""
    button: LinkButton | None
    audience: Audience

    @property
    def text(self) -> str:
        """The text everyone without a version of their own gets: English, else Chinese."""
        return self.texts.get("en") or next(iter(self.texts.values()))

    def draft(self) -> Broadcast:
        """The unsaved draft row this form makes (the preview renders it)."""
        return Broadcast(
            text=self.text,
            texts=self.texts,
            button={"text": self.button.text, "url": self.button.url} if self.button else None,
            audience=self.audience.to_json(),
            photo_file_id=None,
            status=BroadcastStatus.DRAFT,
        )


def _refused(field: str, reason: str, **details: Any) -> ApiError:
    return ApiError(422, "invalid_broadcast", field=field, reason=reason, **details)


async def read_audience(source: Mapping[str, Any], tz: str) -> Audience:
    """The chat's audience kinds, with the value each needs (as ``/broadcast`` asks it)."""
    kind = text(source, "audience") if "audience" in source else AudienceKind.ALL
    if kind not in AUDIENCE_KINDS:  # an empty one too: the document lists the kinds
        raise v.invalid("audience", "unknown")
    raw = text(source, "value", 32)
    if kind == AudienceKind.TIER:
        levels = (await rule_versions.current())[1].tiers.levels
        if raw not in {level.key for level in levels}:
            raise _refused("value", "tier")
        return Audience(kind, raw)
    if kind == AudienceKind.LANGUAGE:
        if raw not in LANGUAGES:
            raise _refused("value", "language")
        return Audience(kind, raw)
    if kind == AudienceKind.INACTIVE:
        days = int(raw) if raw.isdigit() and len(raw) <= 4 else 0
        if not 1 <= days <= MAX_DAYS:
            raise _refused("value", "days")
        return Audience(kind, days)
    if kind == AudienceKind.SPENT:
        rules = (await rule_versions.current())[1]
        minor = rule_editing.parse_money(raw, rules.currency.exponent) if raw else None
        if minor is None or minor < 0 or minor > SAFE_MAX:
            raise _refused("value", "money")
        return Audience(kind, minor)
    if kind == AudienceKind.BIRTHDAY:
        return Audience(kind, tz)  # "this month" in the shop's zone, as the chat does
    return Audience(kind)


async def read_compose(source: Mapping[str, Any], tz: str) -> Compose:
    """The form as a broadcast, else 422 naming the field (a text too long, a bad button)."""
    texts = {}
    for language, name in TEXT_FIELDS.items():
        written = text(source, name, broadcasts.TEXT_LIMIT)
        if written:
            problem = broadcasts.check_text(written, with_photo=False)
            if isinstance(problem, TextTooLong):
                raise _refused(name, "length", limit=problem.limit)
            texts[language] = written
    if not texts:
        raise _refused("text_en", "empty")
    label, url = text(source, "button_text"), text(source, "button_url", 2048)
    button = None
    if label or url:
        found = broadcasts.parse_button(f"{label} | {url}")
        if isinstance(found, InvalidButton):
            raise _refused("button_url" if found.reason == "url" else "button_text", found.reason)
        button = found
    return Compose(texts, button, await read_audience(source, tz))


def read_when(source: Mapping[str, Any], tz: str) -> datetime | None:
    """``scheduled_at`` (``YYYY-MM-DD HH:MM`` or the browser's ``…T…``) in the shop's zone;
    ``None``: send now."""
    written = text(source, "scheduled_at", 32).replace("T", " ")
    if not written:
        return None
    at = broadcasts.parse_time(written, tz)
    if isinstance(at, InvalidTime):
        raise _refused("scheduled_at", at.reason)
    return at


# ---- the preview: the sender's own rendering, shown as Telegram shows it -----------------


def preview(compose: Compose, language: str, default_language: str) -> dict[str, Any]:
    """What a member reading ``language`` is sent: the outbox row the start would queue,
    rendered by the sender's renderer (text as Telegram HTML, and the buttons)."""
    row = outbox.new_message(
        chat_id=0,
        kind="broadcast",
        language=language,
        **broadcasts.outbox_parts(compose.draft(), language),
    )
    rendered = Renderer(default_language=default_language).render(row)
    markup = rendered.reply_markup
    buttons = [
        {"text": b.text, "url": b.url or ""}
        for line in (markup.inline_keyboard if markup else ())
        for b in line
    ]
    return {"language": language, "text": rendered.text, "buttons": buttons}


async def previewed(compose: Compose, request: web.Request) -> dict[str, Any]:
    default = settings(request).bot.default_language
    return {
        "count": await broadcasts.count(compose.audience),
        "previews": [preview(compose, language, default) for language in LANGUAGES],
    }


# ---- reading broadcasts -----------------------------------------------------------------


def broadcast_json(summary: BroadcastSummary, visitor: Visitor) -> dict[str, Any]:
    row, counts = summary.broadcast, summary.counts
    return {
        "id": row.id,
        "status": str(row.status),
        "status_text": visitor.t(status_key(str(row.status))),
        "text": localized(row.texts or {}, visitor.language) or row.text,
        "audience": Audience.from_json(row.audience).to_json(),
        "scheduled_at": row.scheduled_at,
        "started_at": row.started_at,
        "finished_at": row.finished_at,
        "total": counts.total,
        "sent": counts.sent,
        "failed": counts.failed + counts.blocked,
        "cancelled": counts.cancelled,
        "remaining": counts.pending,
        "cancellable": row.status in LIVE,
    }


async def list_json(visitor: Visitor) -> list[dict[str, Any]]:
    """The chat's list (:func:`broadcasts.recent`: started or scheduled, newest first)."""
    return [broadcast_json(s, visitor) for s in await broadcasts.recent(LIST_LIMIT)]


# ---- handlers ---------------------------------------------------------------------------


def _tz(request: web.Request) -> str:
    return settings(request).scheduler.timezone


async def broadcasts_page(request: web.Request, visitor: Visitor) -> web.Response:
    v.only(request.query, set())
    levels = (await rule_versions.current())[1].tiers.levels
    return page(
        request,
        visitor,
        "broadcasts.html",
        broadcasts=await list_json(visitor),
        kinds=AUDIENCE_KINDS,
        audience_key=audience_key,
        tiers=[{"key": lvl.key, "name": localized(lvl.names, visitor.language)} for lvl in levels],
        languages=LANGUAGES,
        idempotency_key=uuid.uuid4().hex,
        tz=_tz(request),
    )


async def list_fragment(request: web.Request, visitor: Visitor) -> web.Response:
    """The list with live delivery progress (htmx polls it while something is live)."""
    v.only(request.query, set())
    items = await list_json(visitor)
    return page(
        request,
        visitor,
        "broadcasts_list.html",
        broadcasts=items,
        idempotency_key=uuid.uuid4().hex,
    )


async def list_broadcasts(request: web.Request, visitor: Visitor) -> dict[str, Any]:
    v.only(request.query, set())
    return {"items": await list_json(visitor)}


async def get_preview(request: web.Request, visitor: Visitor) -> dict[str, Any]:
    v.only(request.query, COMPOSE_FIELDS)
    return await previewed(await read_compose(request.query, _tz(request)), request)


def _said(problem: ApiError | None) -> bool:
    """A problem worth saying under the form (an empty one is a form not written yet)."""
    return problem is not None and problem.details.get("reason") != "empty"


async def preview_fragment(request: web.Request, visitor: Visitor) -> web.Response:
    """Both versions and the count under the form (htmx): the same as ``get_preview``."""
    try:
        v.only(request.query, WRITE_FIELDS)
        compose = await read_compose(request.query, _tz(request))
        found, problem = await previewed(compose, request), None
    except ApiError as error:
        found, problem = None, error
    return page(
        request,
        visitor,
        "broadcasts_preview.html",
        found=found,
        shown=shown,
        problem_text=error_text(problem, visitor.language) if _said(problem) else "",
    )


async def create_broadcast(request: web.Request, visitor: Visitor) -> web.Response:
    """Compose → a draft → started now or scheduled, in the chat's operations."""
    key = v.idempotency_key(request)
    body = await v.read_json(request, MAX_BODY)
    v.only(body, WRITE_FIELDS)
    tz = _tz(request)
    compose = await read_compose(body, tz)
    at = read_when(body, tz)

    async def work() -> Answer:
        if at is None and await broadcasts.count(compose.audience) == 0:
            return refusal(ApiError(422, "empty_audience"))
        draft = await broadcasts.create_draft(visitor.telegram_id, compose.text)
        saved = await broadcasts.update_draft(
            draft.id,
            texts=compose.texts,
            button=compose.draft().button,
            audience=compose.audience.to_json(),
        )
        assert not isinstance(saved, NotADraft)
        if at is None:
            started = await broadcasts.start_now(
                draft.id, actor_telegram_id=visitor.telegram_id, actor_kind=ACTOR_KIND
            )
            assert isinstance(started, Started)
            return Answer(201, {"id": draft.id, "status": "sending", "total": started.total})
        scheduled = await broadcasts.schedule(
            draft.id, at, actor_telegram_id=visitor.telegram_id, actor_kind=ACTOR_KIND
        )
        if isinstance(scheduled, InvalidTime):  # the minute passed while we wrote
            await broadcasts.discard_draft(draft.id)  # a refusal writes nothing
            return refusal(_refused("scheduled_at", scheduled.reason))
        assert isinstance(scheduled, Scheduled)
        return Answer(
            201, {"id": draft.id, "status": "scheduled", "scheduled_at": scheduled.at.isoformat()}
        )

    answer = await run_once(
        f"console:{visitor.telegram_id}:broadcast:{key}",
        "console.broadcast",
        body,
        work,
        idempotent_work=False,
    )
    return respond(answer)


async def cancel_broadcast(request: web.Request, visitor: Visitor) -> web.Response:
    """Cancel a scheduled or running broadcast: undelivered messages are withdrawn, sent
    ones stay sent; a finished (or cancelled) one is 409."""
    broadcast_id = v.whole_number(request.match_info["id"], "id", minimum=1, maximum=SAFE_MAX)
    key = v.idempotency_key(request)

    async def work() -> Answer:
        row = await broadcasts.get(broadcast_id)
        if row is None or row.status == BroadcastStatus.DRAFT:
            return refusal(ApiError(404, "broadcast_not_found"))
        result = await broadcasts.cancel(
            broadcast_id, actor_telegram_id=visitor.telegram_id, actor_kind=ACTOR_KIND
        )
        if not isinstance(result, BroadcastCancelled):
            state = visitor.t(status_key(str(row.status)))
            return refusal(ApiError(409, "broadcast_not_cancellable", state=state))
        return Answer(200, {"id": broadcast_id, "withdrawn": result.withdrawn})

    answer = await run_once(
        f"console:{visitor.telegram_id}:broadcast-cancel:{key}",
        "console.broadcast.cancel",
        {"id": broadcast_id},
        work,
        idempotent_work=False,
    )
    return respond(answer)


# ---- OpenAPI ----------------------------------------------------------------------------


def _string(limit: int) -> dict[str, Any]:
    return {"type": "string", "maxLength": limit, "pattern": PRINTABLE_PATTERN}


COMPOSE_PROPERTIES: dict[str, Any] = {
    "text_en": {**_string(broadcasts.TEXT_LIMIT), "description": "the English version"},
    "text_zh": {**_string(broadcasts.TEXT_LIMIT), "description": "the Chinese version"},
    "button_text": _string(broadcasts.BUTTON_TEXT_LIMIT),
    "button_url": {**_string(2048), "description": "https only"},
    "audience": {"type": "string", "enum": list(AUDIENCE_KINDS)},
    "value": {
        **_string(32),
        "description": "tier key, language, days inactive or the least spend (major units)",
    },
}
PREVIEW_PARAMETERS = [
    {"name": name, "in": "query", "schema": schema if name[:4] != "text" else _string(1000)}
    for name, schema in COMPOSE_PROPERTIES.items()
]
PREVIEW_SCHEMA = {
    "type": "object",
    "required": ["count", "previews"],
    "properties": {
        "count": {"type": "integer", "description": "who will receive it (opted in, reachable)"},
        "previews": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "language": {"type": "string"},
                    "text": {"type": "string", "description": "Telegram HTML, as sent"},
                    "buttons": {"type": "array", "items": {"type": "object"}},
                },
            },
        },
    },
}
ID = {
    "name": "id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 1, "maximum": SAFE_MAX},
}

SECTION = Section(
    key="broadcasts",
    title="console-nav-broadcasts",
    path="/broadcasts",
    schemas={
        "Broadcast": {
            "type": "object",
            "required": ["id", "status", "total", "sent", "failed", "remaining"],
            "properties": {
                "id": {"type": "integer"},
                "status": {"type": "string", "enum": [s.value for s in BroadcastStatus]},
                "text": {"type": "string"},
                "audience": {"type": "object"},
                "scheduled_at": {"type": ["string", "null"]},
                "total": {"type": "integer"},
                "sent": {"type": "integer"},
                "failed": {"type": "integer"},
                "cancelled": {"type": "integer"},
                "remaining": {"type": "integer"},
                "cancellable": {"type": "boolean"},
            },
        },
    },
    routes=(
        Route("GET", "/broadcasts", broadcasts_page),
        Route("GET", "/broadcasts/list", list_fragment),
        Route("GET", "/broadcasts/preview", preview_fragment),
        Route(
            "GET",
            "/api/broadcasts",
            list_broadcasts,
            doc={
                "operationId": "listBroadcasts",
                "summary": "Broadcasts sent or scheduled, newest first, with delivery progress",
                "responses": {
                    "200": json_doc(
                        {
                            "type": "object",
                            "properties": {
                                "items": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/Broadcast"},
                                }
                            },
                        },
                        "the broadcasts",
                    )
                },
            },
        ),
        Route(
            "GET",
            "/api/broadcasts/preview",
            get_preview,
            doc={
                "operationId": "previewBroadcast",
                "summary": "Each version as members get it, and how many will receive it",
                "parameters": PREVIEW_PARAMETERS,
                "responses": {"200": json_doc(PREVIEW_SCHEMA, "the preview"), "422": ERROR},
            },
        ),
        Route(
            "POST",
            "/api/broadcasts",
            create_broadcast,
            doc={
                "operationId": "createBroadcast",
                "summary": "Send a broadcast now, or schedule it (scheduled_at, shop's time)",
                "parameters": [IDEMPOTENCY],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "additionalProperties": False,
                                "properties": {
                                    **COMPOSE_PROPERTIES,
                                    "scheduled_at": {
                                        **_string(32),
                                        "description": "YYYY-MM-DD HH:MM; empty: now",
                                    },
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
                            "status": {"type": "string"},
                            "total": {"type": "integer"},
                            "scheduled_at": {"type": "string"},
                        },
                    },
                    "sent or scheduled",
                ),
            },
        ),
        Route(
            "POST",
            "/api/broadcasts/{id}/cancel",
            cancel_broadcast,
            doc={
                "operationId": "cancelBroadcast",
                "summary": "Cancel a scheduled or running broadcast (undelivered ones only)",
                "parameters": [ID, IDEMPOTENCY],
                "responses": {
                    "200": json_doc(
                        {
                            "type": "object",
                            "properties": {
                                "id": {"type": "integer"},
                                "withdrawn": {"type": "integer"},
                            },
                        },
                        "cancelled (or a replay)",
                    ),
                    "400": ERROR,
                    "404": ERROR,
                    "409": ERROR,
                    "422": ERROR,
                },
            },
        ),
    ),
)
