"""Editing the rules one field at a time (pure: no database).

An admin changes one field of the :class:`~models.ledger.config.RuleSet` in force by typing a
value (or pressing a choice). :func:`apply_change` parses the text for that field,
writes it into a copy of the rules and validates the whole set again with pydantic, so
every constraint of ``models.ledger.config`` (ranges, strictly increasing tier thresholds, …)
applies. The outcome is the new ``RuleSet`` or a typed :class:`InvalidRule` that the
chat renders in the admin's language. :func:`example` shows what the change does to a
typical purchase before it is confirmed. Only :func:`history` reads the database.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from models.ledger.config import ExpiryPolicyKind, Rounding, RuleSet
from models.ledger.rules import CampaignRule, check_purchase, compute_points
from models.store.tables import Member, RuleVersion

EXAMPLE_AMOUNT_MINOR = 12850
EXAMPLE_CATEGORY = "coffee"
EXAMPLE_TIER = "gold"
CLEAR = {"-", "none", "无"}
"""Typed for a list field, these mean "empty"."""


class Kind:
    """How a field's value is typed."""

    INT = "int"
    MONEY = "money"
    DECIMAL = "decimal"
    WORDS = "words"
    MULTIPLIERS = "multipliers"
    DAYS = "days"
    CHOICE = "choice"
    FLAG = "flag"
    """On or off: pressed as the choices ``on`` / ``off``, stored as a boolean."""


FLAG_CHOICES = ("on", "off")


@dataclass(frozen=True)
class RuleField:
    """One editable field: its short key (callback data), where it lives, how it is typed.

    ``label`` names its locale key ``rules-field-<label>``. ``tier`` is the index of the
    tier level for tier fields.
    """

    key: str
    path: tuple[str | int, ...]
    kind: str
    label: str
    choices: tuple[str, ...] = ()
    tier: int | None = None


_FIXED: tuple[RuleField, ...] = (
    RuleField("ppu", ("earning", "points_per_unit"), Kind.INT, "ppu"),
    RuleField("rnd", ("earning", "rounding"), Kind.CHOICE, "rnd", tuple(Rounding)),
    RuleField("minp", ("earning", "min_purchase_minor"), Kind.MONEY, "minp"),
    RuleField("maxp", ("earning", "max_purchase_minor"), Kind.MONEY, "maxp"),
    RuleField("excl", ("earning", "excluded_categories"), Kind.WORDS, "excl"),
    RuleField("catm", ("earning", "category_multipliers"), Kind.MULTIPLIERS, "catm"),
    RuleField("cap", ("earning", "daily_cap_points"), Kind.INT, "cap"),
    RuleField("minr", ("usage", "min_redemption_points"), Kind.INT, "minr"),
    RuleField("vval", ("usage", "voucher_validity_days"), Kind.INT, "vval"),
    RuleField("pval", ("usage", "point_value_minor"), Kind.DECIMAL, "pval"),
    RuleField("eopp", ("usage", "earn_on_points_payment"), Kind.FLAG, "eopp", FLAG_CHOICES),
    RuleField("expk", ("expiry", "policy"), Kind.CHOICE, "expk", tuple(ExpiryPolicyKind)),
    RuleField("expm", ("expiry", "months"), Kind.INT, "expm"),
    RuleField("expp", ("expiry", "period"), Kind.CHOICE, "expp", ("month", "quarter", "year")),
    RuleField("rem", ("expiry", "reminder_days"), Kind.DAYS, "rem"),
)


def fields_for(rules: RuleSet) -> list[RuleField]:
    """Every editable field of these rules (tier fields depend on the tiers defined)."""
    threshold_kind = Kind.MONEY if rules.tiers.basis == "spend" else Kind.INT
    tiers = [
        field
        for i in range(len(rules.tiers.levels))
        for field in (
            RuleField(f"tt{i}", ("tiers", "levels", i, "threshold"), threshold_kind, "tt", tier=i),
            RuleField(f"tm{i}", ("tiers", "levels", i, "multiplier"), Kind.DECIMAL, "tm", tier=i),
        )
    ]
    return [*_FIXED, *tiers]


def find_field(rules: RuleSet, key: str) -> RuleField | None:
    return next((f for f in fields_for(rules) if f.key == key), None)


# ---- outcomes ----


@dataclass(frozen=True)
class InvalidRule:
    """The value was refused and nothing changed.

    ``problem``: ``format`` (cannot be read as this field's kind), ``too-small`` /
    ``too-large`` / ``not-above`` (must be more than ``limit``; ``limit`` is the bound in
    the field's stored unit, e.g. minor units for money), ``conflict`` (it
    breaks a rule between fields, e.g. tier thresholds must increase), ``unknown-field``.
    """

    field: str
    problem: str
    limit: str | None = None
    part: str | None = None
    """The part of the typed text that was refused (``tea=abc``, or the category whose
    value is out of range), when the value has parts."""


@dataclass(frozen=True)
class Example:
    """Points for the example purchase before and after (``None``: it would not earn)."""

    amount_minor: int
    category: str
    tier: str
    tier_names: dict[str, str]
    before: int | None
    after: int | None


# ---- parsing ----

_INT = re.compile(r"^-?\d{1,12}$")
_DECIMAL = re.compile(r"^-?\d{1,12}(\.\d{1,8})?$")
_WORD = re.compile(r"^[a-z0-9_][a-z0-9_.-]{0,63}$")


def parse_money(text: str, exponent: int) -> int | None:
    """``"128.50"`` → ``12850`` (exactly, for a currency with ``exponent`` decimals)."""
    text = text.strip().replace(",", "")
    if not _DECIMAL.match(text):
        return None
    value = Decimal(text) * (Decimal(10) ** exponent)
    return int(value) if value == value.to_integral_value() else None


def _words(text: str) -> list[str] | None:
    if text.strip().lower() in CLEAR:
        return []
    words = [w for w in re.split(r"[\s,，]+", text.strip().lower()) if w]
    return words if all(_WORD.match(w) for w in words) else None


def _multipliers(text: str) -> dict[str, str] | None:
    if text.strip().lower() in CLEAR:
        return {}
    found: dict[str, str] = {}
    for part in (p for p in re.split(r"[,，;\n]+", text.strip().lower()) if p.strip()):
        match = re.match(r"^\s*([a-z0-9_][a-z0-9_.-]{0,63})\s*[=:×x* ]\s*(\S+)\s*$", part)
        if match is None or not _DECIMAL.match(match.group(2)):
            return None
        found[match.group(1)] = match.group(2)
    return found


def parse_value(field: RuleField, text: str, rules: RuleSet) -> Any:
    """The typed text as this field's JSON value, or ``None`` when it cannot be read."""
    text = text.strip()
    if field.kind == Kind.INT:
        return int(text) if _INT.match(text) else None
    if field.kind == Kind.MONEY:
        return parse_money(text, rules.currency.exponent)
    if field.kind == Kind.DECIMAL:
        return text if _DECIMAL.match(text) else None
    if field.kind == Kind.WORDS:
        return _words(text)
    if field.kind == Kind.MULTIPLIERS:
        return _multipliers(text)
    if field.kind == Kind.DAYS:
        if text.lower() in CLEAR:
            return []
        parts = [p for p in re.split(r"[\s,，]+", text) if p]
        return [int(p) for p in parts] if parts and all(_INT.match(p) for p in parts) else None
    if field.kind == Kind.CHOICE:
        return text if text in field.choices else None
    if field.kind == Kind.FLAG:
        return {"on": True, "off": False}.get(text)
    raise AssertionError(f"unknown field kind {field.kind!r}")


# ---- applying ----


def unreadable_part(field: RuleField, text: str) -> str:
    """The first part of ``text`` this field cannot read (the whole text for one value)."""
    text = text.strip()
    if field.kind == Kind.MULTIPLIERS:
        parts = [p.strip() for p in re.split(r"[,，;\n]+", text) if p.strip()]
        return next((p for p in parts if _multipliers(p) is None), text)
    if field.kind in (Kind.WORDS, Kind.DAYS):
        parts = [p for p in re.split(r"[\s,，]+", text) if p]
        readable = (lambda p: _INT.match(p)) if field.kind == Kind.DAYS else _WORD.match
        return next((p for p in parts if not readable(p.lower())), text)
    return text


def _invalid(field: RuleField, error: ValidationError) -> InvalidRule:
    first = error.errors()[0]
    kind, ctx = first.get("type", ""), first.get("ctx") or {}
    loc = tuple(first.get("loc") or ())
    inner = loc[len(field.path)] if len(loc) > len(field.path) else None
    part = str(inner) if isinstance(inner, str) else None  # e.g. the category's key
    if kind == "greater_than_equal":
        return InvalidRule(field.key, "too-small", str(ctx.get("ge")), part)
    if kind == "greater_than":
        return InvalidRule(field.key, "not-above", str(ctx.get("gt")), part)
    if kind in ("less_than_equal", "less_than"):
        return InvalidRule(field.key, "too-large", str(ctx.get("le", ctx.get("lt", ""))), part)
    if kind == "value_error":
        return InvalidRule(field.key, "conflict", part=part)
    return InvalidRule(field.key, "format", part=part)


def apply_change(rules: RuleSet, key: str, text: str) -> RuleSet | InvalidRule:
    """``rules`` with field ``key`` set from ``text``, validated, or why it was refused."""
    field = find_field(rules, key)
    if field is None:
        return InvalidRule(key, "unknown-field")
    value = parse_value(field, text, rules)
    if value is None:
        return InvalidRule(field.key, "format", part=unreadable_part(field, text)[:64])
    data = rules.model_dump(mode="json")
    target: Any = data
    for step in field.path[:-1]:
        target = target[step]
    target[field.path[-1]] = value
    try:
        return RuleSet.model_validate(data)
    except ValidationError as error:
        return _invalid(field, error)


def value_of(rules: RuleSet, field: RuleField) -> Any:
    """The field's current JSON value."""
    value: Any = rules.model_dump(mode="json")
    for step in field.path:
        value = value[step]
    return value


def example_tier(rules: RuleSet) -> str:
    """The example's tier: Gold when there is one, else the highest tier."""
    keys = [level.key for level in rules.tiers.levels]
    return EXAMPLE_TIER if EXAMPLE_TIER in keys else keys[-1]


def _example_points(
    rules: RuleSet, tier: str, at: datetime, campaigns: Sequence[CampaignRule]
) -> int | None:
    if check_purchase(EXAMPLE_AMOUNT_MINOR, rules.currency.code, rules) is not None:
        return None
    quote = compute_points(
        EXAMPLE_AMOUNT_MINOR,
        rules,
        tier=tier,
        category=EXAMPLE_CATEGORY,
        campaigns=campaigns,
        at=at,
    )
    return quote.points


def example(
    before: RuleSet, after: RuleSet, at: datetime, campaigns: Sequence[CampaignRule] = ()
) -> Example:
    """Points a ¥128.50 coffee purchase by a Gold member earns under both rule sets.

    ``campaigns``: those in force for everyone (no audience), so the example is what
    such a member's next purchase (nothing earned yet that day) earns: the same
    computation the ledger runs, with the same inputs.
    """
    tier = example_tier(after)
    names = next((dict(lv.names) for lv in after.tiers.levels if lv.key == tier), {})
    for_everyone = [c for c in campaigns if not c.audience]
    return Example(
        amount_minor=EXAMPLE_AMOUNT_MINOR,
        category=EXAMPLE_CATEGORY,
        tier=tier,
        tier_names=names,
        before=_example_points(before, tier, at, for_everyone),
        after=_example_points(after, tier, at, for_everyone),
    )


@dataclass(frozen=True)
class VersionEntry:
    """One rule version for the history: ``author`` is ``None`` for a config seed."""

    version_id: int
    created_at: datetime
    source: str
    author: str | None


async def history(limit: int = 5) -> list[VersionEntry]:
    """The newest rule versions, who saved them and when."""
    versions = await RuleVersion.all().order_by("-id").limit(limit)
    ids = {v.created_by for v in versions if v.created_by is not None}
    names = {m.telegram_id: m.display_name for m in await Member.filter(telegram_id__in=ids)}
    return [
        VersionEntry(
            v.id,
            v.created_at,
            v.source,
            None if v.created_by is None else names.get(v.created_by, str(v.created_by)),
        )
        for v in versions
    ]
