"""Amounts as cashiers type them → exact minor units (``Decimal``, never float)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from models.ledger.config import RuleSet


@dataclass(frozen=True)
class Amount:
    minor: int


REASONS = ("not-a-number", "negative", "zero", "decimals", "too-large")
"""Why a text may not be an amount (:attr:`BadAmount.reason`)."""


@dataclass(frozen=True)
class BadAmount:
    """Why the text is not an amount: one of :data:`REASONS`."""

    reason: str


_SYMBOLS = re.compile(r"[¥￥$€£元\s]|RMB|CNY", re.IGNORECASE)
_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")
_NUMBER = re.compile(r"^\d+(\.\d+)?$")


def parse_amount(text: str, rules: RuleSet, *, limit: int | None = None) -> Amount | BadAmount:
    """``"128.50"``, ``"128"``, ``"¥128.5"``, ``"128,50"``, ``"1,280.00"`` → minor units.

    A comma is a decimal mark unless it groups thousands (``1,280`` or ``1,280.50``).
    ``limit`` defaults to ``earning.max_purchase_minor``.
    """
    cleaned = _SYMBOLS.sub("", text.strip())[:32]
    negative = cleaned.startswith("-")
    cleaned = cleaned.lstrip("+-")
    if _THOUSANDS.match(cleaned):
        cleaned = cleaned.replace(",", "")
    elif cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    if not _NUMBER.match(cleaned):
        return BadAmount("not-a-number")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return BadAmount("not-a-number")
    if negative and value != 0:
        return BadAmount("negative")
    if value == 0:
        return BadAmount("zero")
    minor = value.scaleb(rules.currency.exponent)
    if minor != minor.to_integral_value():
        return BadAmount("decimals")
    amount = int(minor)
    if amount > (limit if limit is not None else rules.earning.max_purchase_minor):
        return BadAmount("too-large")
    return Amount(amount)
