"""The console's forms for the rules the chat's one-field editor does not reach (pure).

Each form edits one part of the :class:`~models.ledger.config.RuleSet` through flat,
named inputs (what an HTML form posts): the category and SKU multiplier lists (rows; a
row with an empty key is removed, a filled blank row added), usage (refund policy,
points as payment and its share, redemption limits), the tiers (names and perks in both
languages, thresholds, multipliers, the review period), event rules (issue 24: type,
points, caps, dates, channels) and the in-bot bonuses. An input not sent keeps its
value. :func:`apply_form` parses every input, rebuilds that part and validates the whole
rule set again with pydantic (as :func:`models.ledger.rule_editing.apply_change` does),
answering the new rules or a :class:`FormError` naming the input, so a refused form
changes nothing. Saving and the before/after example are the chat's
(:func:`~models.ledger.rule_versions.save`, :func:`~models.ledger.rule_editing.example`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import ValidationError

from models.ledger.config import EVENT_TYPE_PATTERN, ActionBonuses, RuleSet
from models.ledger.rule_editing import parse_money
from models.store import days

FORMS = ("multipliers", "usage", "tiers", "events", "bonuses")
LANGUAGES = {"en": "en", "zh": "zh-Hans"}
"""Input suffix → the language the text is in."""
BLANK_ROWS = 2
"""Empty rows each list shows for adding."""
REFUND_POLICIES = ("allow_negative", "clamp_to_zero")
FLAGS = {"on": True, "off": False}
_INT = re.compile(r"^\d{1,12}$")
_DECIMAL = re.compile(r"^\d{1,12}(\.\d{1,8})?$")
_KEY = re.compile(r"^[a-z0-9_][a-z0-9_.-]{0,63}$")
_SKU = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$")
"""SKUs match exactly as the till sends them (categories are lower case, as in chat)."""
_EVENT = re.compile(EVENT_TYPE_PATTERN)
_CHANNEL = re.compile(r"^[a-z][a-z0-9_-]{0,15}$")
MAX_PERK = 200


@dataclass(frozen=True)
class FormError:
    """``input`` (a form input's name) was refused: ``problem`` as in
    :class:`~models.ledger.rule_editing.InvalidRule` (``format``, ``too-small``,
    ``too-large``, ``not-above``, ``conflict``, ``unknown-field``) and the bound."""

    input: str
    problem: str
    limit: str | None = None


class _Refused(Exception):
    def __init__(self, error: FormError) -> None:
        self.error = error


def base_of(name: str) -> tuple[str, int | None]:
    """``cat_mult_2`` → (``cat_mult``, 2); ``share`` → (``share``, None)."""
    head, _, tail = name.rpartition("_")
    return (head, int(tail)) if head and tail.isdigit() else (name, None)


# ---- what a form shows ------------------------------------------------------------------


PERK_SEPARATOR = " | "
"""Perks are typed on one line, separated by ``|`` (a form field holds no line breaks)."""


def _perks(level: Any, language: str) -> str:
    return PERK_SEPARATOR.join(level.perks.get(language, []))


def values_of(rules: RuleSet, form: str) -> dict[str, str]:
    """The inputs of ``form`` filled with the rules in force (and the blank rows)."""
    earning, usage = rules.earning, rules.usage
    shown: dict[str, str] = {}
    if form == "multipliers":
        for prefix, table in (
            ("cat", earning.category_multipliers),
            ("sku", earning.sku_multipliers),
        ):
            rows = [*table.items(), *[("", "")] * BLANK_ROWS]
            for i, (key, value) in enumerate(rows):
                shown[f"{prefix}_key_{i}"], shown[f"{prefix}_mult_{i}"] = key, str(value)
    elif form == "usage":
        shown = {
            "refund": usage.refund_policy,
            "pay": "on" if usage.points_as_payment else "off",
            "share": str(usage.max_payment_share_percent),
            "minr": str(usage.min_redemption_points),
            "maxday": str(usage.max_redemptions_per_day),
        }
    elif form == "tiers":
        shown["window"] = str(rules.tiers.window_days)
        exponent = rules.currency.exponent
        for i, level in enumerate(rules.tiers.levels):
            for suffix, language in LANGUAGES.items():
                shown[f"t_name_{suffix}_{i}"] = level.names.get(language, "")
                shown[f"t_perks_{suffix}_{i}"] = _perks(level, language)
            threshold = level.threshold
            if rules.tiers.basis == "spend" and exponent:
                whole, part = divmod(threshold, 10**exponent)
                shown[f"t_thr_{i}"] = f"{whole}.{part:0{exponent}d}"
            else:
                shown[f"t_thr_{i}"] = str(threshold)
            shown[f"t_mult_{i}"] = str(level.multiplier)
    elif form == "events":
        rows = [*rules.events.items(), *[(None, None)] * BLANK_ROWS]
        for i, (kind, rule) in enumerate(rows):
            shown[f"ev_type_{i}"] = kind or ""
            shown[f"ev_points_{i}"] = str(rule.points) if rule else ""
            shown[f"ev_day_{i}"] = str(rule.daily_cap_points) if rule else ""
            shown[f"ev_total_{i}"] = str(rule.total_cap_points) if rule else ""
            shown[f"ev_from_{i}"] = rule.valid_from.isoformat() if rule and rule.valid_from else ""
            shown[f"ev_to_{i}"] = rule.valid_to.isoformat() if rule and rule.valid_to else ""
            shown[f"ev_channels_{i}"] = ", ".join(rule.channels) if rule else ""
    elif form == "bonuses":
        shown = {f"b_{kind}": str(points) for kind, points in rules.bonuses.model_dump().items()}
    return shown


# ---- reading inputs ---------------------------------------------------------------------


class _Inputs:
    """The posted inputs, each read at most once as its kind (or refused, naming it)."""

    def __init__(self, posted: Mapping[str, Any], current: Mapping[str, str]) -> None:
        self.posted, self.current = posted, current

    def text(self, name: str) -> str:
        value = self.posted.get(name, self.current.get(name, ""))
        if not isinstance(value, str):
            raise _Refused(FormError(name, "format"))
        return value.strip()

    def integer(self, name: str, *, blank: int | None = None) -> int:
        text = self.text(name).replace(",", "")
        if not text and blank is not None:
            return blank
        if not _INT.match(text):
            raise _Refused(
                FormError(name, "too-small", "0")
                if text.startswith("-")
                else FormError(name, "format")
            )
        return int(text)

    def decimal(self, name: str) -> str:
        text = self.text(name)
        if not _DECIMAL.match(text):
            raise _Refused(FormError(name, "format"))
        return text

    def choice(self, name: str, choices: Mapping[str, Any] | tuple[str, ...]) -> Any:
        text = self.text(name)
        if text not in choices:
            raise _Refused(FormError(name, "format"))
        return choices[text] if isinstance(choices, Mapping) else text

    def day(self, name: str) -> str | None:
        text = self.text(name)
        if not text:
            return None
        try:
            day = date.fromisoformat(text) if len(text) == 10 else None
        except ValueError:
            return _bad(name)
        return day.isoformat() if day and days.storable(day) else _bad(name)

    def rows(self, prefix: str) -> list[int]:
        """Row numbers of a list, posted or shown."""
        pattern = re.compile(rf"^{prefix}_(\d{{1,3}})$")
        found = {int(m.group(1)) for n in (*self.posted, *self.current) if (m := pattern.match(n))}
        return sorted(found)


def _bad(name: str) -> Any:
    raise _Refused(FormError(name, "format"))


# ---- building each part -----------------------------------------------------------------

Where = dict[tuple[Any, ...], str]
"""Which input a path in the rule set came from (to name it when pydantic refuses)."""


def _table(inputs: _Inputs, prefix: str, where: Where, path: tuple[str, ...]) -> dict[str, str]:
    table: dict[str, str] = {}
    for i in inputs.rows(f"{prefix}_key"):
        key = inputs.text(f"{prefix}_key_{i}")
        key = key if prefix == "sku" else key.lower()
        if not key:
            continue  # an empty key removes the row
        if not (_SKU if prefix == "sku" else _KEY).match(key):
            raise _Refused(FormError(f"{prefix}_key_{i}", "format"))
        if key in table:
            raise _Refused(FormError(f"{prefix}_key_{i}", "conflict"))
        table[key] = inputs.decimal(f"{prefix}_mult_{i}")
        where[(*path, key)] = f"{prefix}_mult_{i}"
    return table


def _multipliers(data: dict[str, Any], inputs: _Inputs, where: Where, rules: RuleSet) -> None:
    earning = data["earning"]
    earning["category_multipliers"] = _table(
        inputs, "cat", where, ("earning", "category_multipliers")
    )
    earning["sku_multipliers"] = _table(inputs, "sku", where, ("earning", "sku_multipliers"))


def _usage(data: dict[str, Any], inputs: _Inputs, where: Where, rules: RuleSet) -> None:
    usage = data["usage"]
    usage["refund_policy"] = inputs.choice("refund", REFUND_POLICIES)
    usage["points_as_payment"] = inputs.choice("pay", FLAGS)
    for name, field in (
        ("share", "max_payment_share_percent"),
        ("minr", "min_redemption_points"),
        ("maxday", "max_redemptions_per_day"),
    ):
        usage[field] = inputs.integer(name)
        where[("usage", field)] = name


def _lines(text: str, name: str) -> list[str]:
    lines = [line.strip() for line in re.split(r"[|｜\n]", text) if line.strip()]
    if any(len(line) > MAX_PERK for line in lines):
        raise _Refused(FormError(name, "too-large", str(MAX_PERK)))
    return lines


def _tiers(data: dict[str, Any], inputs: _Inputs, where: Where, rules: RuleSet) -> None:
    tiers = data["tiers"]
    tiers["window_days"] = inputs.integer("window")
    where[("tiers", "window_days")] = "window"
    for i, level in enumerate(tiers["levels"]):
        for suffix, language in LANGUAGES.items():
            name = inputs.text(f"t_name_{suffix}_{i}")
            if not name and language == "en":
                raise _Refused(FormError(f"t_name_{suffix}_{i}", "format"))
            if len(name) > 64:
                raise _Refused(FormError(f"t_name_{suffix}_{i}", "too-large", "64"))
            level["names"] = {k: v for k, v in {**level["names"], language: name}.items() if v}
            perks = _lines(inputs.text(f"t_perks_{suffix}_{i}"), f"t_perks_{suffix}_{i}")
            level["perks"] = {k: v for k, v in {**level["perks"], language: perks}.items() if v}
        threshold = inputs.text(f"t_thr_{i}")
        if rules.tiers.basis == "spend":
            value = parse_money(threshold, rules.currency.exponent)
        else:
            value = int(threshold) if _INT.match(threshold) else None
        if value is None:
            raise _Refused(FormError(f"t_thr_{i}", "format"))
        level["threshold"], level["multiplier"] = value, inputs.decimal(f"t_mult_{i}")
        where[("tiers", "levels", i, "threshold")] = f"t_thr_{i}"
        where[("tiers", "levels", i, "multiplier")] = f"t_mult_{i}"
        if f"t_thr_{i}" in inputs.posted and i:  # an order problem names a threshold typed
            where.setdefault(("tiers", "levels"), f"t_thr_{i}")


def _channels(text: str, name: str) -> list[str]:
    channels = [c for c in re.split(r"[\s,，]+", text.lower()) if c]
    if not all(_CHANNEL.match(c) for c in channels):
        raise _Refused(FormError(name, "format"))
    return list(dict.fromkeys(channels))


def _events(data: dict[str, Any], inputs: _Inputs, where: Where, rules: RuleSet) -> None:
    events: dict[str, Any] = {}
    for i in inputs.rows("ev_type"):
        kind = inputs.text(f"ev_type_{i}").lower()
        if not kind:
            continue  # an empty type removes the rule
        if not _EVENT.match(kind):
            raise _Refused(FormError(f"ev_type_{i}", "format"))
        if kind in events:
            raise _Refused(FormError(f"ev_type_{i}", "conflict"))
        first, last = inputs.day(f"ev_from_{i}"), inputs.day(f"ev_to_{i}")
        if first and last and last < first:
            raise _Refused(FormError(f"ev_to_{i}", "conflict"))
        events[kind] = {
            "points": inputs.integer(f"ev_points_{i}"),
            "daily_cap_points": inputs.integer(f"ev_day_{i}", blank=0),
            "total_cap_points": inputs.integer(f"ev_total_{i}", blank=0),
            "valid_from": first,
            "valid_to": last,
            "channels": _channels(inputs.text(f"ev_channels_{i}"), f"ev_channels_{i}"),
        }
        for field, name in (
            ("points", "ev_points"),
            ("daily_cap_points", "ev_day"),
            ("total_cap_points", "ev_total"),
        ):
            where[("events", kind, field)] = f"{name}_{i}"
    data["events"] = events


def _bonuses(data: dict[str, Any], inputs: _Inputs, where: Where, rules: RuleSet) -> None:
    for kind in ActionBonuses.model_fields:
        data["bonuses"][kind] = inputs.integer(f"b_{kind}", blank=0)
        where[("bonuses", kind)] = f"b_{kind}"


BUILDERS: dict[str, Callable[[dict[str, Any], _Inputs, Where, RuleSet], None]] = {
    "multipliers": _multipliers,
    "usage": _usage,
    "tiers": _tiers,
    "events": _events,
    "bonuses": _bonuses,
}


def _named(error: ValidationError, where: Where, fallback: str) -> FormError:
    first = error.errors()[0]
    loc = tuple(first.get("loc", ()))
    name = next((where[loc[:n]] for n in range(len(loc), 0, -1) if loc[:n] in where), fallback)
    kind, ctx = first.get("type", ""), first.get("ctx") or {}
    if kind == "greater_than_equal":
        return FormError(name, "too-small", str(ctx.get("ge")))
    if kind == "greater_than":
        return FormError(name, "not-above", str(ctx.get("gt")))
    if kind in ("less_than_equal", "less_than"):
        return FormError(name, "too-large", str(ctx.get("le", ctx.get("lt", ""))))
    if kind == "value_error":
        return FormError(name, "conflict")
    return FormError(name, "format")


def apply_form(rules: RuleSet, form: str, posted: Mapping[str, Any]) -> RuleSet | FormError:
    """``rules`` with ``form``'s inputs applied and validated, or the first input refused
    (an input the form does not have is ``unknown-field``)."""
    if form not in BUILDERS:
        return FormError(form, "unknown-field")
    current = values_of(rules, form)
    known = re.compile(r"^[a-z_]+_\d{1,3}$")
    for name in posted:
        if name not in current and not (known.match(name) and base_of(name)[0] in _bases(current)):
            return FormError(name, "unknown-field")
    data = rules.model_dump(mode="json")
    where: Where = {}
    try:
        BUILDERS[form](data, _Inputs(posted, current), where, rules)
    except _Refused as refused:
        return refused.error
    try:
        return RuleSet.model_validate(data)
    except ValidationError as error:
        return _named(error, where, next(iter(current), form))


def _bases(current: Mapping[str, str]) -> set[str]:
    return {base_of(name)[0] for name in current if base_of(name)[1] is not None}
