"""Coupon batches: create one for a reward with a count and an expiry, list them with
claimed and used counts, download one as CSV, print one as a sheet of QR codes.

The batch is the chat's (``/coupons``, marketers): :func:`coupons.generate_batch` with the
end :func:`coupons.expiry_after` computes (the end of the shop's day N days on; 0 days:
no end), audited with actor kind ``console``, keyed by ``Idempotency-Key``. The CSV is
:func:`coupons.iter_csv` (``models.spreadsheets`` writing: formula-safe cells), streamed.
The printable sheet is an HTML page in the reader's language, one QR code (the coupon's
``c-`` deep link) per coupon with its code and expiry under it, laid out for paper by
``@media print`` (the first :data:`coupons.SHEET_CAP`, as the chat's sheet).
"""

from __future__ import annotations

import asyncio
import base64
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import qrcode
from aiohttp import web
from qrcode.constants import ERROR_CORRECT_M
from qrcode.image.svg import SvgPathImage

from api import validation as v
from api.console.common import (
    ACTOR_KIND,
    IDEMPOTENCY,
    Route,
    Section,
    Visitor,
    bot_username,
    created_responses,
    json_doc,
    page,
    settings,
    zone,
)
from api.context import refusal, respond
from api.errors import ApiError
from api.idempotency import Answer, run_once
from api.openapi import SAFE_MAX
from locales import Translate, localized
from models.catalogue import coupons, rewards
from models.catalogue.coupons import BatchCreated, BatchStats, InvalidBatchSize
from models.ledger.results import RewardUnavailable
from models.store.tables import CouponBatch

MAX_BODY = 4 * 1024
MAX_EXPIRY_DAYS = 3650
LIST_LIMIT = 50


def link_prefix(request: web.Request) -> str:
    """Where a coupon's ``c-<token>`` goes: the bot's start link (as the chat's CSV)."""
    return f"https://t.me/{bot_username(request)}?start="


def until_text(t: Translate, tz: Any, at: datetime | None, voucher_days: int) -> str:
    """What a batch states (and a claim then gives), in the chat's words."""
    if at is None:
        return t("marketing-coupons-no-expiry", days=voucher_days)
    return t("marketing-coupons-valid-until", at=at.astimezone(tz).strftime("%Y-%m-%d %H:%M"))


def note_text(t: Translate, tz: Any, at: datetime | None, voucher_days: int) -> str:
    """The same, short, under each code of the printed sheet."""
    if at is None:
        return t("marketing-coupons-sheet-days", days=voucher_days)
    return t("marketing-coupons-sheet-until", date=at.astimezone(tz).strftime("%Y-%m-%d"))


async def batch_json(stats: BatchStats, visitor: Visitor, tz: Any) -> dict[str, Any]:
    reward = await rewards.get(stats.reward_id)
    return {
        "id": stats.batch_id,
        "reward_id": stats.reward_id,
        "reward": localized(reward.names, visitor.language) if reward else "",
        "size": stats.size,
        "claimed": stats.claimed,
        "used": stats.used,
        "created_at": stats.created_at,
        "valid_until": stats.valid_until,
        "voucher_days": stats.voucher_days,
        "until": until_text(visitor.t, tz, stats.valid_until, stats.voucher_days),
    }


async def list_json(request: web.Request, visitor: Visitor) -> list[dict[str, Any]]:
    found = await coupons.list_batches(limit=LIST_LIMIT)
    return [await batch_json(s, visitor, zone(request)) for s in found]


# ---- handlers ---------------------------------------------------------------------------


def _batch_id(request: web.Request) -> int:
    return v.whole_number(request.match_info["id"], "id", minimum=1, maximum=SAFE_MAX)


async def coupons_page(request: web.Request, visitor: Visitor) -> web.Response:
    v.only(request.query, set())
    items = await rewards.list_rewards(limit=500)
    return page(
        request,
        visitor,
        "coupons.html",
        batches=await list_json(request, visitor),
        rewards=[{"id": r.id, "name": localized(r.names, visitor.language)} for r in items],
        expiry_choices=coupons.EXPIRY_CHOICES,
        max_batch=coupons.MAX_BATCH,
        idempotency_key=uuid.uuid4().hex,
    )


async def list_batches(request: web.Request, visitor: Visitor) -> dict[str, Any]:
    v.only(request.query, set())
    return {"items": await list_json(request, visitor)}


async def create_batch(request: web.Request, visitor: Visitor) -> web.Response:
    """``{reward_id, count, expiry_days}`` → 201 with the batch (the chat's generation)."""
    key = v.idempotency_key(request)
    body = await v.read_json(request, MAX_BODY)
    v.only(body, {"reward_id", "count", "expiry_days"})
    reward_id = v.integer(body, "reward_id", minimum=1, maximum=SAFE_MAX)
    count = v.integer(body, "count", minimum=0, maximum=SAFE_MAX)
    if coupons.check_batch_size(count) is not None:
        raise ApiError(422, "invalid_batch_size", maximum=coupons.MAX_BATCH)
    days = v.integer(body, "expiry_days", minimum=0, maximum=MAX_EXPIRY_DAYS)
    valid_until = coupons.expiry_after(days, settings(request).scheduler.timezone)

    async def work() -> Answer:
        made = await coupons.generate_batch(
            reward_id,
            count,
            actor_telegram_id=visitor.telegram_id,
            valid_until=valid_until,
            actor_kind=ACTOR_KIND,
        )
        if isinstance(made, InvalidBatchSize):
            return refusal(ApiError(422, "invalid_batch_size", maximum=made.maximum))
        if isinstance(made, RewardUnavailable):
            return refusal(ApiError(422, "reward_unavailable"))
        assert isinstance(made, BatchCreated)
        stated = valid_until.isoformat() if valid_until else None
        return Answer(201, {"id": made.batch_id, "size": made.size, "valid_until": stated})

    answer = await run_once(
        f"console:{visitor.telegram_id}:coupons:{key}",
        "console.coupons",
        body,
        work,
        idempotent_work=False,
    )
    return respond(answer)


async def _batch(request: web.Request) -> CouponBatch:
    batch = await CouponBatch.get_or_none(id=_batch_id(request))
    if batch is None:
        raise ApiError(404, "batch_not_found")
    return batch


async def download_csv(request: web.Request, visitor: Visitor) -> web.StreamResponse:
    """Every coupon of the batch: code, link, claimed at, voucher status (streamed)."""
    v.only(request.query, set())
    batch = await _batch(request)
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="coupons-{batch.id}.csv"',
            "Cache-Control": "no-store",
        }
    )
    await response.prepare(request)
    async for chunk in coupons.iter_csv(batch.id, link_prefix(request)):
        await response.write(chunk)
    await response.write_eof()
    return response


def qr_data_uris(links: Sequence[str]) -> list[str]:
    """Each link as a QR code, an SVG ``data:`` URI (CPU work: run it in a thread)."""
    uris = []
    for link in links:
        code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=2)
        code.add_data(link)
        code.make(fit=True)
        svg = code.make_image(image_factory=SvgPathImage).to_string()
        uris.append("data:image/svg+xml;base64," + base64.b64encode(svg).decode())
    return uris


async def sheet(request: web.Request, visitor: Visitor) -> web.Response:
    """The printable sheet: a QR code per coupon (the first SHEET_CAP) with its code and
    what it states, in the reader's language; the browser prints it (``@media print``)."""
    v.only(request.query, set())
    batch = await _batch(request)
    stats = await coupons.batch_stats(batch.id)
    assert stats is not None
    reward = await rewards.get(stats.reward_id)
    tz = zone(request)
    first = await coupons.coupons_of(batch.id, limit=coupons.SHEET_CAP)
    prefix = link_prefix(request)
    images = await asyncio.to_thread(qr_data_uris, [f"{prefix}c-{c.token}" for c in first])
    title = visitor.t(
        "marketing-coupons-sheet-title",
        id=batch.id,
        reward=localized(reward.names, visitor.language) if reward else "",
        until=until_text(visitor.t, tz, stats.valid_until, stats.voucher_days),
    )
    return page(
        request,
        visitor,
        "coupons_sheet.html",
        title=title,
        note=note_text(visitor.t, tz, stats.valid_until, stats.voucher_days),
        items=[{"code": c.code, "qr": qr} for c, qr in zip(first, images, strict=True)],
        size=stats.size,
        cap=coupons.SHEET_CAP,
        batch_id=batch.id,
    )


# ---- OpenAPI ----------------------------------------------------------------------------

SECTION = Section(
    key="coupons",
    title="console-nav-coupons",
    path="/coupons",
    schemas={
        "CouponBatch": {
            "type": "object",
            "required": ["id", "reward_id", "size", "claimed", "used"],
            "properties": {
                "id": {"type": "integer"},
                "reward_id": {"type": "integer"},
                "reward": {"type": "string"},
                "size": {"type": "integer"},
                "claimed": {"type": "integer"},
                "used": {"type": "integer"},
                "created_at": {"type": "string"},
                "valid_until": {"type": ["string", "null"]},
                "voucher_days": {"type": "integer"},
                "until": {"type": "string"},
            },
        },
    },
    routes=(
        Route("GET", "/coupons", coupons_page),
        Route("GET", "/coupons/{id}/csv", download_csv),
        Route("GET", "/coupons/{id}/sheet", sheet),
        Route(
            "GET",
            "/api/coupons",
            list_batches,
            doc={
                "operationId": "listCouponBatches",
                "summary": "Coupon batches, newest first, with claimed and used counts",
                "responses": {
                    "200": json_doc(
                        {
                            "type": "object",
                            "properties": {
                                "items": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/CouponBatch"},
                                }
                            },
                        },
                        "the batches",
                    )
                },
            },
        ),
        Route(
            "POST",
            "/api/coupons",
            create_batch,
            doc={
                "operationId": "createCouponBatch",
                "summary": "Generate a batch of single-use coupons for a reward (the chat's "
                "/coupons); expiry_days 0: no end",
                "parameters": [IDEMPOTENCY],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["reward_id", "count", "expiry_days"],
                                "additionalProperties": False,
                                "properties": {
                                    "reward_id": {
                                        "type": "integer",
                                        "minimum": 1,
                                        "maximum": SAFE_MAX,
                                    },
                                    "count": {
                                        "type": "integer",
                                        "minimum": 1,
                                        "maximum": coupons.MAX_BATCH,
                                    },
                                    "expiry_days": {
                                        "type": "integer",
                                        "minimum": 0,
                                        "maximum": MAX_EXPIRY_DAYS,
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
                            "size": {"type": "integer"},
                            "valid_until": {"type": ["string", "null"]},
                        },
                    },
                    "generated",
                ),
            },
        ),
    ),
)
