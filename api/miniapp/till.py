"""The cashier's side: what the camera read → a member (purchase) or a voucher (redeem).

No rule lives here: the quote is ``ledger.quote_purchase``, the earn's own computation
(as the chat till shows it), recording is ``ledger.earn_for_purchase`` keyed by the
confirmation screen (``miniapp:<staff>:<Idempotency-Key>``: a double tap records once),
and redeeming is ``vouchers.redeem``, the one conditional update that lets exactly one of
any number of simultaneous scans (Mini App, chat or POS) win. The member's receipt is
queued by the ledger in the same transaction, as from the chat till.

Purchases use channel ``telegram``: campaigns are offered per channel and the Mini App
is the cashier in Telegram; the audit row says ``miniapp``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from api import validation as v
from api.errors import ApiError
from api.idempotency import Answer
from api.miniapp.auth import Caller
from api.miniapp.common import (
    MiniApp,
    audited,
    idempotency_key,
    int_field,
    money,
    once,
    read_body,
    read_json,
    rules_in_force,
    t,
    text_field,
)
from api.routes.members import describe as describe_member
from api.routes.members import find_member
from api.routes.vouchers import describe as describe_voucher
from models import ledger, stamps
from models.catalogue import vouchers
from models.codes import qr_reading, tokens
from models.ledger.config import RuleSet
from models.ledger.quotes import explain
from models.ledger.results import (
    AlreadyUsed,
    AmountTooLarge,
    BelowMinimumPurchase,
    Expired,
    PurchaseRecorded,
    Redeemed,
    UnknownVoucher,
    Voided,
)
from models.ledger.rules import check_purchase
from models.marketing import campaigns
from models.stamps import stamping
from models.stamps.lines import stamp_lines
from models.store import clock
from models.store.tables import Member, Voucher, VoucherStatus

CHANNEL = "telegram"
MAX_PHOTO_BYTES = 8 * 1024 * 1024


def _categories(rules: RuleSet) -> list[str]:
    """Categories worth asking about: those with their own multiplier."""
    return sorted(rules.earning.category_multipliers)


def currency(rules: RuleSet) -> dict[str, Any]:
    """What the amount keypad needs to turn typed digits into integer minor units."""
    return {
        "code": rules.currency.code,
        "exponent": rules.currency.exponent,
        "symbol": rules.currency.symbol,
        "min_purchase_minor": rules.earning.min_purchase_minor,
        "max_purchase_minor": rules.earning.max_purchase_minor,
    }


def _reference(text: str, app: MiniApp) -> str:
    """The payload inside our t.me link, or the text itself (a typed or bare code)."""
    text = text.strip()
    if text.lower().startswith(("http://", "https://", "tg://")):
        payload = tokens.link_payload(text, app.bot_username())
        if payload is None:
            raise ApiError(404, "not_ours")
        return payload
    return text


async def _staff_name(telegram_id: int | None, caller: Caller) -> str:
    if telegram_id is None:
        return "-"
    if telegram_id == caller.telegram_id:
        return t(caller)("miniapp-voucher-by-you")
    found = await Member.get_or_none(telegram_id=telegram_id)
    return found.display_name if found else f"#{telegram_id}"


async def _voucher_answer(app: MiniApp, voucher: Voucher, caller: Caller) -> dict[str, Any]:
    """The voucher as the cashier checks it, with a sentence for why it cannot be used."""
    body = await describe_voucher(voucher, caller.language)
    say = t(caller)
    if body["status"] == VoucherStatus.REDEEMED.value:
        by = await _staff_name(voucher.redeemed_by, caller)
        body["text"] = say("miniapp-voucher-used", at=app.when(voucher.redeemed_at), by=by)
    elif body["status"] == VoucherStatus.VOIDED.value:
        body["text"] = say("miniapp-voucher-voided", at=app.when(voucher.voided_at))
    elif body["status"] == VoucherStatus.EXPIRED.value:
        body["text"] = say("miniapp-voucher-expired", on=app.when(voucher.valid_until))
    else:
        body["text"] = say("miniapp-voucher-valid", until=app.when(voucher.valid_until))
    return body


async def scan(request: web.Request, app: MiniApp, caller: Caller) -> dict[str, Any]:
    """``{"text"}`` from the camera (or typed): a member card or a voucher; changes nothing."""
    body = await read_json(request, {"text"})
    return await identify(text_field(body, "text", max_length=512), app, caller)


async def scan_photo(request: web.Request, app: MiniApp, caller: Caller) -> dict[str, Any]:
    """A picture of the QR (where the app has no scanner): the first of ours found in it."""
    picture = await read_body(request, MAX_PHOTO_BYTES)
    texts = await asyncio.to_thread(qr_reading.decode, picture)
    refusal = ApiError(422, "no_qr")
    for text in texts:
        try:
            return await identify(text, app, caller)
        except ApiError as error:
            refusal = error
    raise refusal


async def identify(text: str, app: MiniApp, caller: Caller) -> dict[str, Any]:
    """What ``text`` (a link in a QR, a payload or a typed code) is, for the cashier."""
    ref = _reference(text, app)
    voucher = await vouchers.find(ref) if not ref.startswith("m-") else None
    if voucher is not None:
        return {"kind": "voucher", "voucher": await _voucher_answer(app, voucher, caller)}
    member = await find_member(ref) if not ref.startswith("v-") else None
    if member is None:
        raise ApiError(404, "unknown_code")
    rules = await rules_in_force()
    tz = app.settings.scheduler.timezone
    return {
        "kind": "member",
        "member": {**await describe_member(member, rules, caller.language, tz), "ref": member.code},
        "currency": currency(rules),
        "categories": _categories(rules),
    }


def _rejection(result: object, rules: RuleSet) -> ApiError:
    if isinstance(result, BelowMinimumPurchase):
        return ApiError(422, "below_minimum", minimum=money(result.minimum, rules))
    if isinstance(result, AmountTooLarge):
        return ApiError(422, "amount_too_large", limit=money(result.limit, rules))
    return ApiError(422, "invalid_amount")


async def _purchase_input(
    request: web.Request, caller: Caller
) -> tuple[Member, int, str | None, RuleSet]:
    """Member, amount and category of a purchase, refused with a reason (nothing written)."""
    body = await read_json(request, {"member", "amount_minor", "category"})
    member = await find_member(text_field(body, "member", max_length=64))
    if member is None:
        raise ApiError(404, "unknown_code")
    amount = int_field(body, "amount_minor")
    rules = await rules_in_force()
    category = None if body.get("category") is None else v.text(body, "category")
    if category is not None and category not in rules.earning.category_multipliers:
        raise v.invalid("category", "unknown-category")
    refused = check_purchase(amount, rules.currency.code, rules, [])
    if refused is not None:
        raise _rejection(refused, rules)
    return member, amount, category, rules


async def quote(request: web.Request, app: MiniApp, caller: Caller) -> dict[str, Any]:
    """What Confirm would award now (rules and campaigns in force); changes nothing."""
    member, amount, category, rules = await _purchase_input(request, caller)
    tz = app.settings.scheduler.timezone
    plan = await ledger.quote_purchase(
        member.id,
        amount,
        rules.currency.code,
        rules=rules,
        category=category,
        campaigns=await campaigns.rules_at(clock.now(), CHANNEL, tz=tz),
        channel=CHANNEL,
        tz=tz,
    )
    if not isinstance(plan, ledger.PurchasePlan):
        raise _rejection(plan, rules)
    points = plan.quote
    # what Confirm would stamp: the plan the purchase then writes (as the chat's till says)
    cards = await stamping.quote(member.id, amount, category, (), tz)
    stamped = stamp_lines(t(caller), cards, caller.language)
    text = t(caller)(
        "miniapp-quote", name=member.display_name, amount=money(amount, rules), points=points.points
    )
    return {
        "member": {"ref": member.code, "name": member.display_name},
        "amount_minor": amount,
        "category": category,
        "points": points.points,
        "stamps": stamped,
        "text": "\n".join([text, *stamped]),
        "breakdown": explain(points, caller.language),
    }


async def record_purchase(request: web.Request, app: MiniApp, caller: Caller) -> dict[str, Any]:
    """Record it once per confirmation screen; the member gets the chat till's receipt.
    The screen's key with another member, amount or category is 409 (nothing written)."""
    key = idempotency_key(request)
    member, amount, category, rules = await _purchase_input(request, caller)
    tz = app.settings.scheduler.timezone
    location = caller.grant.location if caller.grant else None

    async def work() -> Answer:
        result = await ledger.earn_for_purchase(
            member.id,
            amount,
            rules.currency.code,
            idempotency_key=f"miniapp:{caller.telegram_id}:{key}",
            category=category,
            location=location,
            channel=CHANNEL,
            staff_telegram_id=caller.telegram_id,
            campaigns=await campaigns.rules_at(clock.now(), CHANNEL, tz=tz),
            tz=tz,
        )
        if not isinstance(result, PurchaseRecorded):
            if isinstance(result, BelowMinimumPurchase | AmountTooLarge):
                raise _rejection(result, rules)
            raise ApiError(404, "unknown_code")  # the member was deleted meanwhile
        text = t(caller)(
            "miniapp-receipt",
            name=member.display_name,
            amount=money(amount, rules),
            points=result.points,
            receipt=result.receipt_code,
        )
        stamped = stamp_lines(t(caller), stamps.of(result), caller.language)
        body = {
            "receipt_code": result.receipt_code,
            "points": result.points,
            "balance": result.balance,
            "stamps": stamped,
            "text": "\n".join([text, *stamped]),
        }
        details = {"amount_minor": amount, "points": result.points, "location": location}
        audit = ("purchase.record", f"purchase:{result.purchase_id}", details)
        return Answer(200, body, replayed=result.replayed, audit=audit)

    asked = {"member": member.id, "amount_minor": amount, "category": category}
    return await once(caller, "purchase", key, asked, work)


async def redeem_voucher(request: web.Request, app: MiniApp, caller: Caller) -> dict[str, Any]:
    """Use the voucher: one conditional update decides, whoever scans at the same time."""
    body = await read_json(request, {"voucher"})
    ref = _reference(text_field(body, "voucher", max_length=512), app)
    location = caller.grant.location if caller.grant else None
    result = await vouchers.redeem(
        ref, staff_telegram_id=caller.telegram_id, location=location, channel="miniapp"
    )
    if isinstance(result, UnknownVoucher):
        raise ApiError(404, "unknown_code")
    voucher = await Voucher.get(code=result.code) if isinstance(result, Redeemed) else None
    if voucher is None:
        voucher = await vouchers.find(ref)
        assert voucher is not None
    answer = await _voucher_answer(app, voucher, caller)
    if isinstance(result, AlreadyUsed | Expired | Voided):
        code = {AlreadyUsed: "already_used", Expired: "expired", Voided: "voided"}[type(result)]
        raise ApiError(409, code, text=answer["text"])
    await audited(
        "voucher.redeem",
        caller,
        f"voucher:{result.voucher_id}",
        code=result.code,
        location=location,
    )
    answer["text"] = t(caller)("miniapp-voucher-redeemed", reward=answer["reward"]["name"])
    return {"redeemed": True, "voucher": answer}
