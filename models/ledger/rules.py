"""Points for a purchase, computed exactly and explained (pure: no database).

How a purchase earns (``compute_points``):

1. The amount is split into lines: the ``items`` given (each ``amount_minor`` with an
   optional ``sku`` and ``category``), plus a remainder line at the purchase's category
   when the items do not add up to the amount. Without items there is one line.
2. Each line earns ``amount / 10**exponent × points_per_unit × line multiplier × tier
   multiplier × campaign multiplier``, exactly (``Decimal``):
   - line multiplier: the SKU's multiplier if it has one, else the category's, else 1;
     a line whose category is excluded earns 0;
   - campaign multiplier: of all active multiplier campaigns that apply to the line,
     the HIGHEST wins (they never compound), so "double points" plus a "1.5× coffee" day
     pays 2×, not 3×.
3. The lines' exact sum is rounded once, per ``earning.rounding`` (down by default).
4. Bonus campaigns that apply add their ``bonus_points`` (each once per purchase; bonuses
   add up).
5. The per-member daily cap (``earning.daily_cap_points``, 0 = none) limits what the
   purchase adds given what the member already earned that (local) day.

Points as payment (``usage.points_as_payment``): ``paid_points`` worth ``paid_minor``
(:func:`discount_minor`) paid part of the bill. Unless ``usage.earn_on_points_payment``,
that part earns nothing: it is taken off the lines in proportion to their amounts (whole
minor units, largest remainders first) before step 2, so each line earns on its part
paid in money.

The result carries a structured breakdown (:class:`PointsQuote`) that the chat layer
renders in each language: ``128 pts = ¥128.50 × 1 × Gold 1.2 × Double Day 2``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from models.ledger.config import Rounding, RuleSet
from models.ledger.quotes import Factor, Line, PointsQuote
from models.ledger.results import (
    AmountTooLarge,
    BelowMinimumPurchase,
    BelowMinimumRedemption,
    InvalidAmount,
    LimitReached,
    UnknownCurrency,
)

_ROUNDING = {
    Rounding.DOWN: ROUND_FLOOR,
    Rounding.NEAREST: ROUND_HALF_UP,
    Rounding.UP: ROUND_CEILING,
}
ONE = Decimal(1)


@dataclass(frozen=True)
class Item:
    """One line of a purchase (line total in minor units)."""

    amount_minor: int
    sku: str | None = None
    category: str | None = None
    quantity: int = 1

    @classmethod
    def parse(cls, data: Item | Mapping[str, Any]) -> Item:
        if isinstance(data, Item):
            return data
        return cls(
            amount_minor=int(data["amount_minor"]),
            sku=data.get("sku"),
            category=data.get("category"),
            quantity=int(data.get("quantity", 1)),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "amount_minor": self.amount_minor,
            "sku": self.sku,
            "category": self.category,
            "quantity": self.quantity,
        }


@dataclass(frozen=True)
class CampaignRule:
    """What the rules need to know of a campaign (built from ``tables.Campaign``).

    Empty filter tuples mean "all". ``weekdays`` are 0=Mon..6=Sun and ``hours`` is
    ``(start, end)`` (end exclusive), both in the local time zone ``tz``.
    """

    id: int
    names: Mapping[str, str]
    kind: str
    multiplier: Decimal = ONE
    bonus_points: int = 0
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    weekdays: tuple[int, ...] = ()
    hours: tuple[int, ...] = ()
    categories: tuple[str, ...] = ()
    skus: tuple[str, ...] = ()
    tiers: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    tz: str = "UTC"
    audience: Mapping[str, Any] | None = None
    """Who it is for (``models.marketing.audiences``); None = everyone."""

    @classmethod
    def from_row(cls, row: Any, tz: str = "UTC") -> CampaignRule:
        """From a ``models.store.tables.Campaign`` (only active ones should be passed)."""
        return cls(
            id=row.id,
            names=dict(row.names or {}),
            kind=str(row.kind),
            multiplier=Decimal(str(row.multiplier or "1")),
            bonus_points=int(row.bonus_points or 0),
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            weekdays=tuple(row.weekdays or ()),
            hours=tuple(row.hours or ()),
            categories=tuple(row.categories or ()),
            skus=tuple(row.skus or ()),
            tiers=tuple(row.tiers or ()),
            channels=tuple(row.channels or ()),
            tz=tz,
            audience=getattr(row, "audience", None),
        )

    def live(self, at: datetime, *, tier: str, channel: str) -> bool:
        """In force at ``at`` for this member tier and channel (line filters aside)."""
        if self.starts_at is not None and at < self.starts_at:
            return False
        if self.ends_at is not None and at >= self.ends_at:
            return False
        if self.tiers and tier not in self.tiers:
            return False
        if self.channels and channel not in self.channels:
            return False
        local = at.astimezone(ZoneInfo(self.tz))
        if self.weekdays and local.weekday() not in self.weekdays:
            return False
        if len(self.hours) == 2:
            start, end = self.hours
            if not (start <= local.hour < end):
                return False
        return True

    def matches(self, *, category: str | None, sku: str | None) -> bool:
        """Whether a line (or a purchase, for bonuses) passes the category/SKU filters."""
        if not self.categories and not self.skus:
            return True
        return (category is not None and category in self.categories) or (
            sku is not None and sku in self.skus
        )


def check_purchase(
    amount_minor: Any, currency: str, rules: RuleSet, items: Sequence[Item] = ()
) -> InvalidAmount | AmountTooLarge | UnknownCurrency | BelowMinimumPurchase | None:
    """Why a purchase cannot be recorded, or ``None`` when it can."""
    if isinstance(amount_minor, bool) or not isinstance(amount_minor, int) or amount_minor <= 0:
        return InvalidAmount()
    if currency != rules.currency.code:
        return UnknownCurrency(expected=rules.currency.code, got=currency)
    if amount_minor > rules.earning.max_purchase_minor:
        return AmountTooLarge(limit=rules.earning.max_purchase_minor)
    if amount_minor < rules.earning.min_purchase_minor:
        return BelowMinimumPurchase(minimum=rules.earning.min_purchase_minor)
    if any(i.amount_minor < 0 for i in items) or sum(i.amount_minor for i in items) > amount_minor:
        return InvalidAmount(reason="items")
    return None


def check_redemption(
    cost_points: int, rules: RuleSet, *, redemptions_today: int
) -> BelowMinimumRedemption | LimitReached | None:
    """Usage rules for one redemption: minimum points, daily limit per member."""
    if cost_points < rules.usage.min_redemption_points:
        return BelowMinimumRedemption(minimum=rules.usage.min_redemption_points)
    limit = rules.usage.max_redemptions_per_day
    if limit and redemptions_today >= limit:
        return LimitReached(limit=limit, period="day")
    return None


def usable_points(amount_minor: int, balance: int, rules: RuleSet) -> int:
    """The most points that may pay for a bill of ``amount_minor`` (``usage`` rules: the
    point's value, the share of the bill, never more than the member holds)."""
    value = rules.usage.point_value_minor
    if value <= 0 or balance <= 0:
        return 0
    cap = Decimal(amount_minor * rules.usage.max_payment_share_percent) / 100
    return max(0, min(balance, int((cap / value).to_integral_value(rounding=ROUND_FLOOR))))


def discount_minor(points: int, rules: RuleSet) -> int:
    """What ``points`` pay of a bill, in minor units (rounded down)."""
    value = Decimal(points) * rules.usage.point_value_minor
    return int(value.to_integral_value(rounding=ROUND_FLOOR))


def tier_multiplier(rules: RuleSet, tier: str | None) -> Factor:
    for level in rules.tiers.levels:
        if level.key == tier:
            return Factor("tier", multiplier=level.multiplier, key=level.key, names=level.names)
    return Factor("tier", multiplier=ONE, key=tier)


def _line_factor(rules: RuleSet, category: str | None, sku: str | None) -> Factor | None:
    earning = rules.earning
    if category is not None and category in earning.excluded_categories:
        return Factor("excluded", multiplier=Decimal(0), key=category)
    if sku is not None and sku in earning.sku_multipliers:
        return Factor("sku", multiplier=earning.sku_multipliers[sku], key=sku)
    if category is not None and category in earning.category_multipliers:
        return Factor("category", multiplier=earning.category_multipliers[category], key=category)
    return None


def _lines(
    amount_minor: int, category: str | None, items: Sequence[Item]
) -> list[tuple[int, str | None, str | None]]:
    lines = [(i.amount_minor, i.category or category, i.sku) for i in items]
    rest = amount_minor - sum(i.amount_minor for i in items)
    if rest > 0 or not lines:
        lines.append((rest, category, None))
    return lines


def _after_payment(
    lines: list[tuple[int, str | None, str | None]], paid_minor: int
) -> list[tuple[int, str | None, str | None]]:
    """``lines`` less ``paid_minor`` in proportion to their amounts (whole minor units; the
    units left by rounding down go to the largest remainders, earlier lines first)."""
    total = sum(amount for amount, _, _ in lines)
    if paid_minor <= 0 or total <= 0:
        return lines
    shares = [amount * paid_minor // total for amount, _, _ in lines]
    left = paid_minor - sum(shares)
    by_remainder = sorted(range(len(lines)), key=lambda i: (-(lines[i][0] * paid_minor % total), i))
    for i in by_remainder[:left]:
        shares[i] += 1
    return [
        (amount - share, cat, sku) for (amount, cat, sku), share in zip(lines, shares, strict=True)
    ]


def compute_points(
    amount_minor: int,
    rules: RuleSet,
    *,
    tier: str | None = None,
    category: str | None = None,
    items: Iterable[Item | Mapping[str, Any]] = (),
    campaigns: Iterable[CampaignRule] = (),
    at: datetime,
    channel: str = "telegram",
    earned_today: int = 0,
    paid_points: int = 0,
) -> PointsQuote:
    """Points a valid purchase earns (see the module docstring for the order of terms)."""
    parsed = [Item.parse(i) for i in items]
    paid_minor = min(discount_minor(paid_points, rules), amount_minor) if paid_points > 0 else 0
    split = _lines(amount_minor, category, parsed)
    if not rules.usage.earn_on_points_payment:
        split = _after_payment(split, paid_minor)
    tier_key = tier or rules.tiers.levels[0].key
    live = [c for c in campaigns if c.live(at, tier=tier_key, channel=channel)]
    base = Factor(
        "base", multiplier=Decimal(rules.earning.points_per_unit), key=rules.currency.code
    )
    tier_f = tier_multiplier(rules, tier_key)
    unit = Decimal(10) ** rules.currency.exponent
    lines: list[Line] = []
    for line_amount, line_cat, line_sku in split:
        factors = [base]
        line_f = _line_factor(rules, line_cat, line_sku)
        if line_f is not None:
            factors.append(line_f)
        factors.append(tier_f)
        best = max(
            (
                c
                for c in live
                if c.kind == "multiplier" and c.matches(category=line_cat, sku=line_sku)
            ),
            key=lambda c: (c.multiplier, -c.id),
            default=None,
        )
        if best is not None:
            factors.append(
                Factor(
                    "campaign", multiplier=best.multiplier, campaign_id=best.id, names=best.names
                )
            )
        exact = Decimal(line_amount) / unit
        for f in factors:
            exact *= f.multiplier if f.multiplier is not None else ONE
        lines.append(Line(line_amount, line_cat, line_sku, tuple(factors), exact))
    total = sum((line.exact for line in lines), Decimal(0))
    rounded = int(total.to_integral_value(rounding=_ROUNDING[rules.earning.rounding]))
    rounding = Factor("rounding", key=str(rules.earning.rounding), points=rounded)
    earning_lines = [
        (ln.category, ln.sku) for ln in lines if all(f.kind != "excluded" for f in ln.factors)
    ]
    bonuses = tuple(
        Factor("bonus", campaign_id=c.id, names=c.names, points=c.bonus_points)
        for c in sorted(live, key=lambda c: c.id)
        if c.kind == "bonus"
        and c.bonus_points > 0
        and any(c.matches(category=cat, sku=sku) for cat, sku in earning_lines)
    )
    points = rounded + sum(b.points or 0 for b in bonuses)
    cap = None
    limit = rules.earning.daily_cap_points
    if limit:
        allowed = max(0, limit - earned_today)
        if points > allowed:
            cap = Factor("cap", limit=limit, points=points - allowed)
            points = allowed
    return PointsQuote(
        points=points,
        currency=rules.currency.code,
        exponent=rules.currency.exponent,
        symbol=rules.currency.symbol,
        lines=tuple(lines),
        exact=total,
        rounding=rounding,
        bonuses=bonuses,
        cap=cap,
        paid_points=max(paid_points, 0),
        paid_minor=paid_minor,
    )
