"""``/balance``: points, tier, progress to the next tier, what expires first.

The hot path: the member row is already loaded by ``resolve_person``, so this costs the
rule-version probe, one statement for tier progress and the soonest expiry, and one for
the points expiring that local day (when any do).
"""

from __future__ import annotations

import html

from telegram import Update

from handlers.context import JifenContext
from handlers.member.common import HTML, local_date, price, send, tier_label
from locales import localized
from models.catalogue import browsing
from models.ledger import rule_versions, tiers
from models.ledger.config import RuleSet
from models.members import membership


async def balance(update: Update, context: JifenContext) -> None:
    member = context.member
    assert member is not None
    _, rules = await rule_versions.current()
    view = await membership.balance_view(member, rules, context.settings.scheduler.timezone)
    progress = view.progress
    lang = context.lang
    parts = [
        context.t(
            "member-balance",
            points=member.balance,
            tier=tier_label(rules, progress.current.key, lang),
        )
    ]
    if member.balance < 0:  # only a refund of points already spent does this
        parts.append(context.t("member-balance-negative", points=-member.balance))
    if progress.next is None:
        parts.append(context.t("member-balance-top"))
    else:
        nxt = tiers.tier_name(progress.next, lang)
        if progress.basis == "spend":
            parts.append(
                context.t(
                    "member-balance-next-spend", amount=price(context, progress.needed), tier=nxt
                )
            )
        else:
            parts.append(context.t("member-balance-next-points", points=progress.needed, tier=nxt))
    soon = view.expiring
    if soon is not None:
        parts.append(
            context.t(
                "member-balance-expiring", points=soon.points, date=local_date(context, soon.on)
            )
        )
    parts.extend(await _suggestion(context, rules))
    await send(update, "\n".join(parts), parse_mode=HTML)


async def _suggestion(context: JifenContext, rules: RuleSet) -> list[str]:
    """One reward to aim for: one they can take now, else the nearest.

    (:mod:`models.catalogue.suggestions` decides.)
    """
    assert context.member is not None
    item = await browsing.suggestion(context.member, rules)
    if item is None:
        return []
    name = html.escape(localized(item.reward.names, context.lang) or f"#{item.reward.id}")
    missing = max(item.reward.cost_points - context.member.balance, 0)
    if missing == 0:
        return [context.t("offers-balance-suggest-now", name=name)]
    return [context.t("offers-balance-suggest-next", name=name, missing=missing)]
