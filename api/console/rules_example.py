"""What the rules pages show of a change: the example purchase before and after, in the
reader's words (shared by the one-field change in :mod:`.rules` and the forms in
:mod:`.rules_forms`, so both previews are the same computation and the same text)."""

from __future__ import annotations

from typing import Any

from api.console.common import Visitor
from locales import localized, money
from models.ledger import rule_editing, rule_preview
from models.ledger.config import RuleSet
from models.ledger.rule_editing import Example, RuleField
from models.marketing import campaigns
from models.store import clock

CHANNEL = "telegram"
"""The channel whose campaigns the example counts (the chat's ``/rules`` uses the same)."""


def money_text(rules: RuleSet, minor: int) -> str:
    return money(minor, rules.currency.symbol, rules.currency.exponent)


def example_json(visitor: Visitor, rules: RuleSet, example: Example) -> dict[str, Any]:
    amount = money_text(rules, example.amount_minor)
    tier = localized(example.tier_names, visitor.language) or example.tier
    return {
        "amount_minor": example.amount_minor,
        "category": example.category,
        "tier": example.tier,
        "before": example.before,
        "after": example.after,
        "text": visitor.t(
            "console-rules-example",
            amount=amount,
            category=example.category,
            tier=tier,
            before=-1 if example.before is None else example.before,
            after=-1 if example.after is None else example.after,
        ),
    }


async def example_now(
    before: RuleSet, after: RuleSet, tz: str, field: RuleField | None = None
) -> Example:
    """The example under both rule sets now, with the campaigns running for everyone
    (what a member's next such purchase earns: the till's computation). A change of one
    ``field`` is shown on the purchase it is about, as the chat's ``/rules`` shows it
    (:func:`rule_preview.example_at_till`); a form's several fields on the usual one."""
    now = clock.now()
    running = await campaigns.rules_at(now, CHANNEL, tz=tz)
    if field is not None:
        return await rule_preview.example_at_till(before, after, field, now, running, tz=tz)
    return rule_editing.example(before, after, now, running)
