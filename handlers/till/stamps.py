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
from models.stamps.lines import stamp_lines


def lines(context: JifenContext, cards: Iterable[stamps.CardResult]) -> str:
    """One line per card type: "+1 · ☕☕☕○○○○○○○ 3/10" (empty when none)."""
    found = stamp_lines(context.t, cards, context.lang, escape=html.escape)
    return "".join("\n" + line for line in found)


async def quote_lines(
    context: JifenContext, member_id: int, amount: int, category: str | None, tz: str
) -> str:
    """What Confirm would stamp now, as :func:`lines`."""
    return lines(context, await stamping.quote(member_id, amount, category, (), tz))
