"""Stamp-card figures over a period, per card type: cards started, filled and redeemed, and
the time a card takes to fill (median and the slowest, in days).

"Redeemed" is the card's voucher redeemed in the period (cards that give points count as
redeemed when filled). Reads the stamp tables only (the stamps room writes them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from statistics import median

from models.store.tables import StampCard, StampCardType, VoucherStatus


@dataclass(frozen=True)
class StampFigures:
    card_type_id: int
    names: dict[str, str]
    started: int
    filled: int
    redeemed: int
    median_days_to_fill: float | None
    slowest_days_to_fill: float | None


async def stamp_figures(start: datetime, end: datetime) -> list[StampFigures]:
    """Every card type's figures for ``[start, end)``."""
    out = []
    for card_type in await StampCardType.all().order_by("id"):
        mine = StampCard.filter(card_type_id=card_type.id)
        started = await mine.filter(started_at__gte=start, started_at__lt=end).count()
        fills = await mine.filter(filled_at__gte=start, filled_at__lt=end).values_list(
            "started_at", "filled_at"
        )
        if card_type.reward_id is None:  # type: ignore[attr-defined]
            redeemed = len(fills)
        else:
            redeemed = await mine.filter(
                voucher__status=VoucherStatus.REDEEMED,
                voucher__redeemed_at__gte=start,
                voucher__redeemed_at__lt=end,
            ).count()
        days = [(f - s).total_seconds() / 86400 for s, f in fills]
        out.append(
            StampFigures(
                card_type.id,
                dict(card_type.names or {}),
                started,
                len(fills),
                redeemed,
                round(median(days), 1) if days else None,
                round(max(days), 1) if days else None,
            )
        )
    return out
