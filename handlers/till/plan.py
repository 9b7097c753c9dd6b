"""The purchase quote as the till shows it: the ledger's own plan, rendered.

The plan is :func:`models.ledger.quote_purchase` (the earn's computation: audiences,
offers, tier, daily cap, rules, points paid), so the Confirm says what the ledger then
writes. Its points travel in the pending action (``points``) and Confirm records the
purchase only if it still earns exactly that (``expect_points``); otherwise the new
plan is shown instead. The chat (:mod:`.purchase`) and the member's payment
(:mod:`.payment`, through the outbox) render the same arguments.
"""

from __future__ import annotations

from typing import Any

from handlers.till.common import active_campaigns, money
from locales import Translate
from models import ledger
from models.ledger import PurchasePlan
from models.ledger.config import RuleSet
from models.ledger.quotes import explain
from models.ledger.quoting import Refused
from models.ledger.results import UnknownMember

NO_CATEGORY = "-"
OTHER = "other"


async def quote(
    member_id: int,
    amount: int,
    category: str | None,
    rules: RuleSet,
    tz: str,
    paid_points: int = 0,
) -> PurchasePlan | Refused | UnknownMember:
    """What Confirm would record now for a purchase at the chat till."""
    return await ledger.quote_purchase(
        member_id,
        amount,
        rules.currency.code,
        rules=rules,
        category=category,
        campaigns=await active_campaigns(tz),
        tz=tz,
        paid_points=paid_points,
    )


def category_label(t: Translate, category: str | None) -> str:
    """The category as the cashier reads it (plain text)."""
    if category is None:
        return t("till-category-none")
    if category == OTHER:
        return t("till-category-other")
    return category


def message(
    plan: PurchasePlan, t: Translate, language: str, name: str, category: str | None, rules: RuleSet
) -> tuple[str, dict[str, Any]]:
    """The confirm text's locale key and (unescaped) arguments for ``plan``."""
    args: dict[str, Any] = {
        "name": name,
        "amount": money(plan.amount_minor, rules),
        "category": category_label(t, category),
        "points": plan.points,
        "breakdown": explain(plan.quote, language),
    }
    if not plan.paid_points:
        return "till-purchase-confirm", args
    return "till-purchase-confirm-paid", args | {
        "paid": plan.paid_points,
        "discount": money(plan.paid_minor, rules),
        "due": money(plan.collect_minor, rules),
        "earn_on_paid": "yes" if rules.usage.earn_on_points_payment else "no",
    }


def payload(plan: PurchasePlan, category: str | None) -> dict[str, Any]:
    """What the pending action keeps: the request and the points promised."""
    return {
        "member_id": plan.member_id,
        "amount": plan.amount_minor,
        "category": category,
        "paid_points": plan.paid_points,
        "points": plan.points,
    }
