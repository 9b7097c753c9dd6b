"""``GET /members/{ref}``: who is at the counter, their balance and what expires soon."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiohttp import web

from api.context import plain, rules_in_force, timezone
from api.errors import ApiError, request_language
from models.ledger import tiers
from models.ledger.config import RuleSet
from models.members import membership
from models.store import clock
from models.store.tables import Member


def one_member(found: Member | membership.AmbiguousMember | None) -> Member | None:
    """The member a lookup names; several (a phone suffix shared) is 409 naming nobody."""
    if isinstance(found, membership.AmbiguousMember):
        raise ApiError(409, "ambiguous_member")
    return found


async def find_member(ref: str) -> Member | None:
    """A live member by card token (``m-`` optional), member code or phone number."""
    text = ref.strip().removeprefix("m-")
    found = await membership.find_by_card(text)
    if found is not None:
        return found
    return one_member(await membership.lookup(text)) if text else None


def member_ref(member: Member) -> dict[str, Any]:
    return {"code": member.code, "name": member.display_name}


async def describe(member: Member, rules: RuleSet, language: str, tz: str) -> dict[str, Any]:
    """The member as a POS shows them; ``expiring_soon`` looks ahead the longest reminder
    lead (the points expiring on the soonest day in the shop's time zone ``tz``)."""
    view = await membership.balance_view(member, rules, tz)
    horizon = clock.now() + timedelta(days=max(rules.expiry.reminder_days, default=30))
    soon = view.expiring if view.expiring and view.expiring.on <= horizon else None
    level = tiers.level(rules.tiers, member.tier)
    return plain(
        {
            **member_ref(member),
            "tier": {"key": level.key, "name": tiers.tier_name(level, language)},
            "balance": member.balance,
            "expiring_soon": {"points": soon.points, "on": soon.on} if soon else None,
        }
    )


async def get_member(request: web.Request) -> web.Response:
    member = await find_member(request.match_info["ref"])
    if member is None:
        raise ApiError(404, "member_not_found")
    rules = await rules_in_force()
    language = request_language(request)
    return web.json_response(await describe(member, rules, language, timezone(request)))


ROUTES = [web.get("/members/{ref}", get_member)]
