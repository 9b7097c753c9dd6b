"""The rewards a member may see (/rewards): the read side of the catalogue.

Visible = not archived, inside its active window, and no higher tier required than the
member's. Each item says whether the member can afford it and whether it is in stock, so
the chat face can show it greyed out rather than hide it. Reward CRUD lives in
``models/rewards.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from models.catalogue import suggestions
from models.ledger import tiers
from models.ledger.config import RuleSet
from models.store import clock
from models.store.tables import Member, Reward, Voucher, VoucherStatus


@dataclass(frozen=True)
class CatalogueItem:
    reward: Reward
    affordable: bool
    in_stock: bool


@dataclass(frozen=True)
class CataloguePage:
    items: tuple[CatalogueItem, ...]
    page: int
    pages: int
    total: int


def _visible(member: Member, rules: RuleSet) -> QuerySet[Reward]:
    now = clock.now()
    levels = rules.tiers.levels
    allowed = [lvl.key for lvl in levels[: max(tiers.rank(rules.tiers, member.tier), 0) + 1]]
    return Reward.filter(
        Q(archived=False),
        Q(active_from__isnull=True) | Q(active_from__lte=now),
        Q(active_until__isnull=True) | Q(active_until__gt=now),
        Q(min_tier__isnull=True) | Q(min_tier__in=allowed),
    )


def _item(member: Member, reward: Reward) -> CatalogueItem:
    return CatalogueItem(
        reward,
        affordable=member.balance >= reward.cost_points,
        in_stock=reward.stock is None or reward.stock > 0,
    )


MAX_SHOWN = 500
"""Visible rewards ranked per member (a catalogue is far smaller than this)."""


async def suggested(member: Member, rules: RuleSet) -> list[Reward]:
    """What ``member`` may see, in suggested order (:mod:`models.catalogue.suggestions`)."""
    rewards = await _visible(member, rules).order_by("id").limit(MAX_SHOWN)
    scores = await suggestions.affinity(member.id, clock.now())
    return suggestions.order(member, rewards, scores)


async def page(member: Member, rules: RuleSet, number: int = 0, size: int = 5) -> CataloguePage:
    """Page ``number`` (0-based, clamped): what they can afford first, then the nearest."""
    ranked = await suggested(member, rules)
    total = len(ranked)
    pages = max(1, -(-total // size))
    number = min(max(number, 0), pages - 1)
    rewards = ranked[number * size : (number + 1) * size]
    return CataloguePage(tuple(_item(member, r) for r in rewards), number, pages, total)


async def suggestion(member: Member, rules: RuleSet) -> CatalogueItem | None:
    """The one reward /balance suggests: the top of the suggested order, if in stock."""
    ranked = await suggested(member, rules)
    item = _item(member, ranked[0]) if ranked else None
    return item if item is not None and item.in_stock else None


async def visible_reward(member: Member, rules: RuleSet, reward_id: int) -> CatalogueItem | None:
    """One reward, if ``member`` may see it now (None when hidden or unknown)."""
    reward = await _visible(member, rules).filter(id=reward_id).first()
    return _item(member, reward) if reward else None


@dataclass(frozen=True)
class MemberVouchers:
    active: tuple[Voucher, ...]
    used: tuple[Voucher, ...]
    expired: tuple[Voucher, ...]
    """Expired or voided (an issued voucher past ``valid_until`` counts as expired)."""


async def member_vouchers(member_id: int, *, recent: int = 10) -> MemberVouchers:
    """The member's vouchers for /vouchers: all active ones, the latest used/expired ones."""
    now = clock.now()
    active = await (
        Voucher.filter(member_id=member_id, status=VoucherStatus.ISSUED, valid_until__gt=now)
        .order_by("valid_until")
        .prefetch_related("reward")
    )
    past = await (
        Voucher.filter(member_id=member_id)
        .exclude(id__in=[v.id for v in active])
        .order_by("-issued_at")
        .limit(recent * 2)
        .prefetch_related("reward")
    )
    used = tuple(v for v in past if v.status == VoucherStatus.REDEEMED)[:recent]
    gone = tuple(v for v in past if v.status != VoucherStatus.REDEEMED)[:recent]
    return MemberVouchers(tuple(active), used, gone)
