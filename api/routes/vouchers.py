"""``GET /vouchers/{ref}`` (validate, changes nothing) and ``POST …/redeem`` (one winner)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from api import validation as v
from api.auth import api_key
from api.context import location, plain, refusal, respond, settings
from api.errors import ApiError, request_language
from api.idempotency import Answer, run_once
from api.routes.members import member_ref
from models.catalogue import vouchers
from models.ledger.results import AlreadyUsed, Expired, Redeemed, UnknownVoucher, Voided
from models.store import clock
from models.store.tables import Member, Reward, Voucher, VoucherStatus


async def _find(request: web.Request) -> Voucher:
    voucher = await vouchers.find(request.match_info["ref"])
    if voucher is None:
        raise ApiError(404, "voucher_not_found")
    return voucher


async def describe(voucher: Voucher, language: str) -> dict[str, Any]:
    """The voucher as a POS checks it; an issued voucher past ``valid_until`` is ``expired``."""
    reward = await Reward.get_or_none(id=voucher.reward_id)  # type: ignore[attr-defined]
    member = await Member.get_or_none(id=voucher.member_id)  # type: ignore[attr-defined]
    status = str(voucher.status.value)
    if voucher.status == VoucherStatus.ISSUED and voucher.valid_until <= clock.now():
        status = VoucherStatus.EXPIRED.value
    return plain(
        {
            "code": voucher.code,
            "status": status,
            "redeemable": status == VoucherStatus.ISSUED.value,
            "reward": {
                "id": voucher.reward_id,  # type: ignore[attr-defined]
                "name": vouchers.reward_name(reward, language),
                "cost_points": voucher.cost_points,
            },
            "member": member_ref(member) if member and not member.deleted_at else None,
            "issued_at": voucher.issued_at,
            "valid_until": voucher.valid_until,
            "redeemed_at": voucher.redeemed_at,
            "redeemed_channel": voucher.redeemed_channel,
            "redeemed_location": voucher.redeemed_location,
        }
    )


async def get_voucher(request: web.Request) -> web.Response:
    voucher = await _find(request)
    return web.json_response(await describe(voucher, request_language(request)))


def _refusal(result: AlreadyUsed | Expired | Voided) -> Answer:
    """Why the voucher could not be used: final, so a retry with the key hears it again."""
    if isinstance(result, AlreadyUsed):
        used = ApiError(
            409,
            "already_used",
            at=result.at,
            by=result.by,
            channel=result.channel,
            location=result.location,
        )
        return refusal(used, final=True)
    if isinstance(result, Expired):
        return refusal(ApiError(410, "expired", on=result.on), final=True)
    return refusal(ApiError(410, "voided", at=result.at), final=True)


async def redeem_voucher(request: web.Request) -> web.Response:
    """Use the voucher: of any number of simultaneous calls exactly one gets 200."""
    key = v.idempotency_key(request)
    voucher = await _find(request)
    asked = None
    if request.can_read_body:
        body = await v.read_json(request, settings(request).api.max_body_bytes)
        v.only(body, {"location"})
        asked = v.text(body, "location")
    where = location(request, asked)
    language = request_language(request)

    async def work() -> Answer:
        result = await vouchers.redeem(
            voucher.token, staff_telegram_id=None, location=where, channel="api"
        )
        if isinstance(result, UnknownVoucher):  # never expected: it was found above
            return refusal(ApiError(404, "voucher_not_found"))
        if not isinstance(result, Redeemed):
            return _refusal(result)
        fresh = await Voucher.get(id=voucher.id)
        details = {"api_key": api_key(request).prefix, "code": voucher.code, "location": where}
        return Answer(
            200,
            await describe(fresh, language),
            audit=("voucher.redeem", f"voucher:{voucher.id}", details),
        )

    answer = await run_once(
        f"api:{api_key(request).prefix}:redeem:{key}",
        "redeem",
        {"voucher_id": voucher.id, "location": where},
        work,
        idempotent_work=False,
    )
    return respond(answer)


ROUTES = [
    web.get("/vouchers/{ref}", get_voucher),
    web.post("/vouchers/{ref}/redeem", redeem_voucher),
]
