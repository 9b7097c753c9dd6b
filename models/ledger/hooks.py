"""What a room above the ledger writes inside a purchase's or a refund's own transaction.

The ledger sits below the rooms that build on a purchase (stamp cards, in
:mod:`models.stamps`), so it cannot call them; they register a :class:`PurchaseHook`
here instead, once, when they are imported. Each hook runs under the member's lock
(the one lock order: member first), after the ledger's own rows are planned: on a
purchase its writes ride in the purchase's last flush (no extra commit), on a refund
they follow the refund row. What it returns is kept in the result's ``extras`` under
the hook's ``name``; a replay asks the hook again (:meth:`PurchaseHook.replayed`), so a
retry answers what the first try wrote.

A hook with nothing to do must cost no database trip (the purchase path is the busiest
write; ``tests/api/test_round_trips.py`` holds it).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from tortoise.backends.base.client import BaseDBAsyncClient

from models.ledger.journal import Journal
from models.ledger.rules import Item
from models.store.tables import Member, Purchase, Refund

if TYPE_CHECKING:
    from collections.abc import Mapping


class PurchaseHook(Protocol):
    name: str

    async def on_purchase(
        self,
        conn: BaseDBAsyncClient,
        journal: Journal,
        member: Member,
        purchase: Purchase,
        items: Iterable[Item],
        now: datetime,
        tz: str,
    ) -> Any:
        """Queue this purchase's rows on ``journal`` (flushed by the ledger)."""

    async def on_refund(
        self,
        conn: BaseDBAsyncClient,
        member: Member,
        purchase: Purchase,
        refund: Refund,
        now: datetime,
    ) -> Any:
        """Write what this refund takes back (``purchase`` already carries its totals)."""

    async def replayed(self, purchase_id: int, refund_id: int | None = None) -> Any:
        """What the first try returned, read back for a retry."""


_HOOKS: dict[str, PurchaseHook] = {}


def register(hook: PurchaseHook) -> None:
    """Add (or replace, by name) a hook; called when its room is imported."""
    _HOOKS[hook.name] = hook


def registered() -> tuple[PurchaseHook, ...]:
    return tuple(_HOOKS.values())


async def replayed(purchase_id: int, refund_id: int | None = None) -> Mapping[str, Any]:
    """Every hook's answer for a replayed purchase (or refund)."""
    return {h.name: await h.replayed(purchase_id, refund_id) for h in registered()}
