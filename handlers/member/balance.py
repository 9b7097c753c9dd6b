"""``/balance``: points, tier, progress to the next tier, what expires first.

The hot path: the member row is already loaded by ``resolve_person``, so this costs the
rule-version probe and one statement for tier progress and expiring points.
"""

from __future__ import annotations

from telegram import Update

from handlers.context import JifenContext
from handlers.member.common import HTML, local_date, price, send, tier_label
from models import members, rule_versions, tiers


async def balance(update: Update, context: JifenContext) -> None:
    member = context.member
    assert member is not None
    _, rules = await rule_versions.current()
    view = await members.balance_view(member, rules)
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
    await send(update, "\n".join(parts), parse_mode=HTML)
