"""The /rules preview computed as the till computes it (:func:`quoting.plan_for`).

A change is shown on the purchase it is about: a category's multiplier (or exclusion) on
a purchase in that category, a tier's threshold or multiplier on a purchase by a member
of that tier; anything else on the usual example (¥128.50 of coffee by a Gold member).
The member is a stand-in (no purchases today, in no targeted audience), so the campaigns
that count are those for everyone, as :func:`rule_editing.example` says.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from models.ledger.config import RuleSet
from models.ledger.quoting import PurchaseRequest, plan_for
from models.ledger.rule_editing import (
    EXAMPLE_AMOUNT_MINOR,
    EXAMPLE_CATEGORY,
    Example,
    Kind,
    RuleField,
    example_tier,
    value_of,
)
from models.ledger.rules import CampaignRule, check_purchase
from models.store.db import connection
from models.store.tables import Member


def focus(before: RuleSet, after: RuleSet, field: RuleField) -> tuple[str, str]:
    """The (category, tier) the example purchase should use to show this change."""
    category, tier = EXAMPLE_CATEGORY, example_tier(after)
    if field.tier is not None:
        tier = after.tiers.levels[field.tier].key
    elif field.kind in (Kind.MULTIPLIERS, Kind.WORDS):
        old, new = value_of(before, field), value_of(after, field)
        if field.kind == Kind.MULTIPLIERS:
            changed = [k for k in new if old.get(k) != new[k]] + [k for k in old if k not in new]
        else:
            changed = [w for w in new if w not in old] + [w for w in old if w not in new]
        category = changed[0] if changed else category
    return category, tier


async def example_at_till(
    before: RuleSet,
    after: RuleSet,
    field: RuleField,
    at: datetime,
    campaigns: Sequence[CampaignRule] = (),
    *,
    tz: str = "UTC",
) -> Example:
    """Points the focused example purchase earns under both rule sets, by ``plan_for``."""
    category, tier = focus(before, after, field)
    names = next((dict(lv.names) for lv in after.tiers.levels if lv.key == tier), {})
    stand_in = Member(id=0, tier=tier)

    async def points(rules: RuleSet) -> int | None:
        if check_purchase(EXAMPLE_AMOUNT_MINOR, rules.currency.code, rules) is not None:
            return None
        request = PurchaseRequest(
            EXAMPLE_AMOUNT_MINOR,
            rules.currency.code,
            category=category,
            campaigns=tuple(c for c in campaigns if not c.audience),
            tz=tz,
        )
        quote = await plan_for(connection(), stand_in, request, rules, now=at, key=None)
        return quote.points

    return Example(
        amount_minor=EXAMPLE_AMOUNT_MINOR,
        category=category,
        tier=tier,
        tier_names=names,
        before=await points(before),
        after=await points(after),
    )
