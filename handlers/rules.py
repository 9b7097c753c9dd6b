"""``/rules`` (admins): the earning and usage rules in force, edited one field at a time.

Pick a field → type a value (or press a choice) → see the change and its effect on an
example purchase → confirm → a new rule version (audited). An invalid value is refused
with the reason and nothing changes. The proposed change is a pending action
(``rules-change``, handlers/flows.py) re-validated against the rules in force on
confirm; if someone else saved a version in between, the admin is asked to start again.
"""

from __future__ import annotations

import html
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from handlers import flows
from handlers.callbacks import CallbackData
from handlers.context import JifenContext
from handlers.registry import Button, Command, Confirm, Feature, Input, Outcome, reply
from locales import localized, money
from models.ledger import rule_editing, rule_preview, rule_versions
from models.ledger.config import RuleSet
from models.ledger.rule_editing import InvalidRule, Kind, RuleField
from models.marketing import campaigns
from models.store import clock
from models.store.tables import PendingAction, Role

KIND = "rules-change"
INPUT = "rules-value"
PER_ROW = 2


def _field_key(label: str) -> str:
    return f"rules-field-{label}"


def _hint_key(kind: str) -> str:
    return f"rules-hint-{kind}"


def _choice_key(value: str) -> str:
    return f"rules-choice-{value.replace('_', '-')}"


def _label(context: JifenContext, rules: RuleSet, field: RuleField) -> str:
    tier = ""
    if field.tier is not None:
        tier = localized(rules.tiers.levels[field.tier].names, context.lang)
    return context.t(_field_key(field.label), tier=tier)


def _choice(context: JifenContext, value: str) -> str:
    return context.t(_choice_key(value))


def locale_keys() -> tuple[str, ...]:
    """Every key built at run time here: each field's name, typing hint (fields typed, not
    pressed) and choices (``tests/test_runtime_locale_keys.py``)."""
    fields = rule_editing.fields_for(RuleSet())
    return (
        *{_field_key(f.label) for f in fields},
        *{_hint_key(f.kind) for f in fields if not f.choices},  # as :func:`on_field` asks
        *{_choice_key(c) for f in fields for c in f.choices},
    )


LOCALE_KEYS = locale_keys


def _money(rules: RuleSet, minor: int) -> str:
    return money(minor, rules.currency.symbol, rules.currency.exponent)


def _show(context: JifenContext, rules: RuleSet, field: RuleField, value: Any) -> str:
    """A field's value as the admin reads it."""
    none = context.t("rules-none")
    if field.kind == Kind.MONEY:
        return _money(rules, int(value))
    if field.kind == Kind.CHOICE:
        return _choice(context, str(value))
    if field.kind == Kind.FLAG:
        return _choice(context, "on" if value else "off")
    if field.kind == Kind.WORDS or field.kind == Kind.DAYS:
        return ", ".join(str(v) for v in value) or none
    if field.kind == Kind.MULTIPLIERS:
        return ", ".join(f"{k} ×{v}" for k, v in value.items()) or none
    return str(value)


def _when(context: JifenContext, at: Any) -> str:
    return at.astimezone(ZoneInfo(context.settings.scheduler.timezone)).strftime("%Y-%m-%d %H:%M")


def _summary(context: JifenContext, version_id: int, rules: RuleSet) -> str:
    lines = [
        context.t(
            "rules-line",
            field=_label(context, rules, f),
            value=_show(context, rules, f, rule_editing.value_of(rules, f)),
        )
        for f in rule_editing.fields_for(rules)
        if f.tier is None
    ]
    tiers = [
        context.t(
            "rules-tier-line",
            name=localized(level.names, context.lang),
            threshold=_money(rules, level.threshold)
            if rules.tiers.basis == "spend"
            else str(level.threshold),
            multiplier=str(level.multiplier),
        )
        for level in rules.tiers.levels
    ]
    return context.t(
        "rules-summary", version=str(version_id), lines="\n".join(lines), tiers="\n".join(tiers)
    )


def _menu(context: JifenContext, rules: RuleSet) -> InlineKeyboardMarkup:
    uid = context.member.telegram_id if context.member else 0
    buttons = [
        InlineKeyboardButton(
            _label(context, rules, f), callback_data=context.codec.encode(uid, "rlf", f.key)
        )
        for f in rule_editing.fields_for(rules)
    ]
    rows = [buttons[i : i + PER_ROW] for i in range(0, len(buttons), PER_ROW)]
    rows.append(
        [
            InlineKeyboardButton(
                context.t("rules-history-button"), callback_data=context.codec.encode(uid, "rlh")
            )
        ]
    )
    return InlineKeyboardMarkup(rows)


def _cancel_markup(context: JifenContext) -> InlineKeyboardMarkup:
    uid = context.member.telegram_id if context.member else 0
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    context.t("common-cancel"), callback_data=context.codec.encode(uid, "rlno")
                )
            ]
        ]
    )


async def rules_command(update: Update, context: JifenContext) -> None:
    """``/rules``: what is in force, with a button per field."""
    flows.stop(context)
    version, rules = await rule_versions.current()
    await reply(
        update,
        _summary(context, version.id, rules),
        parse_mode="HTML",
        reply_markup=_menu(context, rules),
    )


async def on_field(update: Update, context: JifenContext, data: CallbackData) -> None:
    """A field was chosen: offer its choices, or ask for a value."""
    _version, rules = await rule_versions.current()
    field = rule_editing.find_field(rules, data.args[0] if data.args else "")
    if field is None:
        await reply(update, context.t("common-button-expired"))
        return
    current = _show(context, rules, field, rule_editing.value_of(rules, field))
    label = _label(context, rules, field)
    if field.choices:  # a choice or a flag: pressed, not typed
        uid = context.member.telegram_id if context.member else 0
        rows = [
            [
                InlineKeyboardButton(
                    _choice(context, choice),
                    callback_data=context.codec.encode(uid, "rlc", field.key, choice),
                )
            ]
            for choice in field.choices
        ]
        rows.append(
            [
                InlineKeyboardButton(
                    context.t("common-cancel"), callback_data=context.codec.encode(uid, "rlno")
                )
            ]
        )
        said = await reply(
            update,
            context.t("rules-choose", field=label, current=current),
            parse_mode="HTML",
            reply_markup=InlineKeyboardMarkup(rows),
        )
        flows.await_buttons(context, said)
        return
    flows.await_input(context, INPUT, field=field.key)
    await reply(
        update,
        context.t("rules-ask", field=label, current=current, hint=context.t(_hint_key(field.kind))),
        parse_mode="HTML",
        reply_markup=_cancel_markup(context),
    )


async def on_value(update: Update, context: JifenContext) -> None:
    """The typed value of the field being edited."""
    key = str(flows.awaited(context).get("field", ""))
    message = update.effective_message
    await _propose(update, context, key, (message.text or "") if message else "")


async def on_choice(update: Update, context: JifenContext, data: CallbackData) -> None:
    if len(data.args) != 2:
        await reply(update, context.t("common-button-expired"))
        return
    await _propose(update, context, data.args[0], data.args[1])


def _refusal(context: JifenContext, rules: RuleSet, error: InvalidRule) -> str:
    field = rule_editing.find_field(rules, error.field)
    limit = error.limit or ""
    if field is not None and field.kind == Kind.MONEY and limit:
        limit = _money(rules, int(float(limit)))
    label = _label(context, rules, field) if field else error.field
    if error.problem == "format" and error.part:  # name what could not be read
        return context.t("rules-invalid-part", field=label, part=html.escape(error.part))
    if error.part:
        label += f" ({html.escape(error.part)})"
    return context.t("rules-invalid", field=label, problem=error.problem, limit=limit)


async def _propose(update: Update, context: JifenContext, key: str, text_value: str) -> None:
    """Validate the change and show it with the example purchase, before and after."""
    version, rules = await rule_versions.current()
    changed = rule_editing.apply_change(rules, key, text_value)
    if isinstance(changed, InvalidRule):  # keep waiting for a better value
        await reply(
            update,
            _refusal(context, rules, changed),
            parse_mode="HTML",
            reply_markup=_cancel_markup(context),
        )
        return
    flows.stop(context)
    field = rule_editing.find_field(rules, key)
    assert field is not None
    now, tz = clock.now(), context.settings.scheduler.timezone
    running = await campaigns.rules_at(now, "telegram", tz=tz)
    example = await rule_preview.example_at_till(rules, changed, field, now, running, tz=tz)
    text = context.t(
        "rules-confirm",
        field=_label(context, rules, field),
        old=_show(context, rules, field, rule_editing.value_of(rules, field)),
        new=_show(context, changed, field, rule_editing.value_of(changed, field)),
        amount=_money(rules, example.amount_minor),
        category=example.category,
        tier=localized(example.tier_names, context.lang) or example.tier,
        before=-1 if example.before is None else example.before,
        after=-1 if example.after is None else example.after,
    )
    payload = {"key": key, "text": text_value, "version": version.id}
    await flows.ask_confirm(update, context, KIND, payload, text)


async def confirmed(update: Update, context: JifenContext, action: PendingAction) -> Outcome:
    """Save the change as a new rule version, unless another version was saved meanwhile."""
    change = action.payload
    version, rules = await rule_versions.current()
    if version.id != change["version"]:
        return Outcome(context.t("rules-stale"), html=False)
    changed = rule_editing.apply_change(rules, change["key"], change["text"])
    if isinstance(changed, InvalidRule):
        return Outcome(_refusal(context, rules, changed))
    saved = await rule_versions.save(changed, action.actor_telegram_id)
    return Outcome(context.t("rules-saved", version=str(saved.id)), html=False)


async def on_cancel(update: Update, context: JifenContext, data: CallbackData) -> None:
    """Cancel while a value is asked (before the confirm step): forget the flow."""
    await flows.cancel(context)
    await reply(update, context.t("common-cancelled"))


async def on_history(update: Update, context: JifenContext, data: CallbackData) -> None:
    """The last five versions: who saved them and when."""
    entries = await rule_editing.history()
    lines = [
        context.t(
            "rules-history-line",
            version=str(e.version_id),
            when=_when(context, e.created_at),
            who=e.author or context.t("rules-history-config"),
        )
        for e in entries
    ]
    await reply(update, context.t("rules-history", lines="\n".join(lines)), parse_mode="HTML")


FEATURE = Feature(
    name="rules",
    commands=(Command("rules", rules_command, "rules-cmd", role=Role.ADMIN),),
    buttons={
        "rlf": Button(on_field, Role.ADMIN),
        "rlc": Button(on_choice, Role.ADMIN),
        "rlno": Button(on_cancel, Role.ADMIN),
        "rlh": Button(on_history, Role.ADMIN),
    },
    inputs={INPUT: Input(on_value, Role.ADMIN)},
    confirms={KIND: Confirm(confirmed, Role.ADMIN)},
)
