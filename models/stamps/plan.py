"""What a purchase earns on each stamp card type, as a plan: one pure function for the till's
quote and for the write (DESIGN: what a screen promises is what happens).

Rules, in order:

- **what earns**: a purchase at or above ``min_amount_minor``; with a ``category`` or a
  ``sku``, only a purchase (or, per item, only the lines) of that category or SKU;
- **how many**: one stamp per purchase, or one per item (the quantity of the matching
  lines; a purchase without lines counts as one item);
- **limit per day**: at most ``daily_limit`` stamps per member and card type per shop
  day (stamps taken back by a refund do not give the day's room back);
- **a card fills** at ``stamps_needed``; stamps beyond go onto the member's next card,
  which may fill too;
- **a card lives** ``lifetime_days`` from its first stamp: a card in progress past that
  is expired (its stamps stay on it, and the next stamp starts a new card).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from models.ledger.rules import Item
from models.store.tables import StampCard, StampCardType


@dataclass(frozen=True)
class CardMove:
    """Stamps landing on one card (a new one when ``card_id`` is ``None``)."""

    card_type_id: int
    seq: int
    card_id: int | None
    before: int
    added: int
    needed: int
    expires_at: datetime | None

    @property
    def after(self) -> int:
        return self.before + self.added

    @property
    def fills(self) -> bool:
        return self.after >= self.needed


@dataclass(frozen=True)
class TypePlan:
    """What one purchase does to one card type: the moves, and the card it expires first."""

    card_type: StampCardType
    earned: int
    """Stamps the purchase earns before the daily limit."""
    moves: tuple[CardMove, ...]
    expire_card_id: int | None = None

    @property
    def added(self) -> int:
        return sum(m.added for m in self.moves)


@dataclass(frozen=True)
class Snapshot:
    """A member's standing on one card type, read under the member's lock."""

    card_type: StampCardType
    open_card: StampCard | None
    last_seq: int
    today: int


def stamps_for(
    card_type: StampCardType, amount_minor: int, category: str | None, items: Iterable[Item]
) -> int:
    """Stamps a purchase earns on ``card_type`` before the daily limit."""
    if amount_minor < card_type.min_amount_minor:
        return 0
    lines = list(items)

    def matches(line_category: str | None, sku: str | None) -> bool:
        if card_type.sku and sku != card_type.sku:
            return False
        return not card_type.category or line_category == card_type.category

    if lines:
        hits = [i for i in lines if matches(i.category or category, i.sku)]
    elif card_type.sku:  # a SKU is only known from the lines
        hits = []
    else:
        hits = [Item(amount_minor, None, category, 1)] if matches(category, None) else []
    if not hits:
        return 0
    return sum(max(i.quantity, 0) for i in hits) if card_type.per_item else 1


def plan_type(snapshot: Snapshot, earned: int, now: datetime) -> TypePlan:
    """Where ``earned`` stamps land on ``snapshot``'s card type (see the module docstring)."""
    card_type = snapshot.card_type
    room = earned
    if card_type.daily_limit is not None:
        room = min(room, max(card_type.daily_limit - snapshot.today, 0))
    card, expire = snapshot.open_card, None
    if card is not None and card.expires_at is not None and card.expires_at <= now:
        card, expire = None, snapshot.open_card.id  # type: ignore[union-attr]
    return TypePlan(
        card_type, earned, tuple(spread(card_type, card, snapshot.last_seq, room, now)), expire
    )


def spread(
    card_type: StampCardType, card: StampCard | None, last_seq: int, n: int, now: datetime
) -> list[CardMove]:
    """``n`` stamps onto ``card`` (or a new card) and, as each fills, onto the next."""
    moves: list[CardMove] = []
    needed = card_type.stamps_needed
    while n > 0:
        if card is None:
            last_seq += 1
            life = card_type.lifetime_days
            expires = now + timedelta(days=life) if life else None
            move = CardMove(card_type.id, last_seq, None, 0, min(n, needed), needed, expires)
        else:
            take = min(n, max(needed - card.stamps, 0))
            move = CardMove(
                card_type.id, card.seq, card.id, card.stamps, take, needed, card.expires_at
            )
        if move.added:  # (a card already full but still open takes none: the next one does)
            moves.append(move)
        n -= move.added
        card = None
    return moves
