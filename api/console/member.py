"""One member: balance, tier progress, lots and their expiry, the explained history,
purchases, vouchers, consent and the audit trail; and adjusting their points (admins).

The page and ``GET /console/api/members/{code}`` are one dict (:func:`member_json`).
An adjustment is the chat's ``/adjust``: the same ledger operation (``ledger.adjust``,
which audits it with actor kind ``console`` and queues the member's notice in its
transaction), the same refusal of an overdraw, keyed by the ``Idempotency-Key`` through
the HTTP API's :func:`api.idempotency.run_once` (a reused key with another body is 409;
a refused request leaves no record).
"""

from __future__ import annotations

import uuid
from typing import Any

from aiohttp import web

from api import validation as v
from api.console.common import ACTOR_KIND, Formats, Route, Visitor, page, settings, zone
from api.context import refusal, respond
from api.errors import ApiError
from api.idempotency import Answer, run_once
from locales import localized
from models import ledger
from models.ledger import history, rule_versions, tiers
from models.ledger.config import RuleSet
from models.ledger.results import Credited, InsufficientPoints, Spent
from models.members import dossier, membership
from models.store.tables import EntryKind, Member, Role, VoucherStatus


def history_key(kind: EntryKind) -> str:
    return f"console-history-{kind.value}"


def voucher_key(status: VoucherStatus) -> str:
    return f"reports-voucher-{status.value}"


LOCALE_KEYS = (
    *(history_key(kind) for kind in EntryKind),
    *(voucher_key(status) for status in VoucherStatus),
)
"""Every key built at run time here (``tests/test_runtime_locale_keys.py``)."""

MAX_ADJUST = 10_000_000
"""The largest correction at once (the chat's /adjust has the same bound)."""
MAX_REASON = 200
MAX_BODY = 4096


def tier_json(key: str, rules: RuleSet, language: str) -> dict[str, str]:
    known = {lvl.key: lvl for lvl in rules.tiers.levels}
    name = tiers.tier_name(known[key], language) if key in known else key
    return {"key": key, "name": name}


def phone_for(visitor: Visitor, phone: str | None) -> str | None:
    """Admins see the number; marketers its last four digits."""
    if phone is None or visitor.role == Role.ADMIN:
        return phone
    return membership.masked_phone(phone)


def line_json(line: history.HistoryLine, visitor: Visitor, fmt: Formats, rules: RuleSet) -> dict:
    """One journal entry with the sentence that says what it was, and why (earns)."""
    reward = localized(line.reward_names, visitor.language) if line.reward_names else "-"
    text = visitor.t(
        history_key(line.kind),
        amount=fmt.money(line.amount_minor, rules),
        receipt=line.receipt_code or "-",
        reward=reward,
        reason=line.reason or "-",
        bonus=history.bonus_kind(line.reason),
    )
    return {
        "kind": line.kind.value,
        "points": line.points,
        "balance_after": line.balance_after,
        "at": line.created_at,
        "receipt": line.receipt_code,
        "text": text,
        "how": history.how(line, visitor.language),
    }


async def member_json(
    member: Member, visitor: Visitor, fmt: Formats, history_page: int = 0
) -> dict[str, Any]:
    rules = (await rule_versions.current())[1]
    found = await dossier.dossier(member, rules, history_page)
    progress, soonest = found.view.progress, found.view.expiring
    return {
        "code": member.code,
        "name": member.display_name,
        "tier": tier_json(member.tier, rules, visitor.language),
        "balance": member.balance,
        "phone": phone_for(visitor, member.phone),
        "external_id": member.external_id,
        "language": member.language,
        "joined_at": member.created_at,
        "last_purchase_at": member.last_purchase_at,
        "consent": {
            "marketing": member.marketing_opt_in,
            "notifications": member.notifications_enabled,
            "reachable": member.reachable,
        },
        "progress": {
            "basis": progress.basis,
            "qualifying": progress.qualifying,
            "next": tier_json(progress.next.key, rules, visitor.language)
            if progress.next
            else None,
            "needed": progress.needed,
            "percent": _percent(progress),
        },
        "expiring": {"points": soonest.points, "on": soonest.on} if soonest else None,
        "lots": [
            {"points": lot.points, "remaining": lot.remaining, "expires_at": lot.expires_at}
            for lot in found.lots
        ],
        "history": {
            "page": found.history.page,
            "pages": found.history.pages,
            "total": found.history.total,
            "lines": [line_json(x, visitor, fmt, rules) for x in found.history.lines],
        },
        "purchases": [
            {
                "receipt": p.receipt_code,
                "at": p.created_at,
                "amount_minor": p.amount_minor,
                "amount": fmt.money(p.amount_minor, rules),
                "refunded_minor": p.refunded_minor,
                "points": p.points_awarded,
                "location": p.location,
                "channel": p.channel,
            }
            for p in found.purchases
        ],
        "vouchers": [
            {
                "code": x.code,
                "reward": localized(x.reward.names, visitor.language) if x.reward else "-",
                "status": str(x.status),
                "cost_points": x.cost_points,
                "issued_at": x.issued_at,
                "valid_until": x.valid_until,
                "redeemed_at": x.redeemed_at,
            }
            for x in found.vouchers
        ],
        "audit": [
            {
                "at": a.created_at,
                "action": a.action,
                "actor_kind": a.actor_kind,
                "actor": a.actor_telegram_id,
                "details": a.details,
            }
            for a in found.audit
        ],
    }


def _percent(progress: tiers.TierProgress) -> int:
    if progress.next is None:
        return 100
    target = progress.next.threshold
    return max(0, min(100, progress.qualifying * 100 // target)) if target else 100


async def _member(request: web.Request) -> Member:
    member = await dossier.by_code(request.match_info["code"])
    if member is None or not member.enrolled:
        raise ApiError(404, "member_not_found")
    return member


def _history_page(request: web.Request) -> int:
    raw = request.query.get("page", "0")
    if not raw.isdigit() or int(raw) > 1_000_000:
        raise v.invalid("page", "out-of-range")
    return int(raw)


async def get_member(request: web.Request, visitor: Visitor) -> dict[str, Any]:
    v.only(request.query, {"page"})
    fmt = Formats(visitor.language, zone(request))
    return await member_json(await _member(request), visitor, fmt, _history_page(request))


async def member_page(request: web.Request, visitor: Visitor) -> web.Response:
    v.only(request.query, {"page"})
    member = await _member(request)
    fmt = Formats(visitor.language, zone(request))
    data = await member_json(member, visitor, fmt, _history_page(request))
    return page(
        request,
        visitor,
        "member.html",
        member=data,
        may_adjust=_may_adjust(visitor),
        idempotency_key=uuid.uuid4().hex,
        voucher_status={s.value: visitor.t(voucher_key(s)) for s in VoucherStatus},
    )


async def history_fragment(request: web.Request, visitor: Visitor) -> web.Response:
    v.only(request.query, {"page"})
    member = await _member(request)
    fmt = Formats(visitor.language, zone(request))
    data = await member_json(member, visitor, fmt, _history_page(request))
    return page(request, visitor, "member_history.html", member=data)


def _may_adjust(visitor: Visitor) -> bool:
    return visitor.role == Role.ADMIN


async def adjust(request: web.Request, visitor: Visitor) -> web.Response:
    """``{"points": ±N, "reason": "…"}`` → 201 with the balance before and after."""
    member = await _member(request)
    key = v.idempotency_key(request)
    body = await v.read_json(request, MAX_BODY)
    v.only(body, {"points", "reason"})
    points = v.integer(body, "points", minimum=-MAX_ADJUST, maximum=MAX_ADJUST)
    if points == 0:
        raise v.invalid("points", "zero")
    reason = v.text(body, "reason", required=True, max_length=MAX_REASON)
    assert reason is not None

    async def work() -> Answer:
        result = await ledger.adjust(
            member.id,
            points,
            reason=reason,
            actor_telegram_id=visitor.telegram_id,
            idempotency_key=f"console:{visitor.telegram_id}:{key}",
            actor_kind=ACTOR_KIND,
            tz=settings(request).scheduler.timezone,
        )
        if isinstance(result, InsufficientPoints):
            return refusal(ApiError(422, "insufficient_points", balance=result.balance))
        if not isinstance(result, Credited | Spent):
            return refusal(ApiError(404, "member_not_found"))
        after = result.balance
        body = {"code": member.code, "points": points, "before": after - points, "balance": after}
        return Answer(201, body, replayed=result.replayed)

    answer = await run_once(
        f"console:{visitor.telegram_id}:adjust:{key}",
        "console.adjust",
        {"member": member.code, "points": points, "reason": reason},
        work,
        idempotent_work=True,
    )
    return respond(answer)


def member_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["code", "name", "tier", "balance", "history", "lots"],
        "properties": {
            "code": {"type": "string"},
            "name": {"type": "string"},
            "tier": {"type": "object"},
            "balance": {"type": "integer"},
            "phone": {"type": ["string", "null"]},
            "consent": {"type": "object"},
            "lots": {"type": "array"},
            "history": {"type": "object"},
            "purchases": {"type": "array"},
            "vouchers": {"type": "array"},
            "audit": {"type": "array"},
        },
    }


CODE = {
    "name": "code",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "minLength": 1, "maxLength": 16, "pattern": "^[A-Za-z0-9]+$"},
}
PAGE = {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 0}}
IDEMPOTENCY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": True,
    "schema": {"type": "string", "minLength": 1, "maxLength": 80, "pattern": r"^[\x21-\x7e]+$"},
}
ERROR = {"$ref": "#/components/responses/Error"}

MEMBER_ROUTES = (
    Route("GET", "/members/{code}", member_page),
    Route("GET", "/members/{code}/history", history_fragment),
    Route(
        "GET",
        "/api/members/{code}",
        get_member,
        doc={
            "operationId": "getMember",
            "summary": "A member: balance, tier progress, lots, history, purchases, vouchers, "
            "consent, audit trail",
            "parameters": [CODE, PAGE],
            "responses": {
                "200": {
                    "description": "the member",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Member"}}
                    },
                },
                "404": ERROR,
                "422": ERROR,
            },
        },
    ),
    Route(
        "POST",
        "/api/members/{code}/adjustments",
        adjust,
        role=Role.ADMIN,
        doc={
            "operationId": "adjustPoints",
            "summary": "Add or take points with a reason (admins; the member is told)",
            "parameters": [CODE, IDEMPOTENCY],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["points", "reason"],
                            "additionalProperties": False,
                            "properties": {
                                "points": {
                                    "type": "integer",
                                    "minimum": -MAX_ADJUST,
                                    "maximum": MAX_ADJUST,
                                    "not": {"const": 0},
                                },
                                "reason": {
                                    "type": "string",
                                    "minLength": 1,
                                    "maxLength": MAX_REASON,
                                    "pattern": r"^[^\u0000-\u001f\u007f-\u009f]*"
                                    r"[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$",
                                },
                            },
                        }
                    }
                },
            },
            "responses": {
                "201": {
                    "description": "adjusted",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "code": {"type": "string"},
                                    "points": {"type": "integer"},
                                    "before": {"type": "integer"},
                                    "balance": {"type": "integer"},
                                },
                            }
                        }
                    },
                },
                "200": {"description": "a replay of the first answer"},
                "400": ERROR,
                "404": ERROR,
                "409": ERROR,
                "413": ERROR,
                "422": ERROR,
            },
        },
    ),
)
