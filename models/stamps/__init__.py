"""Stamp cards: "buy 9 coffees, the 10th is free", end to end.

Owns the card types a marketer sets up (:mod:`.card_types`), the plan of what a purchase
earns (:mod:`.plan`, one function for the till's quote and the write), stamping inside
the purchase's own transaction (:mod:`.stamping`), taking stamps back on a refund
(:mod:`.refunds`, its rule stated there), what the member sees (:mod:`.wallet`) and
``jifen doctor``'s stamp checks (:mod:`.doctor`).

Stamps are ledger-like: ``stamp`` rows are append-only facts keyed by the purchase (or
the refund) that wrote them, so a retry, a race or a redelivered update stamps once;
``stamp_card.stamps`` is their sum, changed only under the member's lock (the one lock
order: member first). The ledger cannot call this room (it sits below), so importing
this package registers it as a :mod:`models.ledger.hooks` hook: every purchase and
refund, from any face, stamps and unstamps in its own transaction. The faces import
this package (``api``, ``handlers``), and so must any script that records purchases.

Imports: codes, store, delivery, ledger, catalogue.
"""

from __future__ import annotations

from typing import Any

from models.ledger import hooks
from models.stamps import refunds, stamping
from models.stamps.stamping import CardResult
from models.store.tables import Stamp


class _Hook:
    name = "stamps"
    on_purchase = staticmethod(stamping.on_purchase)
    on_refund = staticmethod(refunds.on_refund)

    async def replayed(self, purchase_id: int, refund_id: int | None = None) -> Any:
        """What the first try stamped (for a replay: counts per card type, cups now)."""
        rows = Stamp.filter(purchase_id=purchase_id)
        rows = rows.filter(refund_id=refund_id) if refund_id else rows.filter(refund_id=None)
        return await stamping.replay_results(await rows.order_by("id"))


hooks.register(_Hook())


def of(result: Any) -> list[CardResult]:
    """The stamp cards a purchase (or refund) result touched, from its ``extras``."""
    return list(result.extras.get(_Hook.name) or [])


__all__ = ["CardResult", "of"]
