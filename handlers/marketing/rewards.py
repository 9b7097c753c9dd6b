"""``/reward`` (marketers): add a catalogue item step by step, list, edit stock/cost, archive.

Adding walks a fixed list of :data:`STEPS`; each step takes text, a photo or a number
(some with a "skip" button) and checks the value with :func:`models.catalogue.rewards.validate`
as it arrives, so a bad value is answered and the same step keeps waiting.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from telegram import Update

from handlers import flows
from handlers.callbacks import CallbackData
from handlers.context import JifenContext
from handlers.marketing.common import HTML, keyboard, parse_count, text_of
from handlers.registry import Outcome, reply
from locales import localized
from models.catalogue import rewards
from models.catalogue.rewards import InvalidReward, RewardDraft, RewardSaved, UnknownReward
from models.ledger import rule_versions
from models.store.tables import PendingAction

DRAFT = KIND = "mk-reward"


@dataclass(frozen=True)
class Step:
    """One question of the add-reward dialogue."""

    name: str
    """Locale suffix of the question and the draft key (``names.en`` style for texts)."""
    kind: str
    """text | photo | number | choice"""
    skip: str | None = None
    """Locale key of the skip button, if the step is optional."""


STEPS: tuple[Step, ...] = (
    Step("name-en", "text"),
    Step("name-zh", "text", skip="marketing-same-name"),
    Step("desc-en", "text", skip="marketing-skip"),
    Step("desc-zh", "text", skip="marketing-skip"),
    Step("photo", "photo", skip="marketing-skip"),
    Step("cost", "number"),
    Step("kind", "choice"),
    Step("stock", "number", skip="marketing-unlimited"),
    Step("limit", "number", skip="marketing-no-limit"),
    Step("tier", "choice", skip="marketing-any-tier"),
    Step("validity", "number", skip="marketing-default"),
)
FIELDS = {
    "cost": "cost_points",
    "stock": "stock",
    "limit": "per_member_limit",
    "validity": "voucher_validity_days",
}
EDITABLE = ("stock", "cost")
"""What an existing reward's buttons change (its question is the adding step's)."""


def _kind_key(kind: str) -> str:
    return f"marketing-kind-{kind}"


def _ask_key(step: str) -> str:
    return f"marketing-reward-ask-{step}"


LOCALE_KEYS = (
    *(_kind_key(kind) for kind in rewards.KINDS),
    *(_ask_key(name) for name in (*(s.name for s in STEPS), *EDITABLE)),
)
"""Every key built at run time here (``tests/test_runtime_locale_keys.py``)."""
TEXTS = {
    "name-en": ("names", "en"),
    "name-zh": ("names", "zh-Hans"),
    "desc-en": ("descriptions", "en"),
    "desc-zh": ("descriptions", "zh-Hans"),
}


def _draft(context: JifenContext) -> dict[str, Any] | None:
    return flows.draft(context, DRAFT)


async def _expired(update: Update, context: JifenContext) -> None:
    flows.stop(context)
    await reply(update, context.t("common-button-expired"))


async def reward_command(update: Update, context: JifenContext) -> None:
    flows.stop(context)
    markup = keyboard(
        context,
        update,
        [
            (context.t("marketing-reward-add"), "mkr-add", ()),
            (context.t("marketing-reward-list"), "mkr-list", ()),
        ],
    )
    await reply(update, context.t("marketing-reward-intro"), reply_markup=markup)


async def add(update: Update, context: JifenContext, _: CallbackData) -> None:
    flows.start_draft(context, DRAFT, {"names": {}, "descriptions": {}})
    await _ask(update, context, 0)


async def _ask(update: Update, context: JifenContext, index: int) -> None:
    """Ask step ``index``, or show the summary after the last one."""
    if index >= len(STEPS):
        await _summary(update, context)
        return
    step = STEPS[index]
    rows: list[list[tuple[str, str, tuple[object, ...]]]] = []
    if step.name == "kind":
        rows.append([(context.t(_kind_key(k)), "mkr-pick", (index, k)) for k in rewards.KINDS])
    elif step.name == "tier":
        levels = (await rule_versions.current())[1].tiers.levels
        rows.append(
            [(localized(lvl.names, context.lang), "mkr-pick", (index, lvl.key)) for lvl in levels]
        )
    if step.skip:
        rows.append([(context.t(step.skip), "mkr-skip", (index,))])
    if step.kind != "choice":
        flows.await_input(context, "mkr-step", index=index)
    said = await reply(
        update,
        context.t(_ask_key(step.name)),
        reply_markup=keyboard(context, update, *rows) if rows else None,
    )
    if step.kind == "choice":
        flows.await_buttons(context, said)


async def _refuse(update: Update, context: JifenContext, problem: InvalidReward) -> None:
    await reply(
        update, context.t("marketing-reward-invalid", field=problem.field, reason=problem.reason)
    )


async def step_input(update: Update, context: JifenContext) -> None:
    """The answer to a text, photo or number step."""
    draft, index = _draft(context), flows.awaited(context).get("index")
    if draft is None or not isinstance(index, int) or index >= len(STEPS):
        await _expired(update, context)
        return
    step, message = STEPS[index], update.effective_message
    if step.kind == "photo":
        if message is None or not message.photo:
            await reply(update, context.t("marketing-reward-photo-please"))
            return
        draft["photo_file_id"] = message.photo[-1].file_id  # the largest size
    elif step.kind == "text":
        text = text_of(update)
        group, language = TEXTS[step.name]
        problem = rewards.validate({group: {language: text}}, await _rules())
        limit = rewards.MAX_NAME if group == "names" else rewards.MAX_DESCRIPTION
        if not text or len(text) > limit or problem is not None:
            await reply(update, context.t("marketing-reward-bad-text", limit=limit))
            return
        draft[group][language] = text
    else:
        text = text_of(update)
        number = parse_count(text)
        if number is None:
            await reply(update, context.t("common-not-a-number", text=text[:32], example="100"))
            return
        field = FIELDS[step.name]
        problem = rewards.validate({field: number}, await _rules())
        if problem is not None:
            await _refuse(update, context, problem)
            return
        draft[field] = number
    await _ask(update, context, index + 1)


async def pick(update: Update, context: JifenContext, data: CallbackData) -> None:
    """A choice step's button (kind or minimum tier)."""
    draft, index = _draft(context), data.int_arg(0)
    value = data.args[1] if len(data.args) > 1 else ""
    if draft is None or index is None or index >= len(STEPS):
        await _expired(update, context)
        return
    field = "kind" if STEPS[index].name == "kind" else "min_tier"
    problem = rewards.validate({field: value}, await _rules())
    if problem is not None:
        await _refuse(update, context, problem)
        return
    draft[field] = value
    await _ask(update, context, index + 1)


async def skip(update: Update, context: JifenContext, data: CallbackData) -> None:
    draft, index = _draft(context), data.int_arg(0)
    if draft is None or index is None or index >= len(STEPS) or STEPS[index].skip is None:
        await _expired(update, context)
        return
    if STEPS[index].name == "name-zh":
        draft["names"]["zh-Hans"] = draft["names"].get("en", "")
    await _ask(update, context, index + 1)


def _build(draft: dict[str, Any]) -> RewardDraft:
    return RewardDraft(
        names=draft["names"],
        descriptions=draft["descriptions"],
        cost_points=draft.get("cost_points", 0),
        kind=draft.get("kind", "gift"),
        photo_file_id=draft.get("photo_file_id"),
        stock=draft.get("stock"),
        per_member_limit=draft.get("per_member_limit"),
        min_tier=draft.get("min_tier"),
        voucher_validity_days=draft.get("voucher_validity_days"),
    )


def describe(context: JifenContext, item: Any) -> str:
    """A reward (saved row or draft) as the marketer reads it (HTML)."""
    none = context.t("marketing-none")
    return context.t(
        "marketing-reward-summary",
        name=html.escape(localized(rewards.both_languages(item.names), context.lang)),
        description=html.escape(localized(rewards.both_languages(item.descriptions), context.lang))
        or none,
        cost=item.cost_points,
        kind=item.kind,
        stock=none if item.stock is None else item.stock,
        limit=none if item.per_member_limit is None else item.per_member_limit,
        tier=item.min_tier or none,
        validity=none if item.voucher_validity_days is None else item.voucher_validity_days,
        photo="yes" if item.photo_file_id else "no",
    )


async def _summary(update: Update, context: JifenContext) -> None:
    flows.stop(context)
    draft = _draft(context)
    assert draft is not None
    text = context.t("marketing-reward-review", summary=describe(context, _build(draft)))
    await flows.ask_confirm(update, context, KIND, draft, text)


async def confirmed(update: Update, context: JifenContext, action: PendingAction) -> Outcome:
    """Add the reward the confirmed summary showed (validated again by the store)."""
    result = await rewards.add(_build(action.payload), actor_telegram_id=action.actor_telegram_id)
    if isinstance(result, InvalidReward):
        text = context.t("marketing-reward-invalid", field=result.field, reason=result.reason)
        return Outcome(text, html=False)
    flows.drop_draft(context, DRAFT)
    return Outcome(context.t("marketing-reward-added", id=result.reward_id), html=False)


# ---- list, edit, archive ----


async def list_pressed(update: Update, context: JifenContext, _: CallbackData) -> None:
    rows = await rewards.list_rewards(include_archived=True, limit=20)
    if not rows:
        await reply(update, context.t("marketing-reward-none"))
        return
    lines = [
        context.t(
            "marketing-reward-line",
            id=r.id,
            name=html.escape(localized(r.names, context.lang)),
            cost=r.cost_points,
            stock=context.t("marketing-none") if r.stock is None else r.stock,
            archived="yes" if r.archived else "no",
        )
        for r in rows
    ]
    buttons = [[(context.t("marketing-reward-edit", id=r.id), "mkr-edit", (r.id,))] for r in rows]
    await reply(
        update, "\n".join(lines), reply_markup=keyboard(context, update, *buttons), parse_mode=HTML
    )


async def edit_menu(update: Update, context: JifenContext, data: CallbackData) -> None:
    reward_id = data.int_arg(0)
    row = await rewards.get(reward_id) if reward_id is not None else None
    if row is None:
        await reply(update, context.t("marketing-reward-unknown"))
        return
    t = context.t
    markup = keyboard(
        context,
        update,
        [
            (t("marketing-reward-edit-stock"), "mkr-field", (row.id, "stock")),
            (t("marketing-reward-edit-cost"), "mkr-field", (row.id, "cost")),
        ],
        [
            (
                t("marketing-reward-restore") if row.archived else t("marketing-reward-archive"),
                "mkr-arch",
                (row.id, 0 if row.archived else 1),
            )
        ],
    )
    await reply(update, describe(context, row), reply_markup=markup, parse_mode=HTML)


async def edit_field(update: Update, context: JifenContext, data: CallbackData) -> None:
    reward_id, field = data.int_arg(0), data.args[1] if len(data.args) > 1 else ""
    if reward_id is None or field not in EDITABLE:
        await _expired(update, context)
        return
    flows.await_input(context, "mkr-value", reward_id=reward_id, field=FIELDS[field])
    await reply(update, context.t(_ask_key(field)))


async def edit_value(update: Update, context: JifenContext) -> None:
    data = flows.awaited(context)
    text = text_of(update)
    number = parse_count(text)
    if number is None:
        await reply(update, context.t("common-not-a-number", text=text[:32], example="100"))
        return
    user = update.effective_user
    result = await rewards.edit(
        data["reward_id"], {data["field"]: number}, actor_telegram_id=user.id if user else None
    )
    await _saved(update, context, result)


async def archive(update: Update, context: JifenContext, data: CallbackData) -> None:
    reward_id, flag = data.int_arg(0), data.int_arg(1)
    user = update.effective_user
    if reward_id is None or flag is None or user is None:
        await _expired(update, context)
        return
    result = await rewards.edit(reward_id, {"archived": bool(flag)}, actor_telegram_id=user.id)
    await _saved(update, context, result)


async def _saved(
    update: Update, context: JifenContext, result: RewardSaved | InvalidReward | UnknownReward
) -> None:
    if isinstance(result, InvalidReward):
        await _refuse(update, context, result)
        return
    flows.stop(context)
    if isinstance(result, UnknownReward):
        await reply(update, context.t("marketing-reward-unknown"))
        return
    await reply(update, context.t("marketing-reward-saved", id=result.reward_id))


async def _rules() -> Any:
    return (await rule_versions.current())[1]


BUTTONS = {
    "mkr-add": add,
    "mkr-pick": pick,
    "mkr-skip": skip,
    "mkr-list": list_pressed,
    "mkr-edit": edit_menu,
    "mkr-field": edit_field,
    "mkr-arch": archive,
}
INPUTS = {"mkr-step": step_input, "mkr-value": edit_value}
