"""A quote: the points a purchase earns and why, as the ledger stores it.

``LedgerEntry.breakdown`` holds :meth:`PointsQuote.to_json`; the till, the Mini App and
the HTTP API show the same object before it is written (what a screen promises is what
happens). Pure data: :mod:`models.ledger.rules` computes quotes, outcomes carry them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import locales


@dataclass(frozen=True)
class Factor:
    """One term of the explanation.

    ``kind``: base (key = currency, multiplier = points per unit) | category | sku |
    tier (key = tier key) | campaign (campaign_id, names) | excluded (key = category) |
    bonus (campaign_id, names, points) | rounding (key = mode) | cap (limit, points =
    what the cap removed).
    """

    kind: str
    multiplier: Decimal | None = None
    key: str | None = None
    names: Mapping[str, str] | None = None
    campaign_id: int | None = None
    points: int | None = None
    limit: int | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind}
        if self.multiplier is not None:
            data["multiplier"] = str(self.multiplier)
        for name in ("key", "campaign_id", "points", "limit"):
            value = getattr(self, name)
            if value is not None:
                data[name] = value
        if self.names is not None:
            data["names"] = dict(self.names)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Factor:
        mult = data.get("multiplier")
        return cls(
            kind=data["kind"],
            multiplier=Decimal(mult) if mult is not None else None,
            key=data.get("key"),
            names=data.get("names"),
            campaign_id=data.get("campaign_id"),
            points=data.get("points"),
            limit=data.get("limit"),
        )


@dataclass(frozen=True)
class Line:
    amount_minor: int
    category: str | None
    sku: str | None
    factors: tuple[Factor, ...]
    exact: Decimal

    def to_json(self) -> dict[str, Any]:
        return {
            "amount_minor": self.amount_minor,
            "category": self.category,
            "sku": self.sku,
            "factors": [f.to_json() for f in self.factors],
            "exact": str(self.exact),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Line:
        return cls(
            amount_minor=data["amount_minor"],
            category=data.get("category"),
            sku=data.get("sku"),
            factors=tuple(Factor.from_json(f) for f in data["factors"]),
            exact=Decimal(data["exact"]),
        )


@dataclass(frozen=True)
class PointsQuote:
    """Points for a purchase and why: lines × factors, rounding, bonuses, cap.

    ``paid_points`` paid ``paid_minor`` of the bill (points as payment); unless the rule
    ``usage.earn_on_points_payment`` says otherwise, the lines hold only the part paid
    in money, so the explanation shows what actually earned.
    """

    points: int
    currency: str
    exponent: int
    symbol: str
    lines: tuple[Line, ...]
    exact: Decimal
    rounding: Factor
    bonuses: tuple[Factor, ...] = ()
    cap: Factor | None = None
    extras: Mapping[str, Any] = field(default_factory=dict)
    paid_points: int = 0
    paid_minor: int = 0

    def to_json(self) -> dict[str, Any]:
        """The form stored in ``LedgerEntry.breakdown`` (decimals as strings)."""
        paid = {"paid_points": self.paid_points, "paid_minor": self.paid_minor}
        return {
            "v": 1,
            "points": self.points,
            "currency": self.currency,
            "exponent": self.exponent,
            "symbol": self.symbol,
            "lines": [line.to_json() for line in self.lines],
            "exact": str(self.exact),
            "rounding": self.rounding.to_json(),
            "bonuses": [b.to_json() for b in self.bonuses],
            "cap": self.cap.to_json() if self.cap else None,
        } | (paid if self.paid_points else {})

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PointsQuote:
        return cls(
            points=data["points"],
            currency=data["currency"],
            exponent=data["exponent"],
            symbol=data.get("symbol", ""),
            lines=tuple(Line.from_json(x) for x in data["lines"]),
            exact=Decimal(data["exact"]),
            rounding=Factor.from_json(data["rounding"]),
            bonuses=tuple(Factor.from_json(b) for b in data.get("bonuses", ())),
            cap=Factor.from_json(data["cap"]) if data.get("cap") else None,
            paid_points=int(data.get("paid_points", 0)),
            paid_minor=int(data.get("paid_minor", 0)),
        )


def format_minor(amount_minor: int, exponent: int, symbol: str = "") -> str:
    """``128050, 2, "¥"`` → ``¥1,280.50``: the one money format (``locales.money``)."""
    return locales.money(amount_minor, symbol, exponent)


def explain(quote: PointsQuote, language: str = "en") -> str:
    """A one-line, language-neutral rendering (``128 = ¥128.50 × 1 × Gold 1.2 × Double 2``).

    The chat layer may render the structured data itself; this is its fallback and the
    form used in logs and exports.
    """

    def name(f: Factor) -> str:
        names = f.names or {}
        return names.get(language) or next(iter(names.values()), f.key or "")

    parts: list[str] = []
    for line in quote.lines:
        terms = [format_minor(line.amount_minor, quote.exponent, quote.symbol)]
        for f in line.factors:
            label = {"base": "", "tier": name(f), "campaign": name(f)}.get(f.kind, f.key or "")
            terms.append(f"{label} {f.multiplier.normalize():f}".strip() if f.multiplier else "0")
        parts.append(" × ".join(terms))
    text = " + ".join(parts)
    for b in quote.bonuses:
        text += f" + {name(b)} {b.points:,}"
    if quote.cap is not None:
        text += f" − cap {quote.cap.points:,}"
    return f"{quote.points:,} = {text}"
