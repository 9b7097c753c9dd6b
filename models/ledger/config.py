"""The rules a merchant configures, as validated data (no behaviour here).

``config.toml`` provides the defaults; admins change them in chat, which stores a new
rule version (``RuleVersion``) holding a dump of :class:`RuleSet`. Money is always an
integer count of minor units; multipliers are decimals, never floats, so that
``¥128.50 × 1.2`` is computed exactly.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

Multiplier = Annotated[Decimal, Field(ge=0, le=100, max_digits=8, decimal_places=4)]
LocalizedText = dict[str, str]
"""Text per language code (``{"en": "Gold", "zh-Hans": "金卡"}``)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Rounding(StrEnum):
    DOWN = "down"
    NEAREST = "nearest"
    UP = "up"


class ExpiryPolicyKind(StrEnum):
    ROLLING = "rolling"
    """Each lot expires ``months`` after it was earned."""
    END_OF_PERIOD = "end_of_period"
    """Lots expire at the end of the ``period`` that follows ``months`` after earning."""
    NEVER = "never"


class Currency(_Strict):
    code: str = Field("CNY", pattern=r"^[A-Z]{3}$")
    exponent: int = Field(2, ge=0, le=3, description="minor units per major unit = 10**exponent")
    symbol: str = "¥"


class EarningRules(_Strict):
    points_per_unit: int = Field(1, ge=0, le=10_000, description="points per major currency unit")
    rounding: Rounding = Rounding.DOWN
    min_purchase_minor: int = Field(0, ge=0)
    max_purchase_minor: int = Field(10_000_000, gt=0, description="larger amounts are refused")
    excluded_categories: tuple[str, ...] = ()
    category_multipliers: dict[str, Multiplier] = {}
    sku_multipliers: dict[str, Multiplier] = {}
    daily_cap_points: int = Field(0, ge=0, description="0 = no cap")


class UsageRules(_Strict):
    min_redemption_points: int = Field(0, ge=0)
    max_redemptions_per_day: int = Field(0, ge=0, description="0 = no limit")
    voucher_validity_days: int = Field(30, ge=1, le=3650)
    point_value_minor: Decimal = Field(
        Decimal("0.01"), ge=0, description="money value of one point, for liability and payment"
    )
    points_as_payment: bool = False
    max_payment_share_percent: int = Field(50, ge=0, le=100)
    earn_on_points_payment: bool = Field(
        False, description="whether the part of a bill paid with points earns points too"
    )
    refund_policy: str = Field(
        "allow_negative",
        pattern=r"^(allow_negative|clamp_to_zero)$",
        description="when refunded points were already spent",
    )


class ExpiryPolicy(_Strict):
    policy: ExpiryPolicyKind = ExpiryPolicyKind.ROLLING
    months: int = Field(12, ge=1, le=120)
    period: str = Field("year", pattern=r"^(month|quarter|year)$")
    reminder_days: tuple[int, ...] = (30, 7)

    @field_validator("reminder_days")
    @classmethod
    def _positive_days(cls, days: tuple[int, ...]) -> tuple[int, ...]:
        if any(d <= 0 or d > 365 for d in days):
            raise ValueError("reminder days must be between 1 and 365")
        return tuple(sorted(set(days), reverse=True))


class TierLevel(_Strict):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    names: LocalizedText
    threshold: int = Field(0, ge=0, description="qualifying points or spend (minor units)")
    multiplier: Multiplier = Decimal(1)
    perks: dict[str, list[str]] = Field(default_factory=dict, description="perk lines per language")


class Tiers(_Strict):
    basis: str = Field("points", pattern=r"^(points|spend)$")
    window_days: int = Field(365, ge=1, le=3650)
    levels: tuple[TierLevel, ...] = (
        TierLevel(key="member", names={"en": "Member", "zh-Hans": "会员"}),
    )

    @field_validator("levels")
    @classmethod
    def _ordered(cls, levels: tuple[TierLevel, ...]) -> tuple[TierLevel, ...]:
        if not levels:
            raise ValueError("at least one tier is needed")
        if levels[0].threshold != 0:
            raise ValueError("the first tier must have threshold 0")
        thresholds = [lvl.threshold for lvl in levels]
        if thresholds != sorted(set(thresholds)):
            raise ValueError("tier thresholds must increase strictly")
        if len({lvl.key for lvl in levels}) != len(levels):
            raise ValueError("tier keys must be unique")
        return levels


class RuleSet(_Strict):
    """Everything that decides how many points a purchase earns and how points are used."""

    currency: Currency = Currency()
    earning: EarningRules = EarningRules()
    usage: UsageRules = UsageRules()
    expiry: ExpiryPolicy = ExpiryPolicy()
    tiers: Tiers = Tiers()
