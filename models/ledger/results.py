"""Typed outcomes of store operations (STYLE.md §4: expected outcomes are values).

Handlers and the HTTP API match on these types and render them through ``locales/``;
exceptions are reserved for bugs. Successes carry ``replayed=True`` when an idempotency
key had already been used: the values are then those of the first call, and nothing was
written this time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from models.ledger.quotes import PointsQuote

# ---- rejections (nothing was written) ----


@dataclass(frozen=True)
class InvalidAmount:
    """Amount not a positive integer of minor units (``reason``: amount | items | points)."""

    reason: str = "amount"


@dataclass(frozen=True)
class AmountTooLarge:
    limit: int


@dataclass(frozen=True)
class UnknownCurrency:
    expected: str
    got: str


@dataclass(frozen=True)
class UnknownMember:
    member_id: int | str | None = None


@dataclass(frozen=True)
class BelowMinimumPurchase:
    minimum: int


@dataclass(frozen=True)
class PlanChanged:
    """The purchase would now earn other than the ``expected`` points the person confirmed
    (a campaign started or ended, the rules or the daily cap changed, an offer was used):
    nothing was written; ``quote`` is what it earns now, to show instead."""

    expected: int
    quote: PointsQuote


@dataclass(frozen=True)
class InsufficientPoints:
    short_by: int
    balance: int


@dataclass(frozen=True)
class UnknownPurchase:
    ref: str | int


@dataclass(frozen=True)
class RefundExceedsPurchase:
    refundable_minor: int


@dataclass(frozen=True)
class RewardUnavailable:
    """Archived, outside its active window, or unknown (``reason``)."""

    reward_id: int
    reason: str


@dataclass(frozen=True)
class OutOfStock:
    reward_id: int


@dataclass(frozen=True)
class TierTooLow:
    required: str
    current: str


@dataclass(frozen=True)
class LimitReached:
    """A per-member limit (``period="member"``) or the daily redemption limit (``"day"``)."""

    limit: int
    period: str


@dataclass(frozen=True)
class BelowMinimumRedemption:
    minimum: int


@dataclass(frozen=True)
class UnknownVoucher:
    ref: str | int | None = None


@dataclass(frozen=True)
class AlreadyUsed:
    at: datetime
    by: int | None
    channel: str | None = None
    location: str | None = None


@dataclass(frozen=True)
class Expired:
    on: datetime


@dataclass(frozen=True)
class Voided:
    at: datetime | None
    reason: str | None = None


@dataclass(frozen=True)
class NotVoidable:
    """Only an issued voucher can be voided (a redeemed one was consumed)."""

    status: str


# ---- successes ----


@dataclass(frozen=True)
class PurchaseRecorded:
    purchase_id: int
    receipt_code: str
    member_id: int
    entry_id: int
    points: int
    balance: int
    quote: PointsQuote
    tier: str
    upgraded_to: str | None = None
    replayed: bool = False
    extras: Mapping[str, Any] = field(default_factory=dict, compare=False)
    """What each :mod:`~models.ledger.hooks` hook wrote with it, by hook name."""


@dataclass(frozen=True)
class Spent:
    entry_id: int
    member_id: int
    points: int
    balance: int
    replayed: bool = False


@dataclass(frozen=True)
class Credited:
    """Points added (bonus or positive adjustment), as a new lot."""

    entry_id: int
    member_id: int
    points: int
    balance: int
    replayed: bool = False


@dataclass(frozen=True)
class Refunded:
    refund_id: int
    purchase_id: int
    member_id: int
    entry_id: int | None
    amount_minor: int
    refunded_minor_total: int
    points_due: int
    """Points this refund reverses by the proportional rule."""
    points_reversed: int
    """Points actually taken (less than ``points_due`` only under ``clamp_to_zero``)."""
    balance: int
    replayed: bool = False
    extras: Mapping[str, Any] = field(default_factory=dict, compare=False)
    """What each :mod:`~models.ledger.hooks` hook took back with it, by hook name."""


@dataclass(frozen=True)
class ExpiryRun:
    members: int
    points: int
    run_key: str = ""


@dataclass(frozen=True)
class VoucherIssued:
    voucher_id: int
    token: str
    code: str
    member_id: int
    reward_id: int
    cost_points: int
    valid_until: datetime
    balance: int
    entry_id: int | None
    replayed: bool = False


@dataclass(frozen=True)
class Redeemed:
    voucher_id: int
    member_id: int
    reward_id: int | None
    code: str
    at: datetime
    by: int | None


@dataclass(frozen=True)
class VoucherVoided:
    voucher_id: int
    points_returned: int
    balance: int
    stock_restored: bool
