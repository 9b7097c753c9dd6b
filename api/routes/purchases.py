"""``POST /purchases`` and ``POST /refunds``: the ledger's own operations, keyed.

The same store calls as the chat till (``ledger.earn_for_purchase`` with the rules and
campaigns in force, the shop's time zone; ``ledger.refund`` with the refund policy), on
channel ``api``. The ledger key is ``api:<key prefix>:<Idempotency-Key>``: keys are
scoped per API key, so two shops may use the same order numbers.

An order belongs to the key that recorded it (``purchase.api_key``): a refund by
``order_id`` looks only among the caller's own purchases, and one by ``receipt_code``
finds the caller's own purchases and the till's (recorded in chat, by no key). Another
key's purchase is ``purchase_not_found``, exactly as if it did not exist.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from api import validation as v
from api.auth import api_key
from api.context import (
    location,
    plain,
    refusal,
    respond,
    rules_in_force,
    settings,
    timezone,
)
from api.errors import ApiError
from api.idempotency import Answer, keyed, run_once
from api.routes.members import member_ref, one_member
from models import ledger, stamps
from models.ledger.config import RuleSet
from models.ledger.quotes import PointsQuote
from models.ledger.results import (
    AmountTooLarge,
    BelowMinimumPurchase,
    InvalidAmount,
    PurchaseRecorded,
    Refunded,
    RefundExceedsPurchase,
    UnknownCurrency,
    UnknownMember,
    UnknownPurchase,
)
from models.ledger.rules import Item
from models.marketing import campaigns
from models.members import membership
from models.store import clock
from models.store.tables import Member, Purchase

MEMBER_REFS = ("code", "phone", "card_token")


def _ledger_key(request: web.Request, key: str) -> str:
    return f"api:{api_key(request).prefix}:{key}"


def _record_key(request: web.Request, operation: str, key: str) -> str:
    return f"api:{api_key(request).prefix}:{operation}:{key}"


def rejection(result: Any, rules: RuleSet) -> ApiError:
    """The HTTP error for a purchase/refund the rules refuse (nothing was written)."""
    currency = rules.currency.code
    if isinstance(result, InvalidAmount):
        field = "items" if result.reason == "items" else "amount_minor"
        return ApiError(422, "invalid_amount", field=field)
    if isinstance(result, UnknownCurrency):
        return ApiError(422, "unknown_currency", expected=result.expected)
    if isinstance(result, AmountTooLarge):
        return ApiError(422, "amount_too_large", limit_minor=result.limit, currency=currency)
    if isinstance(result, BelowMinimumPurchase):
        return ApiError(
            422, "below_minimum_purchase", minimum_minor=result.minimum, currency=currency
        )
    if isinstance(result, UnknownMember):
        return ApiError(404, "member_not_found")
    if isinstance(result, UnknownPurchase):
        return ApiError(404, "purchase_not_found")
    if isinstance(result, RefundExceedsPurchase):
        return ApiError(
            422,
            "refund_exceeds_purchase",
            refundable_minor=result.refundable_minor,
            currency=currency,
        )
    raise TypeError(f"unexpected result {result!r}")


def parse_member_ref(body: dict[str, Any]) -> dict[str, str]:
    """The body's ``member``: exactly one of code, phone and card token."""
    member = v.obj(body, "member")
    v.only(member, set(MEMBER_REFS), "member.")
    given = [name for name in MEMBER_REFS if member.get(name) is not None]
    if len(given) != 1:
        raise v.invalid("member", "one-of:code,phone,card_token")
    return {given[0]: v.text(member, given[0], required=True, where="member.")}  # type: ignore[dict-item]


def _parse_purchase(body: dict[str, Any]) -> dict[str, Any]:
    v.only(
        body, {"member", "amount_minor", "currency", "order_id", "category", "items", "location"}
    )
    return {
        "member": parse_member_ref(body),
        "amount_minor": v.integer(body, "amount_minor", minimum=1),
        "currency": v.text(body, "currency", required=True, max_length=3),
        "order_id": v.text(body, "order_id", required=True),
        "category": v.text(body, "category"),
        "items": v.items(body),
        "location": v.text(body, "location"),
    }


def _purchase_body(
    result: PurchaseRecorded, member: Member, request: dict[str, Any]
) -> dict[str, Any]:
    return plain(
        {
            "receipt_code": result.receipt_code,
            "order_id": request["order_id"],
            "member": member_ref(member),
            "amount_minor": request["amount_minor"],
            "currency": request["currency"],
            "location": request["location"],
            "points": result.points,
            "balance": result.balance,
            "tier": result.tier,
            "upgraded_to": result.upgraded_to,
            "breakdown": result.quote.to_json(),
            "stamps": [card.to_json() for card in stamps.of(result)],
        }
    )


async def member_named(ref: dict[str, str]) -> Member:
    """The one live member a purchase names (404 none, 409 several)."""
    ((kind, text),) = ref.items()
    if kind == "card_token":
        member = await membership.find_by_card(text.removeprefix("m-"))
    else:
        member = one_member(await membership.lookup(text))
    if member is None:
        raise ApiError(404, "member_not_found")
    return member


async def post_purchase(request: web.Request) -> web.Response:
    """Record a purchase for a member and award its points (201; a retry replays, 200)."""
    body = await v.read_json(request, settings(request).api.max_body_bytes)
    parsed = _parse_purchase(body)
    key = v.idempotency_key(request, fallback=f"order:{parsed['order_id']}")
    parsed["location"] = location(request, parsed["location"])
    try:
        lines = [Item.parse(line) for line in parsed["items"]]
    except (KeyError, TypeError, ValueError):
        raise v.invalid("items", "invalid") from None
    tz = timezone(request)

    rules = await rules_in_force()
    caller = api_key(request)
    ledger_key = _ledger_key(request, key)
    try:
        member = await member_named(parsed["member"])
    except ApiError:  # a retry is answered its first result, whoever the member is now
        first = await Purchase.get_or_none(idempotency_key=ledger_key)
        if first is None:
            raise
        member = await Member.get(id=first.member_id)  # type: ignore[attr-defined]
    http_key = keyed(_record_key(request, "purchase", key), "purchase", parsed)

    def written_with(quote: PointsQuote) -> list[tuple[Any, dict[str, Any]]]:
        details = {
            "api_key": caller.prefix,
            "order_id": parsed["order_id"],
            "amount_minor": parsed["amount_minor"],
            "points": quote.points,
            "location": parsed["location"],
        }
        target = (
            "'purchase:' || (SELECT id FROM purchase WHERE idempotency_key = ?)",
            [ledger_key],
        )
        return http_key.rows("purchase.record", details, target)

    result = await ledger.earn_for_purchase(
        member.id,
        parsed["amount_minor"],
        parsed["currency"],
        idempotency_key=ledger_key,
        category=parsed["category"],
        items=lines,
        location=parsed["location"],
        channel="api",
        order_id=parsed["order_id"],
        api_key_id=caller.id,
        campaigns=await campaigns.rules_at(clock.now(), "api", tz=tz),
        tz=tz,
        written_with=written_with,
    )
    if not isinstance(result, PurchaseRecorded):  # the ledger's rules (a retry replays)
        raise rejection(result, rules)
    if result.replayed:
        await http_key.check_replay()
    body = _purchase_body(result, member, parsed)
    return respond(Answer(201, body, replayed=result.replayed))


async def _find_refunded_purchase(request: web.Request, parsed: dict[str, Any]) -> Purchase:
    """The purchase a refund names: by receipt code (the caller's own or the till's) or
    by order id (the caller's own only); anything else is ``purchase_not_found``."""
    caller = api_key(request)
    if parsed["receipt_code"] is not None:
        found = await ledger.find_purchase(parsed["receipt_code"])
        if found is None or found.api_key_id not in (None, caller.id):  # type: ignore[attr-defined]
            raise ApiError(404, "purchase_not_found")
    else:
        matches = await Purchase.filter(api_key_id=caller.id, order_id=parsed["order_id"]).limit(2)
        if not matches:
            raise ApiError(404, "purchase_not_found")
        if len(matches) > 1:  # the same order id under two Idempotency-Keys of this key
            raise ApiError(409, "ambiguous_order")
        found = matches[0]
    if caller.location is not None and found.location != caller.location:
        raise ApiError(403, "location_mismatch", location=caller.location)
    return found


async def post_refund(request: web.Request) -> web.Response:
    """Refund (part of) a purchase; its points are reversed proportionally."""
    body = await v.read_json(request, settings(request).api.max_body_bytes)
    v.only(body, {"receipt_code", "order_id", "amount_minor"})
    parsed = {
        "receipt_code": v.text(body, "receipt_code", max_length=32),
        "order_id": v.text(body, "order_id"),
        "amount_minor": v.integer(body, "amount_minor", minimum=1),
    }
    if (parsed["receipt_code"] is None) == (parsed["order_id"] is None):
        raise v.invalid("receipt_code", "one-of:receipt_code,order_id")
    key = v.idempotency_key(request)

    async def work() -> Answer:
        # found under the claim: a retry replays even if the order id became ambiguous
        purchase = await _find_refunded_purchase(request, parsed)
        rules = await rules_in_force()
        result = await ledger.refund(
            purchase.id,
            parsed["amount_minor"],
            idempotency_key=_ledger_key(request, key),
            policy=rules.usage.refund_policy,
            channel="api",
        )
        if not isinstance(result, Refunded):
            return refusal(rejection(result, rules))
        body = {
            "refund_id": result.refund_id,
            "receipt_code": purchase.receipt_code,
            "order_id": purchase.order_id,
            "amount_minor": result.amount_minor,
            "currency": purchase.currency,
            "refunded_minor_total": result.refunded_minor_total,
            "refundable_minor": purchase.amount_minor - result.refunded_minor_total,
            "points_due": result.points_due,
            "points_reversed": result.points_reversed,
            "balance": result.balance,
            "stamps": [card.to_json() for card in stamps.of(result)],
        }
        details = {
            "api_key": api_key(request).prefix,
            "receipt_code": purchase.receipt_code,
            "amount_minor": result.amount_minor,
            "points_reversed": result.points_reversed,
        }
        return Answer(
            201,
            body,
            replayed=result.replayed,
            audit=("purchase.refund", f"purchase:{purchase.id}", details),
        )

    answer = await run_once(
        _record_key(request, "refund", key),
        "refund",
        parsed,
        work,
        idempotent_work=True,
    )
    return respond(answer)


ROUTES = [web.post("/purchases", post_purchase), web.post("/refunds", post_refund)]
