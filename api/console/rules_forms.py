"""Rules forms: every rule the chat's one-field editor does not reach, a form each.

Multiplier lists (category and SKU rows), usage (refund policy, points as payment and
its share, redemption limits), tiers (names and perks in both languages, thresholds,
multipliers, the review period), event rules (issue 24: type, points, caps per day and
in total, valid dates, channels) and the in-bot bonuses. The inputs are read by
:func:`models.ledger.rule_forms.apply_form` (the whole rule set validated again; a
refusal names the input, 422 ``invalid_rule`` in the reader's language, and writes
nothing). The preview shows what changes and the example purchase before and after
(:mod:`.rules_example`: the till's computation); saving is a new rule version
(:func:`rule_versions.save`, audited ``rules.update`` with actor kind ``console``),
refused as ``rules_stale`` when another version was saved since the page was read.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from api import validation as v
from api.console.common import (
    ACTOR_KIND,
    ERROR,
    IDEMPOTENCY,
    Route,
    Visitor,
    created_responses,
    error_text,
    json_doc,
    page,
    settings,
)
from api.console.keyed import key_of, once
from api.console.rules_example import example_json, example_now
from api.context import refusal
from api.errors import ApiError
from api.idempotency import Answer
from api.openapi import PRINTABLE_PATTERN, SAFE_MAX
from locales import Translate, localized
from models.ledger import rule_forms, rule_versions
from models.ledger.config import ActionBonuses, RuleSet
from models.ledger.rule_forms import FORMS, FormError
from models.store.tables import Role

MAX_BODY = 1024 * 1024
"""Room for every input at its longest, written as JSON escapes (admins and marketers only)."""
MAX_VALUE = 500
MAX_INPUTS = 100
BASES = (
    "cat_key",
    "cat_mult",
    "sku_key",
    "sku_mult",
    "refund",
    "pay",
    "share",
    "minr",
    "maxday",
    "window",
    "t_name_en",
    "t_name_zh",
    "t_perks_en",
    "t_perks_zh",
    "t_thr",
    "t_mult",
    "ev_type",
    "ev_points",
    "ev_day",
    "ev_total",
    "ev_from",
    "ev_to",
    "ev_channels",
    *(f"b_{kind}" for kind in ActionBonuses.model_fields),
)


def input_key(base: str) -> str:
    return "console-rules-input-" + base.replace("_", "-")


def form_key(form: str) -> str:
    return f"console-rules-form-{form}"


LOCALE_KEYS = (
    *(input_key(b) for b in BASES),
    *(form_key(f) for f in FORMS),
    *(f"console-rules-form-hint-{f}" for f in FORMS),
    *(f"console-rules-{flag}" for flag in rule_forms.FLAGS),
    *(f"console-rules-refund-{p.replace('_', '-')}" for p in rule_forms.REFUND_POLICIES),
)
"""Every key built at run time here (``tests/test_runtime_locale_keys.py``)."""


def label(t: Translate, language: str, rules: RuleSet, name: str) -> str:
    """An input as the person reads it: ``Category multiplier (row 2)``, ``Gold: From``."""
    base, row = rule_forms.base_of(name)
    if base not in BASES:
        return name
    text = t(input_key(base))
    if row is None:
        return text
    if base.startswith("t_") and row < len(rules.tiers.levels):
        tier = localized(rules.tiers.levels[row].names, language)
        return t("console-rules-input-tier", tier=tier, label=text)
    return t("console-rules-input-row", label=text, row=row + 1)


def refused(visitor: Visitor, rules: RuleSet, error: FormError) -> ApiError:
    """422 ``invalid_rule`` naming the input (the chat's message for a refused value)."""
    return ApiError(
        422,
        "invalid_rule",
        field=error.input,
        problem=error.problem,
        limit=error.limit or "",
        label=label(visitor.t, visitor.language, rules, error.input),
    )


def form_of(request: web.Request) -> str:
    form = request.match_info["form"]
    if form not in FORMS:
        raise ApiError(404, "not_found")
    return form


CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def read_inputs(body: Mapping[str, Any]) -> dict[str, Any]:
    """The form's inputs (all but ``version``); a value that is no text is refused."""
    if len(body) > MAX_INPUTS:
        raise v.invalid("body", "too-many")
    inputs = {k: val for k, val in body.items() if k != "version"}
    for name, value in inputs.items():
        if not isinstance(value, str) or len(value) > MAX_VALUE or CONTROL.search(value):
            raise ApiError(422, "invalid_rule", field=name, problem="format", limit="", label=name)
    return inputs


async def propose(
    visitor: Visitor, form: str, inputs: Mapping[str, Any], tz: str
) -> dict[str, Any]:
    """The form checked against the rules in force: what changes, and the example."""
    version, rules = await rule_versions.current()
    changed = rule_forms.apply_form(rules, form, inputs)
    if isinstance(changed, FormError):
        raise refused(visitor, rules, changed)
    old, new = rule_forms.values_of(rules, form), rule_forms.values_of(changed, form)
    changes = [
        {
            "input": name,
            "label": label(visitor.t, visitor.language, changed, name),
            "old": old.get(name, ""),
            "new": new.get(name, ""),
        }
        for name in dict.fromkeys([*old, *new])
        if old.get(name, "") != new.get(name, "")
    ]
    example = await example_now(rules, changed, tz)
    return {
        "version": version.id,
        "form": form,
        "changes": changes,
        "example": example_json(visitor, rules, example),
    }


def _tz(request: web.Request) -> str:
    return settings(request).scheduler.timezone


async def forms_context(visitor: Visitor) -> list[dict[str, Any]]:
    """Each form with its inputs filled (for ``rules.html``)."""
    _, rules = await rule_versions.current()
    return [
        {
            "form": form,
            "title": visitor.t(form_key(form)),
            "values": rule_forms.values_of(rules, form),
            "labels": {
                n: label(visitor.t, visitor.language, rules, n)
                for n in rule_forms.values_of(rules, form)
            },
            "hint": visitor.t(f"console-rules-form-hint-{form}"),
            "choices": {
                "refund": [
                    (p, visitor.t(f"console-rules-refund-{p.replace('_', '-')}"))
                    for p in rule_forms.REFUND_POLICIES
                ],
                "pay": [(flag, visitor.t(f"console-rules-{flag}")) for flag in rule_forms.FLAGS],
            },
            "key": uuid.uuid4().hex,
        }
        for form in FORMS
    ]


# ---- handlers ---------------------------------------------------------------------------


async def preview_fragment(request: web.Request, visitor: Visitor) -> web.Response:
    """The htmx preview under a form (its inputs as the query, as htmx sends a GET)."""
    form = form_of(request)
    try:
        inputs = read_inputs(dict(request.query))
        found, problem = await propose(visitor, form, inputs, _tz(request)), None
    except ApiError as error:
        found, problem = None, error_text(error, visitor.language)
    return page(request, visitor, "rules_form_preview.html", preview=found, problem=problem)


async def preview(request: web.Request, visitor: Visitor) -> dict[str, Any]:
    form = form_of(request)
    body = await v.read_json(request, MAX_BODY)
    if "version" in body:  # optional here, but what it says must be a version
        v.integer(body, "version", minimum=1, maximum=SAFE_MAX)
    inputs = read_inputs(body)
    return await propose(visitor, form, inputs, _tz(request))


async def save(request: web.Request, visitor: Visitor) -> web.Response:
    """The form's inputs and ``version`` → 201 with the new version (admins, keyed)."""
    form = form_of(request)
    key = key_of(request)
    body = await v.read_json(request, MAX_BODY)
    seen = v.integer(body, "version", minimum=1, maximum=SAFE_MAX)
    inputs = read_inputs(body)

    async def work() -> Answer:
        version, rules = await rule_versions.current()
        if version.id != seen:
            return refusal(ApiError(409, "rules_stale"))
        changed = rule_forms.apply_form(rules, form, inputs)
        if isinstance(changed, FormError):
            return refusal(refused(visitor, rules, changed))
        saved = await rule_versions.save(
            changed, visitor.telegram_id, source=ACTOR_KIND, actor_kind=ACTOR_KIND
        )
        return Answer(201, {"version": saved.id, "previous": seen, "form": form})

    return await once(key, visitor, "rules.form", {"form": form, **body}, work)


# ---- OpenAPI ----------------------------------------------------------------------------

FORM = {
    "name": "form",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "enum": list(FORMS)},
}
INPUTS = {
    "type": "object",
    "maxProperties": MAX_INPUTS,
    "propertyNames": {"pattern": "^[a-z][a-z_]{0,15}(_[0-9]{1,3})?$"},
    "additionalProperties": {
        "type": "string",
        "maxLength": MAX_VALUE,
        "pattern": PRINTABLE_PATTERN,
    },
    "description": "the form's inputs by name (see values_of in models/ledger/rule_forms.py)",
}
VERSION = {"type": "integer", "minimum": 1, "maximum": SAFE_MAX}


def _body(required: bool) -> dict[str, Any]:
    schema = {**INPUTS, "properties": {"version": VERSION}}
    if required:
        schema["required"] = ["version"]
    return {"required": True, "content": {"application/json": {"schema": schema}}}


PREVIEW_SCHEMA = {
    "type": "object",
    "required": ["version", "form", "changes", "example"],
    "properties": {
        "version": {"type": "integer"},
        "form": {"type": "string"},
        "changes": {"type": "array", "items": {"type": "object"}},
        "example": {"type": "object"},
    },
}

ROUTES = (
    Route("GET", "/rules/forms/{form}/preview", preview_fragment),
    Route(
        "POST",
        "/api/rules/forms/{form}/preview",
        preview,
        keyed=False,
        doc={
            "operationId": "previewRuleForm",
            "summary": "A rules form checked: what changes and the example before and after",
            "parameters": [FORM],
            "requestBody": _body(False),
            "responses": {
                "200": json_doc({"$ref": "#/components/schemas/RuleFormPreview"}, "the preview"),
                "400": ERROR,
                "404": ERROR,
                "413": ERROR,
                "422": ERROR,
            },
        },
    ),
    Route(
        "POST",
        "/api/rules/forms/{form}",
        save,
        role=Role.ADMIN,
        doc={
            "operationId": "saveRuleForm",
            "summary": "Save a rules form as a new rule version (admins)",
            "parameters": [FORM, IDEMPOTENCY],
            "requestBody": _body(True),
            "responses": created_responses(
                {
                    "type": "object",
                    "properties": {
                        "version": {"type": "integer"},
                        "previous": {"type": "integer"},
                        "form": {"type": "string"},
                    },
                },
                "saved",
                not_found=True,
            ),
        },
    ),
)
