"""The member's side of the Mini App: card, balance, tier, history, catalogue, vouchers.

The same store reads as /balance, /history, /rewards and /vouchers in chat; redeeming a
reward is ``vouchers.issue_for_reward`` keyed by the confirmation screen's key, so a double
tap (or the chat and the Mini App at once) gives one voucher and one deduction.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiohttp import web

from api import validation as v
from api.context import plain
from api.errors import ApiError
from api.idempotency import Answer
from api.miniapp.auth import Caller
from api.miniapp.common import (
    MiniApp,
    idempotency_key,
    money,
    once,
    qr_data_uri,
    rules_in_force,
    t,
)
from locales import localized
from models.catalogue import browsing, vouchers
from models.ledger import action_bonus, history, tiers
from models.ledger.config import RuleSet
from models.ledger.results import (
    BelowMinimumRedemption,
    InsufficientPoints,
    LimitReached,
    OutOfStock,
    TierTooLow,
    VoucherIssued,
)
from models.members import membership
from models.stamps import wallet
from models.store import clock
from models.store.tables import EntryKind, Member, Reward, Voucher

RECENT = 5
PAGE_SIZE = 20
WITH_REWARD = (EntryKind.REDEEM, EntryKind.REVERSE)
"""Entries told with their reward's name, when they have one."""
LIMIT_CODES = {"member": "limit_member", "day": "limit_day"}
"""The error code of each :class:`LimitReached` period."""


def history_key(kind: EntryKind, *, with_reward: bool = False) -> str:
    return f"miniapp-history-{kind.value}" + ("-reward" if with_reward else "")


LOCALE_KEYS = (
    *(history_key(kind) for kind in EntryKind),
    *(history_key(kind, with_reward=True) for kind in WITH_REWARD),
)
"""Every key built at run time here (``tests/test_runtime_locale_keys.py``): a line of
each kind of entry, an imported opening balance included."""


def member_of(caller: Caller) -> Member:
    if caller.member is None:
        raise ApiError(404, "not_a_member")
    return caller.member


def _tier(member: Member, rules: RuleSet, view: membership.BalanceView, caller: Caller) -> dict:
    progress = view.progress
    say = t(caller)
    nxt = progress.next
    if nxt is None:
        line = say("miniapp-tier-top")
        percent = 100
    else:
        if progress.basis == "spend":
            line = say(
                "miniapp-tier-next-spend",
                amount=money(progress.needed, rules),
                tier=tiers.tier_name(nxt, caller.language),
            )
        else:
            line = say(
                "miniapp-tier-next-points",
                points=progress.needed,
                tier=tiers.tier_name(nxt, caller.language),
            )
        span = max(1, nxt.threshold - progress.current.threshold)
        done = progress.qualifying - progress.current.threshold
        percent = min(100, max(0, done * 100 // span))
    return {
        "key": progress.current.key,
        "name": tiers.tier_name(progress.current, caller.language),
        "next": {"key": nxt.key, "name": tiers.tier_name(nxt, caller.language)} if nxt else None,
        "qualifying": progress.qualifying,
        "needed": progress.needed,
        "basis": progress.basis,
        "percent": percent,
        "text": line,
    }


def history_line(
    app: MiniApp, line: history.HistoryLine, caller: Caller, rules: RuleSet
) -> dict[str, Any]:
    """One journal entry: its kind, signed points, and a sentence saying what it was."""
    say = t(caller)
    reward = localized(line.reward_names, caller.language) if line.reward_names else "-"
    if line.kind == EntryKind.EARN:
        text = say("miniapp-history-earn", amount=money(line.amount_minor or 0, rules))
    elif line.kind in WITH_REWARD and line.reward_names:
        text = say(history_key(line.kind, with_reward=True), reward=reward)
    else:
        text = say(history_key(line.kind))
    return {
        "kind": line.kind.value,
        "points": line.points,
        "balance_after": line.balance_after,
        "at": line.created_at,
        "date": app.when(line.created_at, with_time=False),
        "receipt": line.receipt_code,
        "text": text,
    }


async def me(request: web.Request, app: MiniApp, caller: Caller) -> dict[str, Any]:
    """The card, balance, tier progress, what expires soon and the latest entries."""
    member = member_of(caller)
    tz = app.settings.scheduler.timezone
    rules = await rules_in_force()
    if rules.bonuses.miniapp:  # the first visit's bonus (this or a racing visit paid it)
        await action_bonus.award_once(member.id, "miniapp", tz=tz)
        member = await Member.get(id=member.id)
    view = await membership.balance_view(member, rules, tz)
    recent = await history.recent(member.id, RECENT)
    horizon = clock.now() + timedelta(days=max(rules.expiry.reminder_days, default=30))
    soon = view.expiring if view.expiring and view.expiring.on <= horizon else None
    link = app.link(f"m-{member.card_token}")
    say = t(caller)
    return {
        "member": {"code": member.code, "name": member.display_name},
        "language": caller.language,
        "staff": caller.is_staff,
        "balance": member.balance,
        "balance_text": say("miniapp-balance", points=member.balance),
        "tier": _tier(member, rules, view, caller),
        "card": {"payload": f"m-{member.card_token}", "link": link, "qr": qr_data_uri(link)},
        "expiring": (
            {
                "points": soon.points,
                "on": soon.on,
                "text": say(
                    "miniapp-expiring", points=soon.points, date=app.when(soon.on, with_time=False)
                ),
            }
            if soon
            else None
        ),
        "history": [history_line(app, line, caller, rules) for line in recent],
        "tier_up": await _tier_up(member, rules, caller),
        "stamps": await _stamps(member, caller),
    }


async def _stamps(member: Member, caller: Caller) -> list[dict[str, Any]]:
    """The wallet's stamp cards: a row of cups each (the page draws one cup per stamp)."""
    say = t(caller)
    out = []
    for view in await wallet.wallet(member.id, clock.now()):
        name = view.name(caller.language)
        out.append(
            {
                "name": name,
                "icon": view.card.icon,
                "stamps": view.card.stamps,
                "needed": view.card.needed,
                "ready": say("miniapp-stamps-ready") if view.ready_codes else None,
            }
        )
    return out


async def _tier_up(member: Member, rules: RuleSet, caller: Caller) -> dict[str, Any] | None:
    """The tier the member reached since the Mini App last showed one, once (None after)."""
    reached = member.tier_up_unseen
    if reached is None or reached != member.tier:
        return None
    if not await tiers.take_unseen_upgrade(member.id, reached):
        return None
    tier = tiers.level(rules.tiers, reached)
    name = tiers.tier_name(tier, member.language)
    return {
        "tier": reached,
        "name": name,
        "perks": tiers.perks_of(tier, member.language),
        "text": t(caller)("miniapp-tier-up", tier=name),
    }


async def history_page(request: web.Request, app: MiniApp, caller: Caller) -> dict[str, Any]:
    member = member_of(caller)
    number = v.whole_number(request.query.get("page", "0"), "page")
    rules = await rules_in_force()
    found = await history.page(member.id, number, PAGE_SIZE)
    return {
        "page": found.page,
        "pages": found.pages,
        "lines": [history_line(app, line, caller, rules) for line in found.lines],
    }


def reward_json(reward: Reward, caller: Caller, *, affordable: bool, in_stock: bool) -> dict:
    return {
        "id": reward.id,
        "name": localized(reward.names, caller.language) or f"#{reward.id}",
        "description": localized(reward.descriptions, caller.language),
        "cost_points": reward.cost_points,
        "stock": reward.stock,
        "affordable": affordable,
        "in_stock": in_stock,
        "photo": f"/app/api/rewards/{reward.id}/photo" if reward.photo else None,
    }


async def rewards(request: web.Request, app: MiniApp, caller: Caller) -> dict[str, Any]:
    """The catalogue the member may see (all pages: a shop's catalogue is small)."""
    member = member_of(caller)
    rules = await rules_in_force()
    found = await browsing.page(member, rules, 0, 200)
    return {
        "balance": member.balance,
        "rewards": [
            reward_json(i.reward, caller, affordable=i.affordable, in_stock=i.in_stock)
            for i in found.items
        ],
    }


async def reward_photo(request: web.Request) -> web.Response:
    """A reward's photo (public like the catalogue's names; bytes are stored with it)."""
    try:
        reward_id = v.whole_number(request.match_info["reward_id"], "reward_id", minimum=1)
    except ApiError:
        raise web.HTTPNotFound() from None
    reward = await Reward.get_or_none(id=reward_id, archived=False)
    if reward is None or not reward.photo:
        raise web.HTTPNotFound()
    photo = bytes(reward.photo)
    return web.Response(
        body=photo,
        content_type="image/png" if photo.startswith(b"\x89PNG") else "image/jpeg",
        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )


def voucher_json(app: MiniApp, voucher: Voucher, caller: Caller) -> dict[str, Any]:
    link = app.link(f"v-{voucher.token}")
    status = voucher.status.value
    if status == "issued" and voucher.valid_until <= clock.now():
        status = "expired"
    reward = voucher.reward if isinstance(voucher.reward, Reward) else None  # prefetched
    return {
        "code": voucher.code,
        "status": status,
        "reward": vouchers.reward_name(reward, caller.language),
        "cost_points": voucher.cost_points,
        "valid_until": voucher.valid_until,
        "until": app.when(voucher.valid_until, with_time=False),
        "redeemed_at": voucher.redeemed_at,
        "link": link,
        "qr": qr_data_uri(link) if status == "issued" else None,
    }


async def my_vouchers(request: web.Request, app: MiniApp, caller: Caller) -> dict[str, Any]:
    member = member_of(caller)
    held = await browsing.member_vouchers(member.id)
    return {
        "active": [voucher_json(app, v, caller) for v in held.active],
        "used": [voucher_json(app, v, caller) for v in held.used],
        "expired": [voucher_json(app, v, caller) for v in held.expired],
    }


def redeem_refusal(result: object, rules: RuleSet, caller: Caller) -> ApiError:
    """Why the store refused a redemption (nothing was written)."""
    match result:
        case InsufficientPoints(short_by=short, balance=balance):
            return ApiError(409, "insufficient_points", short=short, balance=balance)
        case OutOfStock():
            return ApiError(409, "out_of_stock")
        case TierTooLow(required=required):
            name = tiers.tier_name(tiers.level(rules.tiers, required), caller.language)
            return ApiError(409, "tier_too_low", tier=name)
        case LimitReached(limit=limit, period=period):
            return ApiError(409, LIMIT_CODES.get(period, "limit_member"), limit=limit)
        case BelowMinimumRedemption(minimum=minimum):
            return ApiError(409, "below_minimum_redemption", minimum=minimum)
    return ApiError(404, "reward_unavailable")


async def redeem_reward(request: web.Request, app: MiniApp, caller: Caller) -> dict[str, Any]:
    """Points → a voucher, once per confirmation screen (``Idempotency-Key``); the screen's
    key with another reward is 409 (nothing written)."""
    member = member_of(caller)
    key = idempotency_key(request)
    reward_id = v.whole_number(request.match_info["reward_id"], "reward_id", minimum=1)

    async def work() -> Answer:
        result = await vouchers.issue_for_reward(
            member.id,
            reward_id,
            idempotency_key=f"miniapp:{member.id}:{key}",
            channel="miniapp",
            tz=app.settings.scheduler.timezone,
        )
        if not isinstance(result, VoucherIssued):
            raise redeem_refusal(result, await rules_in_force(), caller)
        voucher = await Voucher.get(id=result.voucher_id).prefetch_related("reward")
        body = plain({"balance": result.balance, "voucher": voucher_json(app, voucher, caller)})
        details = {"reward_id": reward_id, "points": result.cost_points}
        audit = ("reward.redeem", f"voucher:{result.voucher_id}", details)
        return Answer(200, body, replayed=result.replayed, audit=audit)

    return await once(caller, "redeem", key, {"reward_id": reward_id}, work)
