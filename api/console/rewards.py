"""The rewards catalogue: every reward with its photo, cost, stock, limits and minimum
tier, in the catalogue's order; adding, editing, disabling (archiving) and moving up or
down; uploading a photo.

Writes are the chat's (``/reward``, marketers): :func:`rewards.add`, :func:`rewards.edit`
(archiving is ``{"archived": true}``), :func:`rewards.move`, :func:`rewards.set_photo`,
validated by the store (:func:`rewards.validate`), audited with actor kind ``console``,
keyed by ``Idempotency-Key``; a refused write leaves nothing. A photo is a multipart
upload made safe by :func:`models.catalogue.photos.clean` (JPEG, PNG or WebP by its
bytes, size and pixel limits, re-encoded); it is kept with the reward, served here, and
sent by the chat with the reward's card. Photos the chat took (a Telegram ``file_id``)
stay in Telegram and are listed as such.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Mapping
from typing import Any

from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from api import validation as v
from api.console.common import (
    ACTOR_KIND,
    ERROR,
    IDEMPOTENCY,
    PREFIX,
    Route,
    Section,
    Visitor,
    json_doc,
    page,
)
from api.console.forms import text
from api.context import refusal, respond
from api.errors import ApiError
from api.idempotency import Answer, run_once
from api.openapi import PRINTABLE_PATTERN, SAFE_MAX
from locales import localized
from models.catalogue import photos, rewards
from models.catalogue.photos import InvalidPhoto
from models.catalogue.rewards import CannotMove, InvalidReward, RewardDraft, UnknownReward
from models.ledger import rule_versions
from models.store.tables import Reward

MAX_BODY = 16 * 1024
LIST_LIMIT = 500
TEXTS = {
    "name_en": ("names", "en"),
    "name_zh": ("names", "zh-Hans"),
    "description_en": ("descriptions", "en"),
    "description_zh": ("descriptions", "zh-Hans"),
}
NUMBERS = {
    "cost_points": rewards.MAX_COST,
    "stock": rewards.MAX_STOCK,
    "per_member_limit": rewards.MAX_PER_MEMBER,
    "voucher_validity_days": rewards.MAX_VALIDITY_DAYS,
}
FIELDS = {*TEXTS, *NUMBERS, "kind", "min_tier"}
EDIT_FIELDS = FIELDS | {"archived"}
PHOTO_FIELD = "photo"


def kind_key(kind: str) -> str:
    return f"marketing-kind-{kind}"


def move_key(direction: str) -> str:
    return f"console-reward-move-{direction}"


LOCALE_KEYS = (*(kind_key(k) for k in rewards.KINDS), *(move_key(d) for d in ("up", "down")))
"""Every key built at run time here (``tests/test_runtime_locale_keys.py``)."""


# ---- reading a reward -------------------------------------------------------------------


def _number(body: Mapping[str, Any], name: str) -> int | None:
    """A JSON integer, or None (empty: unlimited, no limit, the default)."""
    raw = body.get(name)
    if raw is None or raw == "":
        return None
    if isinstance(raw, float) and raw.is_integer():  # 248.0 is an integer to JSON Schema
        raw = int(raw)
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= NUMBERS[name]:
        raise v.invalid(name, "out-of-range")
    return raw


def read_changes(body: Mapping[str, Any]) -> dict[str, Any]:
    """The fields given, as :data:`rewards.EDITABLE` names (a text per language)."""
    changes: dict[str, Any] = {}
    for name, (group, language) in TEXTS.items():
        if name in body:
            limit = rewards.MAX_NAME if group == "names" else rewards.MAX_DESCRIPTION
            changes.setdefault(group, {})[language] = text(body, name, limit)
    for name in NUMBERS:
        if name in body:
            changes[name] = _number(body, name)
    if "kind" in body:
        changes["kind"] = text(body, "kind", 16)
    if "min_tier" in body:
        changes["min_tier"] = text(body, "min_tier", 32) or None
    if "archived" in body:
        if not isinstance(body["archived"], bool):
            raise v.invalid("archived", "not-a-boolean")
        changes["archived"] = body["archived"]
    return changes


def _invalid(problem: InvalidReward) -> ApiError:
    return ApiError(422, "invalid_reward", field=problem.field, reason=problem.reason)


async def reward_json(row: Reward, visitor: Visitor, prefix: str = "") -> dict[str, Any]:
    photo = "upload" if row.photo else "telegram" if row.photo_file_id else None
    return {
        "id": row.id,
        "name": localized(row.names, visitor.language),
        "names": row.names,
        "descriptions": row.descriptions,
        "kind": row.kind,
        "cost_points": row.cost_points,
        "stock": row.stock,
        "per_member_limit": row.per_member_limit,
        "min_tier": row.min_tier,
        "voucher_validity_days": row.voucher_validity_days,
        "archived": row.archived,
        "sort_order": row.sort_order,
        "photo": photo,
        "photo_url": f"{prefix}/rewards/{row.id}/photo" if photo == "upload" else None,
    }


async def list_json(visitor: Visitor) -> list[dict[str, Any]]:
    rows = await rewards.list_rewards(include_archived=True, limit=LIST_LIMIT)
    return [await reward_json(row, visitor, PREFIX) for row in rows]


# ---- handlers ---------------------------------------------------------------------------


def _reward_id(request: web.Request) -> int:
    return v.whole_number(request.match_info["id"], "id", minimum=1, maximum=SAFE_MAX)


async def rewards_page(request: web.Request, visitor: Visitor) -> web.Response:
    v.only(request.query, set())
    levels = (await rule_versions.current())[1].tiers.levels
    return page(
        request,
        visitor,
        "rewards.html",
        rewards=await list_json(visitor),
        kinds=rewards.KINDS,
        kind_key=kind_key,
        move_key=move_key,
        tiers=[{"key": lvl.key, "name": localized(lvl.names, visitor.language)} for lvl in levels],
        idempotency_key=uuid.uuid4().hex,
        max_bytes=photos.MAX_BYTES,
    )


async def list_rewards(request: web.Request, visitor: Visitor) -> dict[str, Any]:
    v.only(request.query, set())
    return {"items": await list_json(visitor)}


async def photo(request: web.Request, visitor: Visitor) -> web.Response:
    """The kept photo (JPEG, re-encoded on upload), for the console's own pages."""
    found = await rewards.photo_of(_reward_id(request))
    if found is None:
        raise ApiError(404, "reward_not_found")
    return web.Response(
        body=found, content_type="image/jpeg", headers={"Cache-Control": "private, no-cache"}
    )


async def _keyed(
    request: web.Request, visitor: Visitor, verb: str, fingerprint: Any, work: Any
) -> web.Response:
    key = v.idempotency_key(request)
    answer = await run_once(
        f"console:{visitor.telegram_id}:reward-{verb}:{key}",
        f"console.reward.{verb}",
        fingerprint,
        work,
        idempotent_work=False,
    )
    return respond(answer)


async def create_reward(request: web.Request, visitor: Visitor) -> web.Response:
    """A new catalogue item (:func:`rewards.add`) → 201 with its id."""
    v.idempotency_key(request)
    body = await v.read_json(request, MAX_BODY)
    v.only(body, FIELDS)
    changes = read_changes(body)
    draft = RewardDraft(
        names=changes.get("names", {}),
        descriptions=changes.get("descriptions", {}),
        cost_points=changes.get("cost_points") or 0,
        kind=changes.get("kind") or "gift",
        stock=changes.get("stock"),
        per_member_limit=changes.get("per_member_limit"),
        min_tier=changes.get("min_tier"),
        voucher_validity_days=changes.get("voucher_validity_days"),
    )

    async def work() -> Answer:
        saved = await rewards.add(
            draft, actor_telegram_id=visitor.telegram_id, actor_kind=ACTOR_KIND
        )
        if isinstance(saved, InvalidReward):
            return refusal(_invalid(saved))
        return Answer(201, {"id": saved.reward_id})

    return await _keyed(request, visitor, "add", body, work)


async def edit_reward(request: web.Request, visitor: Visitor) -> web.Response:
    """Change some fields (:func:`rewards.edit`); ``{"archived": true}`` disables it."""
    reward_id = _reward_id(request)
    v.idempotency_key(request)
    body = await v.read_json(request, MAX_BODY)
    v.only(body, EDIT_FIELDS)
    changes = read_changes(body)
    if not changes:
        raise v.invalid("body", "empty")

    async def work() -> Answer:
        saved = await rewards.edit(
            reward_id, changes, actor_telegram_id=visitor.telegram_id, actor_kind=ACTOR_KIND
        )
        if isinstance(saved, InvalidReward):
            return refusal(_invalid(saved))
        if isinstance(saved, UnknownReward):
            return refusal(ApiError(404, "reward_not_found"))
        return Answer(200, {"id": reward_id})

    return await _keyed(request, visitor, "edit", {"id": reward_id, **body}, work)


async def move_reward(request: web.Request, visitor: Visitor) -> web.Response:
    """``{"direction": "up" | "down"}``: one place in the catalogue's order."""
    reward_id = _reward_id(request)
    v.idempotency_key(request)
    body = await v.read_json(request, MAX_BODY)
    v.only(body, {"direction"})
    direction = text(body, "direction", 8)
    if direction not in ("up", "down"):
        raise v.invalid("direction", "unknown")

    async def work() -> Answer:
        moved = await rewards.move(
            reward_id, direction, actor_telegram_id=visitor.telegram_id, actor_kind=ACTOR_KIND
        )
        if isinstance(moved, UnknownReward):
            return refusal(ApiError(404, "reward_not_found"))
        if isinstance(moved, CannotMove):
            return refusal(ApiError(409, "reward_cannot_move", direction=direction))
        return Answer(200, {"id": reward_id})

    return await _keyed(request, visitor, "move", {"id": reward_id, **body}, work)


async def read_upload(request: web.Request) -> bytes:
    """The one ``photo`` part of a multipart form, read no further than the size limit."""
    if not request.content_type.startswith("multipart/form-data"):
        raise ApiError(422, "invalid_photo", reason="type")
    try:
        reader = await request.multipart()
        part = await reader.next()
        if not isinstance(part, BodyPartReader) or part.name != PHOTO_FIELD:
            raise v.invalid(PHOTO_FIELD, "required")
        data = bytearray()
        while chunk := await part.read_chunk(64 * 1024):
            data += chunk
            if len(data) > photos.MAX_BYTES:
                raise ApiError(413, "invalid_photo", reason="size")
        if await reader.next() is not None:
            raise v.invalid("form", "one-part-only")
    except (ValueError, LookupError, HttpProcessingError):  # a malformed multipart body
        raise ApiError(422, "invalid_photo", reason="broken") from None
    return bytes(data)


async def upload_photo(request: web.Request, visitor: Visitor) -> web.Response:
    """A multipart ``photo`` (JPEG, PNG or WebP; :data:`photos.MAX_BYTES`) → kept,
    re-encoded, as the reward's photo."""
    reward_id = _reward_id(request)
    v.idempotency_key(request)
    upload = await read_upload(request)
    cleaned = await asyncio.to_thread(photos.clean, upload)
    if isinstance(cleaned, InvalidPhoto):
        status = 413 if cleaned.reason == "size" else 422
        raise ApiError(status, "invalid_photo", reason=cleaned.reason)

    async def work() -> Answer:
        saved = await rewards.set_photo(
            reward_id, cleaned, actor_telegram_id=visitor.telegram_id, actor_kind=ACTOR_KIND
        )
        if isinstance(saved, UnknownReward):
            return refusal(ApiError(404, "reward_not_found"))
        return Answer(200, {"id": reward_id, "bytes": len(cleaned)})

    fingerprint = {"id": reward_id, "sha256": hashlib.sha256(upload).hexdigest()}
    return await _keyed(request, visitor, "photo", fingerprint, work)


# ---- OpenAPI ----------------------------------------------------------------------------


def _string(limit: int) -> dict[str, Any]:
    return {"type": "string", "maxLength": limit, "pattern": PRINTABLE_PATTERN}


PROPERTIES: dict[str, Any] = {
    "name_en": _string(rewards.MAX_NAME),
    "name_zh": _string(rewards.MAX_NAME),
    "description_en": _string(rewards.MAX_DESCRIPTION),
    "description_zh": _string(rewards.MAX_DESCRIPTION),
    "kind": {"type": "string", "enum": list(rewards.KINDS)},
    "cost_points": {"type": "integer", "minimum": 1, "maximum": rewards.MAX_COST},
    "stock": {"type": ["integer", "null"], "minimum": 0, "maximum": rewards.MAX_STOCK},
    "per_member_limit": {
        "type": ["integer", "null"],
        "minimum": 1,
        "maximum": rewards.MAX_PER_MEMBER,
    },
    "min_tier": {**_string(32), "description": "a tier key; empty: any tier"},
    "voucher_validity_days": {
        "type": ["integer", "null"],
        "minimum": 1,
        "maximum": rewards.MAX_VALIDITY_DAYS,
    },
}
ID = {
    "name": "id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 1, "maximum": SAFE_MAX},
}
SAVED = json_doc({"type": "object", "properties": {"id": {"type": "integer"}}}, "saved")
WRITE_ERRORS = {"400": ERROR, "404": ERROR, "409": ERROR, "413": ERROR, "422": ERROR}


def _json_body(
    properties: Mapping[str, Any], required: list[str], least: int = 0
) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "additionalProperties": False,
        "properties": dict(properties),
    }
    if required:
        schema["required"] = required
    if least:
        schema["minProperties"] = least
    return {"required": True, "content": {"application/json": {"schema": schema}}}


SECTION = Section(
    key="rewards",
    title="console-nav-rewards",
    path="/rewards",
    schemas={
        "Reward": {
            "type": "object",
            "required": ["id", "names", "kind", "cost_points", "archived"],
            "properties": {
                "id": {"type": "integer"},
                "name": {"type": "string"},
                "names": {"type": "object"},
                "descriptions": {"type": "object"},
                "kind": {"type": "string"},
                "cost_points": {"type": "integer"},
                "stock": {"type": ["integer", "null"]},
                "per_member_limit": {"type": ["integer", "null"]},
                "min_tier": {"type": ["string", "null"]},
                "voucher_validity_days": {"type": ["integer", "null"]},
                "archived": {"type": "boolean"},
                "sort_order": {"type": "integer"},
                "photo": {"type": ["string", "null"], "enum": ["upload", "telegram", None]},
                "photo_url": {"type": ["string", "null"]},
            },
        },
    },
    routes=(
        Route("GET", "/rewards", rewards_page),
        Route("GET", "/rewards/{id}/photo", photo),
        Route(
            "GET",
            "/api/rewards",
            list_rewards,
            doc={
                "operationId": "listRewards",
                "summary": "The catalogue in its order, archived rewards included",
                "responses": {
                    "200": json_doc(
                        {
                            "type": "object",
                            "properties": {
                                "items": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/Reward"},
                                }
                            },
                        },
                        "the rewards",
                    )
                },
            },
        ),
        Route(
            "POST",
            "/api/rewards",
            create_reward,
            doc={
                "operationId": "createReward",
                "summary": "Add a reward (the chat's /reward)",
                "parameters": [IDEMPOTENCY],
                "requestBody": _json_body(PROPERTIES, ["name_en", "cost_points"]),
                "responses": {
                    "201": json_doc(
                        {"type": "object", "properties": {"id": {"type": "integer"}}}, "added"
                    ),
                    "200": {"description": "a replay of the first answer"},
                    **WRITE_ERRORS,
                },
            },
        ),
        Route(
            "POST",
            "/api/rewards/{id}",
            edit_reward,
            doc={
                "operationId": "editReward",
                "summary": "Change a reward; archived=true disables it, false restores it",
                "parameters": [ID, IDEMPOTENCY],
                "requestBody": _json_body(
                    {**PROPERTIES, "archived": {"type": "boolean"}}, required=[], least=1
                ),
                "responses": {"200": SAVED, **WRITE_ERRORS},
            },
        ),
        Route(
            "POST",
            "/api/rewards/{id}/move",
            move_reward,
            doc={
                "operationId": "moveReward",
                "summary": "Move a reward one place up or down in the catalogue",
                "parameters": [ID, IDEMPOTENCY],
                "requestBody": _json_body(
                    {"direction": {"type": "string", "enum": ["up", "down"]}}, ["direction"]
                ),
                "responses": {"200": SAVED, **WRITE_ERRORS},
            },
        ),
        Route(
            "POST",
            "/api/rewards/{id}/photo",
            upload_photo,
            doc={
                "operationId": "uploadRewardPhoto",
                "summary": "Upload a reward's photo: JPEG, PNG or WebP (by its bytes), "
                f"at most {photos.MAX_BYTES // (1024 * 1024)} MiB; kept re-encoded as JPEG",
                "parameters": [ID, IDEMPOTENCY],
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "additionalProperties": False,
                                "required": [PHOTO_FIELD],
                                "properties": {PHOTO_FIELD: {"type": "string", "format": "binary"}},
                            }
                        }
                    },
                },
                "responses": {
                    "200": json_doc(
                        {
                            "type": "object",
                            "properties": {
                                "id": {"type": "integer"},
                                "bytes": {"type": "integer"},
                            },
                        },
                        "kept",
                    ),
                    **WRITE_ERRORS,
                },
            },
        ),
    ),
)
