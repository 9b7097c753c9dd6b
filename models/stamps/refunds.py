"""A refund takes its purchase's stamps back (the :mod:`models.ledger.hooks` refund hook).

How many: proportional and cumulative, like the points: after refunds totalling ``R`` of
a purchase of ``A`` that earned ``S`` stamps on a card type, ``floor(S × R / A)`` stamps
have been taken back (so a full refund takes exactly ``S``, partial ones never more).

From where (the stated rule), the cards the purchase stamped, newest first:

- a card still **collecting** (or **expired**) simply loses them;
- a **filled** card whose voucher is **not used yet**: the voucher is voided and the card
  goes back to collecting, minus the refunded stamps. A member has one card in progress
  per type, so if a newer card is already collecting, the reopened card's stamps move
  onto it (and onward, filling it if they do: a new voucher) and the reopened card is
  **closed**, empty;
- a filled card whose reward **was used** (its voucher redeemed, expired or voided, or
  points given): the card stays filled and its reward is kept; the stamps are taken
  from the member's card in progress instead, as many as it has; the rest are forgiven.

Every row is keyed by the refund (``r:<refund id>``), and the refund itself is keyed by
the caller, so a retried refund takes nothing twice. Runs under the member's lock (a
member's vouchers and cards change only under it, so voiding here waits for no one).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from models.ledger.journal import Journal
from models.stamps.plan import spread
from models.stamps.stamping import CardResult, Writer
from models.store import sql
from models.store.tables import (
    CardState,
    Member,
    Purchase,
    Refund,
    StampCard,
    StampCardType,
    VoucherStatus,
)


async def on_refund(
    conn: BaseDBAsyncClient, member: Member, purchase: Purchase, refund: Refund, now: datetime
) -> list[CardResult]:
    """Take back what is due on every card type the purchase stamped (module docstring)."""
    rows = await sql.rows(
        conn,
        "SELECT card_type_id, card_id, SUM(stamps) AS net,"
        " SUM(CASE WHEN refund_id IS NULL THEN stamps ELSE 0 END) AS awarded"
        " FROM stamp WHERE purchase_id = ? GROUP BY card_type_id, card_id",
        purchase.id,
    )
    if not rows:
        return []
    per_type: dict[int, dict[int, int]] = defaultdict(dict)  # type → card → purchase's net
    awarded: dict[int, int] = defaultdict(int)
    taken: dict[int, int] = defaultdict(int)
    for row in rows:
        type_id, net, given = (
            int(row["card_type_id"]),
            sql.as_int(row["net"]),
            sql.as_int(row["awarded"]),
        )
        per_type[type_id][int(row["card_id"])] = net
        awarded[type_id] += given
        taken[type_id] += given - net
    writer = Writer(
        Journal(conn), member, now, "UTC", f"r:{refund.id}", purchase.idempotency_key, refund.id
    )
    results = []
    for type_id, on_cards in sorted(per_type.items()):
        target = awarded[type_id] * purchase.refunded_minor // purchase.amount_minor
        due = target - taken[type_id]
        if due > 0:
            results.append(await _take(conn, writer, type_id, on_cards, due, now))
    await writer.journal.flush()
    return results


async def _take(
    conn: BaseDBAsyncClient,
    writer: Writer,
    type_id: int,
    on_cards: dict[int, int],
    due: int,
    now: datetime,
) -> CardResult:
    card_type = await StampCardType.get(id=type_id).using_db(conn)
    cards = {
        c.id: c
        for c in await StampCard.filter(member_id=writer.member.id, card_type_id=type_id)
        .using_db(conn)
        .prefetch_related("voucher")
    }
    asked = due

    def open_card() -> StampCard | None:
        collecting = [c for c in cards.values() if c.state == CardState.COLLECTING]
        return max(collecting, key=lambda c: c.seq, default=None)

    def take(card: StampCard, k: int) -> None:
        if k <= 0:
            return
        card.stamps -= k
        writer.journal.also(
            ("UPDATE stamp_card SET stamps = stamps - ? WHERE id = ?", [k, card.id])
        )
        writer.stamp(type_id, card.seq, -k, "take")

    for card_id in sorted(on_cards, key=lambda i: -cards[i].seq):
        if due <= 0:
            break
        card = cards[card_id]
        avail = max(min(on_cards[card_id], card.stamps), 0)
        if card.state in (CardState.COLLECTING, CardState.EXPIRED):
            k = min(due, avail)
            take(card, k)
        elif card.state == CardState.FILLED and await _voided(conn, card, now):
            k = min(due, avail)
            newer = open_card()
            take(card, k)
            card.state = CardState.COLLECTING
            writer.journal.also(
                (
                    "UPDATE stamp_card SET state = 'collecting', filled_at = NULL,"
                    " voucher_id = NULL, reward_entry_key = NULL WHERE id = ?",
                    [card.id],
                )
            )
            if newer is not None and newer.seq > card.seq:
                await _fold(writer, card_type, card, newer, cards)
        else:  # the reward was used (or points given): the card in progress pays instead
            current = open_card()
            k = min(due, current.stamps) if current is not None else 0
            if current is not None:
                take(current, k)
        due -= k
    current = open_card()
    return CardResult(
        type_id,
        dict(card_type.names or {}),
        card_type.icon,
        -(asked - due),
        current.stamps if current is not None else 0,
        card_type.stamps_needed,
        0,
    )


async def _voided(conn: BaseDBAsyncClient, card: StampCard, now: datetime) -> bool:
    """Void the card's voucher if it is still unused (one conditional update)."""
    if card.voucher_id is None:  # type: ignore[attr-defined]
        return False
    changed = await sql.execute(
        conn,
        "UPDATE voucher SET status = ?, voided_at = ?, void_reason = ? WHERE id = ? AND status = ?",
        VoucherStatus.VOIDED.value,
        now,
        "stamp card refund",
        card.voucher_id,  # type: ignore[attr-defined]
        VoucherStatus.ISSUED.value,
    )
    return changed == 1


async def _fold(
    writer: Writer,
    card_type: StampCardType,
    reopened: StampCard,
    newer: StampCard,
    cards: dict[int, StampCard],
) -> None:
    """Move the reopened card's stamps onto the newer card in progress; close it."""
    m = reopened.stamps
    reopened.state = CardState.CLOSED
    writer.journal.also(
        ("UPDATE stamp_card SET stamps = 0, state = 'closed' WHERE id = ?", [reopened.id])
    )
    if m <= 0:
        return
    reopened.stamps = 0
    writer.stamp(card_type.id, reopened.seq, -m, "fold", of_purchase=False)
    last_seq = max(c.seq for c in cards.values())
    for move in spread(card_type, newer, last_seq, m, writer.now):
        await writer.move(card_type, move, of_purchase=False)
        target = cards.get(move.card_id) if move.card_id is not None else None
        if target is not None:
            target.stamps += move.added
            if move.fills:
                target.state = CardState.FILLED
