"""Stamp lines as people read them (``till-stamps-line``: "🎟 Coffee card: +1 · ☕☕☕○○○○○○○
3/10"): one per card type a purchase stamps. One formatter for the chat's till and the
Mini App's, each with its own translator (and the chat's HTML escaping)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from models.stamps import CardResult
from models.stamps.stamping import type_name_of


def stamp_lines(
    translate: Callable[..., str],
    cards: Iterable[CardResult],
    language: str,
    *,
    escape: Callable[[str], str] = str,
) -> list[str]:
    """The line of each card a purchase adds stamps to (none when it adds none)."""
    return [
        translate(
            "till-stamps-line",
            name=escape(type_name_of(card, language)),
            added=card.added,
            cups=card.cups(),
            stamps=card.stamps,
            needed=card.needed,
            filled=card.filled,
        )
        for card in cards
        if card.added
    ]
