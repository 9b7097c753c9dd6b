"""The rewards catalogue as marketers keep it: add, edit and archive rewards, audited.

Members redeem rewards through :mod:`models.catalogue.vouchers`; this module only keeps the rows
valid. Names and descriptions are data per language (``{"en": ..., "zh-Hans": ...}``):
a text given in one language only is used for both, so the catalogue never shows an
empty name.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from models.ledger.config import RuleSet
from models.store import audit, clock
from models.store.db import write_transaction
from models.store.tables import Reward

LANGUAGES = ("en", "zh-Hans")
KINDS = ("discount", "gift", "service")
MAX_NAME = 64
MAX_DESCRIPTION = 500
MAX_COST = 10_000_000
MAX_STOCK = 10_000_000
MAX_PER_MEMBER = 1_000
MAX_VALIDITY_DAYS = 3_650
EDITABLE = frozenset(
    {
        "names",
        "descriptions",
        "kind",
        "cost_points",
        "photo_file_id",
        "stock",
        "per_member_limit",
        "min_tier",
        "voucher_validity_days",
        "active_from",
        "active_until",
        "archived",
    }
)


@dataclass(frozen=True)
class InvalidReward:
    """``field`` names the offending field, ``reason``: empty | too-long | range | unknown."""

    field: str
    reason: str


@dataclass(frozen=True)
class UnknownReward:
    reward_id: int


@dataclass(frozen=True)
class RewardSaved:
    reward_id: int
    created: bool


@dataclass(frozen=True)
class RewardDraft:
    """A new catalogue item, before validation."""

    names: Mapping[str, str]
    cost_points: int
    kind: str = "gift"
    descriptions: Mapping[str, str] = field(default_factory=dict)
    photo_file_id: str | None = None
    stock: int | None = None
    per_member_limit: int | None = None
    min_tier: str | None = None
    voucher_validity_days: int | None = None
    active_from: datetime | None = None
    active_until: datetime | None = None

    def fields(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in EDITABLE if k != "archived"}


def both_languages(texts: Mapping[str, str] | None) -> dict[str, str]:
    """Trimmed texts for every language, one language's text filling in for a missing one."""
    given = {k: v.strip() for k, v in (texts or {}).items() if k in LANGUAGES and v and v.strip()}
    if not given:
        return {}
    fallback = given.get("en") or next(iter(given.values()))
    return {lang: given.get(lang, fallback) for lang in LANGUAGES}


def _int_in(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def validate(values: Mapping[str, Any], rules: RuleSet) -> InvalidReward | None:
    """The first problem among ``values`` (a full draft or an edit), or None."""
    if "names" in values:
        names = both_languages(values["names"])
        if not names:
            return InvalidReward("names", "empty")
        if any(len(n) > MAX_NAME for n in names.values()):
            return InvalidReward("names", "too-long")
    if "descriptions" in values:
        texts = values["descriptions"] or {}
        if any(len(t or "") > MAX_DESCRIPTION for t in texts.values()):
            return InvalidReward("descriptions", "too-long")
    if "kind" in values and values["kind"] not in KINDS:
        return InvalidReward("kind", "unknown")
    if "cost_points" in values and not _int_in(values["cost_points"], 1, MAX_COST):
        return InvalidReward("cost_points", "range")
    limits = {
        "stock": (0, MAX_STOCK),
        "per_member_limit": (1, MAX_PER_MEMBER),
        "voucher_validity_days": (1, MAX_VALIDITY_DAYS),
    }
    for name, (low, high) in limits.items():
        if values.get(name) is not None and not _int_in(values[name], low, high):
            return InvalidReward(name, "range")
    tier = values.get("min_tier")
    if tier is not None and tier not in {lvl.key for lvl in rules.tiers.levels}:
        return InvalidReward("min_tier", "unknown")
    start, end = values.get("active_from"), values.get("active_until")
    if start is not None and end is not None and end <= start:
        return InvalidReward("active_until", "range")
    if values.get("photo_file_id") is not None and len(values["photo_file_id"]) > 255:
        return InvalidReward("photo_file_id", "too-long")
    return None


def _normalized(values: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(values)
    if "names" in out:
        out["names"] = both_languages(out["names"])
    if "descriptions" in out:
        out["descriptions"] = both_languages(out["descriptions"])
    return out


async def add(
    draft: RewardDraft,
    *,
    actor_telegram_id: int | None,
    rules: RuleSet | None = None,
    actor_kind: str = "telegram",
) -> RewardSaved | InvalidReward:
    """Validate and add a catalogue item, audited as ``reward.add``."""
    rules = rules or await _rules()
    values = _normalized(draft.fields())
    problem = validate(values, rules)
    if problem is not None:
        return problem
    async with write_transaction() as conn:
        row = await Reward.create(
            **values, created_by=actor_telegram_id, created_at=clock.now(), using_db=conn
        )
        await audit.record(
            "reward.add",
            actor_telegram_id=actor_telegram_id,
            actor_kind=actor_kind,
            target=f"reward:{row.id}",
            details={"names": row.names, "cost_points": row.cost_points, "stock": row.stock},
            using_db=conn,
        )
    return RewardSaved(row.id, created=True)


async def edit(
    reward_id: int,
    changes: Mapping[str, Any],
    *,
    actor_telegram_id: int | None,
    rules: RuleSet | None = None,
    actor_kind: str = "telegram",
) -> RewardSaved | InvalidReward | UnknownReward:
    """Change some fields (see :data:`EDITABLE`), audited as ``reward.edit`` with old values."""
    unknown = set(changes) - EDITABLE
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    rules = rules or await _rules()
    values = _normalized(changes)
    problem = validate(values, rules)
    if problem is not None:
        return problem
    async with write_transaction() as conn:
        row = await Reward.get_or_none(id=reward_id).using_db(conn)
        if row is None:
            return UnknownReward(reward_id)
        start = values.get("active_from", row.active_from)
        end = values.get("active_until", row.active_until)
        if start is not None and end is not None and end <= start:
            return InvalidReward("active_until", "range")
        before = {k: _jsonable(getattr(row, k)) for k in values}
        await Reward.filter(id=reward_id).using_db(conn).update(**values)
        await audit.record(
            "reward.archive" if values == {"archived": True} else "reward.edit",
            actor_telegram_id=actor_telegram_id,
            actor_kind=actor_kind,
            target=f"reward:{reward_id}",
            details={"before": before, "after": {k: _jsonable(v) for k, v in values.items()}},
            using_db=conn,
        )
    return RewardSaved(reward_id, created=False)


async def archive(
    reward_id: int, *, actor_telegram_id: int | None
) -> RewardSaved | InvalidReward | UnknownReward:
    """Hide from the catalogue; issued vouchers stay valid."""
    return await edit(reward_id, {"archived": True}, actor_telegram_id=actor_telegram_id)


@dataclass(frozen=True)
class CannotMove:
    """Already first (``up``) or last (``down``) in the catalogue's order."""

    reward_id: int


async def move(
    reward_id: int, direction: str, *, actor_telegram_id: int | None, actor_kind: str = "telegram"
) -> RewardSaved | UnknownReward | CannotMove:
    """Swap a reward with its neighbour in the catalogue's order (``up`` or ``down``),
    audited as ``reward.move``. The order is renumbered 10, 20, 30… first, so rewards
    that share a ``sort_order`` (every one made before ordering existed) move too."""
    if direction not in ("up", "down"):
        raise ValueError(f"direction {direction!r}")
    async with write_transaction() as conn:
        ids = [
            i
            for i in await Reward.all()
            .using_db(conn)
            .order_by("sort_order", "id")
            .values_list("id", flat=True)
        ]
        if reward_id not in ids:
            return UnknownReward(reward_id)
        at = ids.index(reward_id)
        other = at - 1 if direction == "up" else at + 1
        if not 0 <= other < len(ids):
            return CannotMove(reward_id)
        ids[at], ids[other] = ids[other], ids[at]
        for position, row_id in enumerate(ids):
            await Reward.filter(id=row_id).using_db(conn).update(sort_order=(position + 1) * 10)
        await audit.record(
            "reward.move",
            actor_telegram_id=actor_telegram_id,
            actor_kind=actor_kind,
            target=f"reward:{reward_id}",
            details={"direction": direction, "position": other + 1},
            using_db=conn,
        )
    return RewardSaved(reward_id, created=False)


async def set_photo(
    reward_id: int, photo: bytes, *, actor_telegram_id: int | None, actor_kind: str = "telegram"
) -> RewardSaved | UnknownReward:
    """Keep ``photo`` (bytes already cleaned by :func:`models.catalogue.photos.clean`) as
    the reward's picture, replacing a Telegram one, audited as ``reward.photo``."""
    async with write_transaction() as conn:
        updated = (
            await Reward.filter(id=reward_id).using_db(conn).update(photo=photo, photo_file_id=None)
        )
        if not updated:
            return UnknownReward(reward_id)
        await audit.record(
            "reward.photo",
            actor_telegram_id=actor_telegram_id,
            actor_kind=actor_kind,
            target=f"reward:{reward_id}",
            details={"bytes": len(photo), "sha256": hashlib.sha256(photo).hexdigest()},
            using_db=conn,
        )
    return RewardSaved(reward_id, created=False)


async def remember_file_id(reward_id: int, photo: bytes, file_id: str) -> None:
    """Telegram's id for the kept photo once the chat has sent it (not an edit: the same
    picture), only while that photo is still the reward's."""
    await Reward.filter(id=reward_id, photo_file_id__isnull=True, photo=photo).update(
        photo_file_id=file_id[:255]
    )


async def photo_of(reward_id: int) -> bytes | None:
    found = await Reward.filter(id=reward_id).values_list("photo", flat=True)
    return bytes(found[0]) if found and found[0] else None


async def get(reward_id: int) -> Reward | None:
    return await Reward.get_or_none(id=reward_id)


async def list_rewards(*, include_archived: bool = False, limit: int = 50) -> list[Reward]:
    query = Reward.all() if include_archived else Reward.filter(archived=False)
    return await query.order_by("sort_order", "id").limit(limit)


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


async def _rules() -> RuleSet:
    from models.ledger import rule_versions

    return (await rule_versions.current())[1]
