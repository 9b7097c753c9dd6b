"""The quote of a purchase: the earn's own computation, run without writing.

What a screen promises is what happens (DESIGN.md; STYLE.md §8 "plan, then apply the
plan"). :func:`plan_for` is THE computation of what a purchase earns for one member:
the points earned today (for the daily cap), the campaigns this member may have
(:func:`models.ledger.targeting.narrow`: audiences, control groups, personal offers),
their tier, the rules, and the part paid with points. Two callers, one function:

- :func:`quote_purchase` (the till's Confirm, the Mini App's quote) runs it on a plain
  connection and leaves a personal offer unused: it writes nothing;
- :func:`models.ledger.earning.earn_for_purchase` runs it under the member's lock,
  where it uses the offer, and writes the quote it returns.

Same inputs, same code, so the quote equals the entry unless the world changed in
between (a campaign started, another purchase filled the cap); a caller that showed a
quote passes its points as ``expect_points`` and the earn refuses a different plan
(:class:`~models.ledger.results.PlanChanged`) instead of writing it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from models.ledger import targeting
from models.ledger.config import RuleSet
from models.ledger.dates import local_midnight
from models.ledger.postings import _resolve_rules
from models.ledger.quotes import PointsQuote
from models.ledger.results import (
    AmountTooLarge,
    BelowMinimumPurchase,
    InvalidAmount,
    UnknownCurrency,
    UnknownMember,
)
from models.ledger.rules import CampaignRule, Item, check_purchase, compute_points
from models.store import clock, sql
from models.store.db import connection
from models.store.tables import Member

Refused = InvalidAmount | AmountTooLarge | UnknownCurrency | BelowMinimumPurchase


@dataclass(frozen=True)
class PurchaseRequest:
    """What the till, the Mini App or the POS asks for, checked against the rules."""

    amount_minor: int
    currency: str
    category: str | None = None
    items: tuple[Item, ...] = ()
    campaigns: tuple[CampaignRule, ...] = ()
    """The campaigns in force on the channel (``marketing.campaigns.rules_at``)."""
    channel: str = "telegram"
    tz: str = "UTC"
    paid_points: int = 0
    """Points the member paid part of this bill with (already spent)."""


@dataclass(frozen=True)
class PurchasePlan:
    """What recording the purchase now would write: the bill, what is left to collect in
    money, the points and why."""

    member_id: int
    amount_minor: int
    quote: PointsQuote
    tier: str
    rule_version_id: int | None

    @property
    def points(self) -> int:
        return self.quote.points

    @property
    def paid_points(self) -> int:
        return self.quote.paid_points

    @property
    def paid_minor(self) -> int:
        return self.quote.paid_minor

    @property
    def collect_minor(self) -> int:
        """What the cashier collects in money."""
        return self.amount_minor - self.quote.paid_minor


def request_for(
    amount_minor: Any,
    currency: str,
    rules: RuleSet,
    *,
    category: str | None = None,
    items: Iterable[Item | Mapping[str, Any]] = (),
    campaigns: Iterable[CampaignRule] = (),
    channel: str = "telegram",
    tz: str = "UTC",
    paid_points: Any = 0,
) -> PurchaseRequest | Refused:
    """The request, or why the rules refuse it (the quote and the earn both ask here)."""
    try:
        parsed = tuple(Item.parse(i) for i in items)
    except (KeyError, TypeError, ValueError):
        return InvalidAmount(reason="items")
    rejection = check_purchase(amount_minor, currency, rules, parsed)
    if rejection is not None:
        return rejection
    if isinstance(paid_points, bool) or not isinstance(paid_points, int) or paid_points < 0:
        return InvalidAmount(reason="points")
    return PurchaseRequest(
        amount_minor=amount_minor,
        currency=currency,
        category=category,
        items=parsed,
        campaigns=tuple(campaigns),
        channel=channel,
        tz=tz,
        paid_points=paid_points,
    )


async def _earned_since(conn: BaseDBAsyncClient, member_id: int, since: datetime) -> int:
    row = await sql.one(
        conn,
        "SELECT SUM(points) AS s FROM ledger_entry"
        " WHERE member_id = ? AND created_at >= ? AND kind = 'earn'",
        member_id,
        since,
    )
    return sql.as_int(row and row["s"])


async def plan_for(
    conn: BaseDBAsyncClient,
    member: Member,
    request: PurchaseRequest,
    rules: RuleSet,
    *,
    now: datetime,
    key: str | None,
) -> PointsQuote:
    """THE computation of what ``request`` earns ``member`` at ``now``.

    ``key`` is the purchase's idempotency key when the earn runs it (under the member's
    lock: a personal offer is used then); ``None`` for a quote (the offer stays unused).
    """
    earned_today = 0
    if rules.earning.daily_cap_points:
        earned_today = await _earned_since(conn, member.id, local_midnight(now, request.tz))
    offered = await targeting.narrow(
        conn, member, request.campaigns, now=now, key=key or "", use=key is not None
    )
    return compute_points(
        request.amount_minor,
        rules,
        tier=member.tier,
        category=request.category,
        items=request.items,
        campaigns=offered,
        at=now,
        channel=request.channel,
        earned_today=earned_today,
        paid_points=request.paid_points,
    )


async def quote_purchase(
    member_id: int,
    amount_minor: int,
    currency: str,
    *,
    rules: RuleSet | None = None,
    rule_version_id: int | None = None,
    category: str | None = None,
    items: Iterable[Item | Mapping[str, Any]] = (),
    campaigns: Iterable[CampaignRule] = (),
    channel: str = "telegram",
    tz: str = "UTC",
    paid_points: int = 0,
) -> PurchasePlan | Refused | UnknownMember:
    """What :func:`~models.ledger.earning.earn_for_purchase` with these arguments would
    write now, without writing anything (a personal offer is counted, not used)."""
    rules, version_id = await _resolve_rules(rules, rule_version_id)
    request = request_for(
        amount_minor,
        currency,
        rules,
        category=category,
        items=items,
        campaigns=campaigns,
        channel=channel,
        tz=tz,
        paid_points=paid_points,
    )
    if not isinstance(request, PurchaseRequest):
        return request
    member = await Member.get_or_none(id=member_id, deleted_at=None)
    if member is None:
        return UnknownMember(member_id)
    quote = await plan_for(connection(), member, request, rules, now=clock.now(), key=None)
    return PurchasePlan(member.id, amount_minor, quote, member.tier, version_id)
