"""Card types as a marketer sets them up (chat wizard and console form): validated, audited.

A card type says what earns a stamp (any purchase at or above an amount, a category, a
SKU; one stamp per purchase or per item), how many fill a card, what a full card gives
(a reward's voucher, or points), how long a card in progress lives and the limit per
day. Edits apply to stamps from then on; cards already filled keep what they gave.

A full card's voucher is the reward's, free (``cost_points = 0``) and valid for the
reward's validity; it is the card's prize, so it takes no stock and ignores the reward's
per-member limit and minimum tier (those govern spending points on it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from models.stamps import stamping
from models.store import audit, clock
from models.store.db import write_transaction
from models.store.tables import CardTypeStatus, Reward, StampCardType

MAX_STAMPS = 50
FIELDS = (
    "names",
    "icon",
    "stamps_needed",
    "min_amount_minor",
    "category",
    "sku",
    "per_item",
    "reward_id",
    "reward_points",
    "lifetime_days",
    "daily_limit",
)


@dataclass(frozen=True)
class InvalidCardType:
    field: str
    reason: str


def _positive_or_none(value: Any, high: int) -> bool:
    return value is None or (type(value) is int and 1 <= value <= high)


async def validate(values: Mapping[str, Any]) -> InvalidCardType | None:
    """The first thing wrong with ``values`` (nothing is written when there is one)."""
    names = values.get("names")
    if not isinstance(names, dict) or not any(
        isinstance(v, str) and v.strip() for v in names.values()
    ):
        return InvalidCardType("names", "required")
    if any(not isinstance(v, str) or len(v) > 64 for v in names.values()):
        return InvalidCardType("names", "too-long")
    needed = values.get("stamps_needed")
    if type(needed) is not int or not 2 <= needed <= MAX_STAMPS:
        return InvalidCardType("stamps_needed", "range")
    if type(values.get("min_amount_minor", 0)) is not int or values.get("min_amount_minor", 0) < 0:
        return InvalidCardType("min_amount_minor", "range")
    for name in ("category", "sku"):
        text = values.get(name)
        if text is not None and (not isinstance(text, str) or not 1 <= len(text) <= 64):
            return InvalidCardType(name, "invalid")
    reward_id, points = values.get("reward_id"), values.get("reward_points", 0)
    if (reward_id is None) == (not points):
        return InvalidCardType("reward", "one-of")
    if reward_id is not None:
        reward = await Reward.get_or_none(id=reward_id)
        if reward is None or reward.archived:
            return InvalidCardType("reward_id", "unknown")
    elif type(points) is not int or not 1 <= points <= 1_000_000:
        return InvalidCardType("reward_points", "range")
    if not _positive_or_none(values.get("lifetime_days"), 3650):
        return InvalidCardType("lifetime_days", "range")
    if not _positive_or_none(values.get("daily_limit"), 100):
        return InvalidCardType("daily_limit", "range")
    return None


def _clean(values: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: values[k] for k in FIELDS if k in values}
    out["names"] = {k: v.strip() for k, v in out["names"].items() if v.strip()}
    out.setdefault("reward_points", 0)
    if out.get("reward_id") is not None:
        out["reward_points"] = 0
    return out


async def create(
    values: Mapping[str, Any], actor: int | None, *, actor_kind: str = "telegram"
) -> StampCardType | InvalidCardType:
    """A new card type, active at once; audited ``stampcard.create``."""
    wrong = await validate(values)
    if wrong is not None:
        return wrong
    async with write_transaction() as conn:
        row = await StampCardType.create(
            **_clean(values), created_by=actor, created_at=clock.now(), using_db=conn
        )
        await audit.record(
            "stampcard.create",
            actor_telegram_id=actor,
            actor_kind=actor_kind,
            target=f"stampcard:{row.id}",
            details=_audit_details(row),
            using_db=conn,
        )
    stamping.forget()
    return row


async def edit(
    card_type_id: int, values: Mapping[str, Any], actor: int | None, *, actor_kind: str = "telegram"
) -> StampCardType | InvalidCardType | None:
    """Change a card type (``None``: no such type); audited ``stampcard.edit``."""
    row = await StampCardType.get_or_none(id=card_type_id)
    if row is None:
        return None
    merged = {k: getattr(row, k) for k in FIELDS} | dict(values)
    wrong = await validate(merged)
    if wrong is not None:
        return wrong
    async with write_transaction() as conn:
        await StampCardType.filter(id=row.id).using_db(conn).update(**_clean(merged))
        row = await StampCardType.get(id=row.id).using_db(conn)
        await audit.record(
            "stampcard.edit",
            actor_telegram_id=actor,
            actor_kind=actor_kind,
            target=f"stampcard:{row.id}",
            details=_audit_details(row),
            using_db=conn,
        )
    stamping.forget()
    return row


async def set_status(
    card_type_id: int, status: CardTypeStatus, actor: int | None, *, actor_kind: str = "telegram"
) -> StampCardType | None:
    """Pause or resume a card type (cards in progress keep their stamps); audited."""
    async with write_transaction() as conn:
        changed = await StampCardType.filter(id=card_type_id).using_db(conn).update(status=status)
        if not changed:
            return None
        await audit.record(
            f"stampcard.{'resume' if status == CardTypeStatus.ACTIVE else 'pause'}",
            actor_telegram_id=actor,
            actor_kind=actor_kind,
            target=f"stampcard:{card_type_id}",
            using_db=conn,
        )
        row = await StampCardType.get(id=card_type_id).using_db(conn)
    stamping.forget()
    return row


async def list_types(*, include_paused: bool = True) -> list[StampCardType]:
    query = StampCardType.all() if include_paused else StampCardType.filter(status="active")
    return list(await query.order_by("id"))


async def get(card_type_id: int) -> StampCardType | None:
    return await StampCardType.get_or_none(id=card_type_id)


def _audit_details(row: StampCardType) -> dict[str, Any]:
    return {k: getattr(row, k) for k in FIELDS if k != "names"} | {"status": row.status.value}
