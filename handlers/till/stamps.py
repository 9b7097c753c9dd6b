"""Stamp cards at the till: the quote's line and the receipt's (``till-stamps-line``).

The quote's line is :func:`models.stamps.stamping.quote`, the very plan the purchase
then writes; the receipt's is what it wrote (``stamps.of(result)``).
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from handlers.context import JifenContext
from models import stamps
from models.stamps import stamping


def lines(context: JifenContext, cards: Iterable[stamps.CardResult]) -> str:
    """One line per card type: "+1 · ☕☕☕○○○○○○○ 3/10" (empty when none)."""
    return "".join(
        "\n"
        + context.t(
            "till-stamps-line",
            name=html.escape(stamping.type_name_of(card, context.lang)),
            added=card.added,
            cups=card.cups(),
            stamps=card.stamps,
            needed=card.needed,
            filled=card.filled,
        )
        for card in cards
        if card.added
    )


async def quote_lines(
    context: JifenContext, member_id: int, amount: int, category: str | None, tz: str
) -> str:
    """What Confirm would stamp now, as :func:`lines`."""
    return lines(context, await stamping.quote(member_id, amount, category, (), tz))
