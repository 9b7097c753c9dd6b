"""Rules: the earning and usage rules in force, and changing them (admins; marketers read).

The console edits the rules as the chat's ``/rules`` does, one field at a time, through
the same pure code (:mod:`models.ledger.rule_editing`): the typed value is parsed and the
whole rule set validated again, a change is previewed on the example purchase with the
campaigns running for everyone (:func:`rule_editing.example`, what the next purchase
earns), and saving stores a new rule version (:func:`rule_versions.save`, audited with
actor kind ``console``) that the till uses at once. A save names the version it was
previewed against: if another was saved meanwhile, it is refused (409 ``rules_stale``),
as the chat's confirm is.
"""

from __future__ import annotations

import uuid
from typing import Any

from aiohttp import web

from api import validation as v
from api.console import rules_forms
from api.console.common import (
    ACTOR_KIND,
    ERROR,
    IDEMPOTENCY,
    Route,
    Section,
    Visitor,
    created_responses,
    error_text,
    json_doc,
    page,
    settings,
)
from api.console.rules_example import example_json, example_now, money_text
from api.context import refusal, respond
from api.errors import ApiError
from api.idempotency import Answer, run_once
from api.openapi import PRINTABLE_PATTERN, SAFE_MAX
from locales import Translate, localized
from models.ledger import rule_editing, rule_versions
from models.ledger.config import RuleSet
from models.ledger.rule_editing import InvalidRule, Kind, RuleField
from models.store.tables import Role

MAX_BODY = 4096
MAX_VALUE = 500


def field_key(label: str) -> str:
    return f"rules-field-{label}"


def choice_key(value: str) -> str:
    return f"rules-choice-{value.replace('_', '-')}"


def locale_keys() -> tuple[str, ...]:
    """Every key built at run time here (``tests/test_runtime_locale_keys.py``)."""
    fields = rule_editing.fields_for(RuleSet())
    return (
        *{field_key(f.label) for f in fields},
        *{choice_key(c) for f in fields for c in f.choices},
    )


LOCALE_KEYS = locale_keys


def label(t: Translate, language: str, rules: RuleSet, field: RuleField) -> str:
    tier = (
        localized(rules.tiers.levels[field.tier].names, language) if field.tier is not None else ""
    )
    return t(field_key(field.label), tier=tier)


def shown(t: Translate, rules: RuleSet, field: RuleField, value: Any) -> str:
    """A field's value as a person reads it."""
    if field.kind == Kind.MONEY:
        return money_text(rules, int(value))
    if field.kind == Kind.CHOICE:
        return t(choice_key(str(value)))
    if field.kind == Kind.FLAG:
        return t(choice_key("on" if value else "off"))
    return typed(rules, field, value) or t("rules-none")


def typed(rules: RuleSet, field: RuleField, value: Any) -> str:
    """A field's value as it is typed back (what :func:`rule_editing.parse_value` reads)."""
    if field.kind == Kind.MONEY:
        exponent = rules.currency.exponent
        whole, part = divmod(int(value), 10**exponent)
        return f"{whole}.{part:0{exponent}d}" if exponent else str(whole)
    if field.kind == Kind.FLAG:
        return "on" if value else "off"
    if field.kind in (Kind.WORDS, Kind.DAYS):
        return ", ".join(str(x) for x in value)
    if field.kind == Kind.MULTIPLIERS:
        return ", ".join(f"{k}={x}" for k, x in value.items())
    return str(value)


def field_json(visitor: Visitor, rules: RuleSet, field: RuleField) -> dict[str, Any]:
    value = rule_editing.value_of(rules, field)
    return {
        "key": field.key,
        "label": label(visitor.t, visitor.language, rules, field),
        "kind": field.kind,
        "value": value,
        "text": typed(rules, field, value),
        "shown": shown(visitor.t, rules, field, value),
        "choices": [{"value": c, "label": visitor.t(choice_key(c))} for c in field.choices],
    }


async def rules_json(visitor: Visitor) -> dict[str, Any]:
    version, rules = await rule_versions.current()
    return {
        "version": version.id,
        "currency": rules.currency.code,
        "fields": [field_json(visitor, rules, f) for f in rule_editing.fields_for(rules)],
        "tiers": [
            {
                "key": level.key,
                "name": localized(level.names, visitor.language),
                "names": dict(level.names),
                "threshold": level.threshold,
                "multiplier": str(level.multiplier),
            }
            for level in rules.tiers.levels
        ],
        "history": [
            {
                "version": e.version_id,
                "at": e.created_at,
                "source": e.source,
                "author": e.author,
            }
            for e in await rule_editing.history()
        ],
    }


# ---- the change and its preview ---------------------------------------------------------


def refused(visitor: Visitor, rules: RuleSet, error: InvalidRule) -> ApiError:
    """422 ``invalid_rule``: which field, why, and the bound as the person reads it."""
    field = rule_editing.find_field(rules, error.field)
    limit = error.limit or ""
    if field is not None and field.kind == Kind.MONEY and limit:
        limit = money_text(rules, int(float(limit)))
    name = label(visitor.t, visitor.language, rules, field) if field else error.field
    return ApiError(
        422, "invalid_rule", field=error.field, problem=error.problem, limit=limit, label=name
    )


def read_change(source: Any) -> tuple[str, str]:
    """``field`` and ``value`` of a query or a JSON body (422 ``invalid_field`` otherwise)."""
    key = v.text(source, "field", required=True, max_length=16)
    value = source.get("value")
    if not isinstance(value, str) or len(value) > MAX_VALUE:
        raise v.invalid("value", "format")
    assert key is not None
    return key, value


async def propose(visitor: Visitor, key: str, text: str, tz: str) -> dict[str, Any]:
    """The change checked against the rules in force, with the example before and after."""
    version, rules = await rule_versions.current()
    changed = rule_editing.apply_change(rules, key, text)
    if isinstance(changed, InvalidRule):
        raise refused(visitor, rules, changed)
    field = rule_editing.find_field(rules, key)
    assert field is not None
    example = await example_now(rules, changed, tz, field)
    return {
        "version": version.id,
        "field": key,
        "label": label(visitor.t, visitor.language, rules, field),
        "value": text,
        "old": shown(visitor.t, rules, field, rule_editing.value_of(rules, field)),
        "new": shown(visitor.t, changed, field, rule_editing.value_of(changed, field)),
        "example": example_json(visitor, rules, example),
    }


# ---- handlers ---------------------------------------------------------------------------


def _tz(request: web.Request) -> str:
    return settings(request).scheduler.timezone


async def rules_page(request: web.Request, visitor: Visitor) -> web.Response:
    v.only(request.query, set())
    return page(
        request,
        visitor,
        "rules.html",
        rules=await rules_json(visitor),
        may_edit=visitor.role == Role.ADMIN,
        idempotency_key=uuid.uuid4().hex,
        forms=await rules_forms.forms_context(visitor),
    )


async def get_rules(request: web.Request, visitor: Visitor) -> dict[str, Any]:
    v.only(request.query, set())
    return await rules_json(visitor)


async def get_preview(request: web.Request, visitor: Visitor) -> dict[str, Any]:
    v.only(request.query, {"field", "value"})
    key, value = read_change(request.query)
    return await propose(visitor, key, value, _tz(request))


async def preview_fragment(request: web.Request, visitor: Visitor) -> web.Response:
    """The htmx preview under the form: the change and the example, or why it is refused."""
    v.only(request.query, {"field", "value", "version"})
    try:
        key, value = read_change(request.query)
        found, problem = await propose(visitor, key, value, _tz(request)), None
    except ApiError as error:
        found, problem = None, error
    text = None
    if problem is not None and problem.code == "invalid_rule":
        text = error_text(problem, visitor.language)
    elif problem is not None:
        text = visitor.t("console-rules-unreadable")
    return page(request, visitor, "rules_preview.html", preview=found, problem=text)


async def change_rule(request: web.Request, visitor: Visitor) -> web.Response:
    """``{"field", "value", "version"}`` → 201 with the new version (admins, keyed)."""
    key = v.idempotency_key(request)
    body = await v.read_json(request, MAX_BODY)
    v.only(body, {"field", "value", "version"})
    field, value = read_change(body)
    seen = v.integer(body, "version", minimum=1, maximum=SAFE_MAX)

    async def work() -> Answer:
        version, rules = await rule_versions.current()
        if version.id != seen:  # a retry of a saved change is replayed before this
            return refusal(ApiError(409, "rules_stale"))
        changed = rule_editing.apply_change(rules, field, value)
        if isinstance(changed, InvalidRule):
            return refusal(refused(visitor, rules, changed))
        saved = await rule_versions.save(
            changed, visitor.telegram_id, source=ACTOR_KIND, actor_kind=ACTOR_KIND
        )
        return Answer(201, {"version": saved.id, "previous": seen, "field": field})

    answer = await run_once(
        f"console:{visitor.telegram_id}:rules:{key}",
        "console.rules",
        {"field": field, "value": value, "version": seen},
        work,
        idempotent_work=False,
    )
    return respond(answer)


# ---- OpenAPI ----------------------------------------------------------------------------

FIELD = {"type": "string", "minLength": 1, "maxLength": 16, "pattern": "^[a-z0-9]+$"}
VALUE = {"type": "string", "maxLength": MAX_VALUE, "pattern": PRINTABLE_PATTERN}


PREVIEW_SCHEMA = {
    "type": "object",
    "required": ["version", "field", "old", "new", "example"],
    "properties": {
        "version": {"type": "integer"},
        "field": {"type": "string"},
        "label": {"type": "string"},
        "value": {"type": "string"},
        "old": {"type": "string"},
        "new": {"type": "string"},
        "example": {
            "type": "object",
            "properties": {
                "amount_minor": {"type": "integer"},
                "category": {"type": "string"},
                "tier": {"type": "string"},
                "before": {"type": ["integer", "null"]},
                "after": {"type": ["integer", "null"]},
                "text": {"type": "string"},
            },
        },
    },
}

SECTION = Section(
    key="rules",
    title="console-nav-rules",
    path="/rules",
    schemas={
        "Rules": {
            "type": "object",
            "required": ["version", "fields", "tiers", "history"],
            "properties": {
                "version": {"type": "integer"},
                "currency": {"type": "string"},
                "fields": {"type": "array", "items": {"type": "object"}},
                "tiers": {"type": "array", "items": {"type": "object"}},
                "history": {"type": "array", "items": {"type": "object"}},
            },
        },
        "RulePreview": PREVIEW_SCHEMA,
        "RuleFormPreview": rules_forms.PREVIEW_SCHEMA,
    },
    routes=(
        Route("GET", "/rules", rules_page),
        Route("GET", "/rules/preview", preview_fragment),
        Route(
            "GET",
            "/api/rules",
            get_rules,
            doc={
                "operationId": "getRules",
                "summary": "The rules in force: every editable field, the tiers, recent versions",
                "responses": {"200": json_doc({"$ref": "#/components/schemas/Rules"}, "the rules")},
            },
        ),
        Route(
            "GET",
            "/api/rules/preview",
            get_preview,
            doc={
                "operationId": "previewRuleChange",
                "summary": "A change checked and shown on the example purchase, before and after",
                "parameters": [
                    {"name": "field", "in": "query", "required": True, "schema": FIELD},
                    {"name": "value", "in": "query", "required": True, "schema": VALUE},
                ],
                "responses": {
                    "200": json_doc({"$ref": "#/components/schemas/RulePreview"}, "the preview"),
                    "422": ERROR,
                },
            },
        ),
        Route(
            "POST",
            "/api/rules/changes",
            change_rule,
            role=Role.ADMIN,
            doc={
                "operationId": "changeRule",
                "summary": "Save one field's new value as a new rule version (admins)",
                "parameters": [IDEMPOTENCY],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["field", "value", "version"],
                                "additionalProperties": False,
                                "properties": {
                                    "field": FIELD,
                                    "value": VALUE,
                                    "version": {
                                        "type": "integer",
                                        "minimum": 1,
                                        "maximum": SAFE_MAX,
                                    },
                                },
                            }
                        }
                    },
                },
                "responses": created_responses(
                    {
                        "type": "object",
                        "properties": {
                            "version": {"type": "integer"},
                            "previous": {"type": "integer"},
                            "field": {"type": "string"},
                        },
                    },
                    "saved",
                ),
            },
        ),
        *rules_forms.ROUTES,
    ),
)
