"""A member's stamp cards as the member sees them (``/card``, the Mini App wallet) and the
till's line: a row of cups per card type, and the free rewards waiting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from models.stamps.stamping import CardResult, cups, type_name_of
from models.store.tables import CardState, CardTypeStatus, StampCard, StampCardType, VoucherStatus


@dataclass(frozen=True)
class CardView:
    """One card type for one member: the card in progress and rewards ready to use."""

    card: CardResult
    expires_at: datetime | None
    ready_codes: tuple[str, ...]

    def name(self, language: str) -> str:
        return type_name_of(self.card, language)

    def cups(self) -> str:
        return self.card.cups()


async def wallet(member_id: int, now: datetime) -> list[CardView]:
    """Every active card type, and any type with a reward still waiting, for ``member_id``."""
    types = {t.id: t for t in await StampCardType.all().order_by("id")}
    cards = await (
        StampCard.filter(member_id=member_id)
        .order_by("card_type_id", "seq")
        .prefetch_related("voucher")
    )
    by_type: dict[int, list[StampCard]] = {}
    for card in cards:
        by_type.setdefault(card.card_type_id, []).append(card)  # type: ignore[attr-defined]
    views = []
    for type_id, card_type in types.items():
        mine = by_type.get(type_id, [])
        ready = tuple(
            c.voucher.code
            for c in mine
            if c.state == CardState.FILLED
            and c.voucher is not None
            and c.voucher.status == VoucherStatus.ISSUED
            and c.voucher.valid_until > now
        )
        if card_type.status != CardTypeStatus.ACTIVE and not ready:
            continue
        current = next(
            (
                c
                for c in reversed(mine)
                if c.state == CardState.COLLECTING and (c.expires_at is None or c.expires_at > now)
            ),
            None,
        )
        views.append(
            CardView(
                CardResult(
                    type_id,
                    dict(card_type.names or {}),
                    card_type.icon,
                    0,
                    current.stamps if current else 0,
                    card_type.stamps_needed,
                    0,
                ),
                current.expires_at if current else None,
                ready,
            )
        )
    return views


__all__ = ["CardView", "cups", "wallet"]
