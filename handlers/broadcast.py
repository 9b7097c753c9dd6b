"""``/broadcast`` (marketers, admins): compose, target, preview, send or schedule, cancel.

Steps: text (or a photo with a caption) → optional URL button → audience (buttons; some
ask a number) → summary with the recipient count, where a version per language may be
added (members get theirs, others the first text) → preview / send now (confirm) /
schedule (typed local time). The draft is a ``Broadcast`` row from the first step, so
every button carries only its id and re-checks that it is still a draft. Sending posts a
"queued" message that the outbox sender turns into the live progress bar and finally
the exact delivery report. ``/broadcast`` alone lists recent broadcasts; ``/broadcast
<text>`` starts a draft with that text.
"""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from bot.keyboards import inline_keyboard
from handlers import flows
from handlers.callbacks import CallbackData
from handlers.context import JifenContext
from handlers.marketing.common import date_examples
from handlers.registry import Button, Command, Confirm, Feature, Input, Outcome, reply
from locales import LANGUAGES, localized, money
from models.delivery.outbox_delivery import BroadcastNotCancellable
from models.ledger import rule_editing, rule_versions
from models.marketing import broadcasts
from models.marketing.broadcasts import Audience, AudienceKind, NotADraft
from models.store.tables import Broadcast, BroadcastStatus, OutboxMessage, PendingAction, Role
from scheduler.render import Renderer

ROLE = Role.MARKETER
KIND = "broadcast-send"
ASK_TEXT, ASK_BUTTON, ASK_DAYS, ASK_SPEND, ASK_TIME, ASK_VERSION = (
    "bc-text",
    "bc-button",
    "bc-days",
    "bc-spend",
    "bc-time",
    "bc-version",
)


def _uid(context: JifenContext) -> int:
    return context.member.telegram_id if context.member and context.member.telegram_id else 0


def _button(context: JifenContext, key: str, action: str, *args: object, **fmt: Any) -> Any:
    return InlineKeyboardButton(
        context.t(key, **fmt), callback_data=context.codec.encode(_uid(context), action, *args)
    )


def _tz(context: JifenContext) -> str:
    return context.settings.scheduler.timezone


def _local(context: JifenContext, at: datetime | None) -> str:
    if at is None:
        return "—"
    return at.astimezone(ZoneInfo(_tz(context))).strftime(broadcasts.TIME_FORMAT)


# ---- the list ----


async def broadcast_command(update: Update, context: JifenContext) -> None:
    """``/broadcast``: recent broadcasts; ``/broadcast <text>``: a new draft with that text."""
    flows.stop(context)
    if context.args:
        message = update.effective_message
        text = (message.text or "").split(maxsplit=1)[1] if message and message.text else ""
        await _new_draft(update, context, text, None)
        return
    summaries = await broadcasts.recent()
    lines = [
        context.t(
            "broadcast-list-line",
            id=str(s.broadcast.id),
            status=str(s.broadcast.status),
            when=_local(context, s.broadcast.started_at or s.broadcast.scheduled_at),
            total=s.counts.total,
            sent=s.counts.sent,
            blocked=s.counts.blocked,
            failed=s.counts.failed,
            cancelled=s.counts.cancelled,
        )
        for s in summaries
    ]
    live = (BroadcastStatus.SCHEDULED, BroadcastStatus.SENDING)
    rows = [
        [_button(context, "broadcast-cancel-button", "bcx", s.broadcast.id, id=str(s.broadcast.id))]
        for s in summaries
        if s.broadcast.status in live
    ]
    rows.insert(0, [_button(context, "broadcast-new-button", "bcnew")])
    text = context.t("broadcast-list", lines="\n".join(lines)) if lines else ""
    await reply(
        update,
        text or context.t("broadcast-list-empty"),
        parse_mode="HTML",
        reply_markup=InlineKeyboardMarkup(rows),
    )


async def on_new(update: Update, context: JifenContext, data: CallbackData) -> None:
    flows.await_input(context, ASK_TEXT)
    await reply(update, context.t("broadcast-ask-text"))


async def on_text(update: Update, context: JifenContext) -> None:
    """The message itself: text, or a photo with its caption."""
    message = update.effective_message
    if message is None:
        return
    photo = message.photo[-1].file_id if message.photo else None
    text = message.caption if photo else message.text
    await _new_draft(update, context, text or "", photo)


async def _new_draft(update: Update, context: JifenContext, text: str, photo: str | None) -> None:
    problem = broadcasts.check_text(text, with_photo=photo is not None)
    if problem is not None:
        flows.await_input(context, ASK_TEXT)
        await reply(update, context.t("broadcast-text-too-long", limit=problem.limit))
        return
    flows.stop(context)
    draft = await broadcasts.create_draft(_uid(context), text, photo, language=context.lang)
    markup = InlineKeyboardMarkup(
        [
            [
                _button(context, "broadcast-add-button", "bcbtn", draft.id, 1),
                _button(context, "broadcast-no-button", "bcbtn", draft.id, 0),
            ]
        ]
    )
    said = await reply(update, context.t("broadcast-ask-button-choice"), reply_markup=markup)
    flows.await_buttons(context, said)


async def _draft(update: Update, context: JifenContext, data: CallbackData) -> Broadcast | None:
    """The draft a button refers to, or an answer that it is gone."""
    broadcast_id = data.int_arg(0)
    draft = await broadcasts.get(broadcast_id) if broadcast_id is not None else None
    if draft is None or draft.status != BroadcastStatus.DRAFT:
        await reply(update, context.t("broadcast-not-draft"))
        return None
    return draft


async def on_button_choice(update: Update, context: JifenContext, data: CallbackData) -> None:
    draft = await _draft(update, context, data)
    if draft is None:
        return
    if data.int_arg(1) == 1:
        flows.await_input(context, ASK_BUTTON, draft=draft.id)
        await reply(update, context.t("broadcast-ask-button"))
        return
    await _choose_audience(update, context, draft.id)


async def on_button_text(update: Update, context: JifenContext) -> None:
    message = update.effective_message
    parsed = broadcasts.parse_button((message.text or "") if message else "")
    if isinstance(parsed, broadcasts.InvalidButton):
        await reply(update, context.t("broadcast-button-invalid", reason=parsed.reason))
        return
    draft_id = int(flows.awaited(context)["draft"])
    flows.stop(context)
    updated = await broadcasts.update_draft(
        draft_id, button={"text": parsed.text, "url": parsed.url}
    )
    if isinstance(updated, NotADraft):
        await reply(update, context.t("broadcast-not-draft"))
        return
    await _choose_audience(update, context, draft_id)


# ---- the audience ----


def _audience_key(kind: str) -> str:
    return f"broadcast-audience-{kind.replace('_', '-')}"


def _language_key(language: str) -> str:
    return f"broadcast-language-{language.lower()}"


LOCALE_KEYS = (
    *(_audience_key(kind) for kind in broadcasts.AUDIENCE_KINDS),
    *(_language_key(language) for language in LANGUAGES),
)
"""Every key built at run time here (``tests/test_runtime_locale_keys.py``)."""


async def _choose_audience(update: Update, context: JifenContext, draft_id: int) -> None:
    kinds = broadcasts.AUDIENCE_KINDS
    rows = [
        [
            _button(context, _audience_key(kind), "bcaud", draft_id, kind)
            for kind in kinds[i : i + 2]
        ]
        for i in range(0, len(kinds), 2)
    ]
    rows.append([_button(context, "common-cancel", "bcdrop", draft_id)])
    markup = InlineKeyboardMarkup(rows)
    flows.await_buttons(
        context, await reply(update, context.t("broadcast-choose-audience"), reply_markup=markup)
    )


async def on_audience(update: Update, context: JifenContext, data: CallbackData) -> None:
    """An audience kind was chosen; some need a parameter (buttons or a typed number)."""
    draft = await _draft(update, context, data)
    if draft is None or len(data.args) < 2:
        return
    kind, value = data.args[1], data.args[2] if len(data.args) > 2 else None
    if kind == AudienceKind.TIER and value is None:
        _version, rules = await rule_versions.current()
        rows = [
            [
                InlineKeyboardButton(
                    localized(level.names, context.lang),
                    callback_data=context.codec.encode(
                        _uid(context), "bcaud", draft.id, kind, level.key
                    ),
                )
            ]
            for level in rules.tiers.levels
        ]
        markup = inline_keyboard(rows)
        said = await reply(update, context.t("broadcast-choose-tier"), reply_markup=markup)
        flows.await_buttons(context, said)
        return
    if kind == AudienceKind.LANGUAGE and value is None:
        rows = [
            [_button(context, _language_key(code), "bcaud", draft.id, kind, code)]
            for code in LANGUAGES
        ]
        markup = InlineKeyboardMarkup(rows)
        said = await reply(update, context.t("broadcast-choose-language"), reply_markup=markup)
        flows.await_buttons(context, said)
        return
    if kind == AudienceKind.INACTIVE:
        flows.await_input(context, ASK_DAYS, draft=draft.id)
        await reply(update, context.t("broadcast-ask-days"))
        return
    if kind == AudienceKind.SPENT:
        flows.await_input(context, ASK_SPEND, draft=draft.id)
        await reply(update, context.t("broadcast-ask-spend"))
        return
    if kind == AudienceKind.BIRTHDAY:
        value = _tz(context)
    if kind not in broadcasts.AUDIENCE_KINDS:
        await reply(update, context.t("common-button-expired"))
        return
    await _set_audience(update, context, draft.id, Audience(kind, value))


async def on_days(update: Update, context: JifenContext) -> None:
    message = update.effective_message
    text = ((message.text or "") if message else "").strip()
    if not text.isdigit() or not 1 <= int(text) <= 3650:
        await reply(update, context.t("common-not-a-number", text=text, example="30"))
        return
    draft_id = int(flows.awaited(context)["draft"])
    flows.stop(context)
    await _set_audience(update, context, draft_id, Audience(AudienceKind.INACTIVE, int(text)))


async def on_spend(update: Update, context: JifenContext) -> None:
    message = update.effective_message
    text = ((message.text or "") if message else "").strip()
    _version, rules = await rule_versions.current()
    minor = rule_editing.parse_money(text, rules.currency.exponent)
    if minor is None or minor < 0:
        await reply(update, context.t("common-not-a-number", text=text, example="500"))
        return
    draft_id = int(flows.awaited(context)["draft"])
    flows.stop(context)
    await _set_audience(update, context, draft_id, Audience(AudienceKind.SPENT, minor))


async def _describe(context: JifenContext, audience: Audience) -> str:
    value: Any = audience.value if audience.value is not None else ""
    if audience.kind == AudienceKind.SPENT:
        _version, rules = await rule_versions.current()
        value = money(int(value or 0), rules.currency.symbol, rules.currency.exponent)
    elif audience.kind == AudienceKind.TIER:
        _version, rules = await rule_versions.current()
        names = next((lv.names for lv in rules.tiers.levels if lv.key == value), None)
        value = localized(names, context.lang) if names else str(value)
    elif audience.kind == AudienceKind.LANGUAGE:
        value = context.t(_language_key(str(value)))
    return context.t("broadcast-audience", kind=audience.kind, value=str(value))


async def _set_audience(
    update: Update, context: JifenContext, draft_id: int, audience: Audience
) -> None:
    updated = await broadcasts.update_draft(draft_id, audience=audience.to_json())
    if isinstance(updated, NotADraft):
        await reply(update, context.t("broadcast-not-draft"))
        return
    await _summary(update, context, updated)


async def _summary(update: Update, context: JifenContext, draft: Broadcast) -> None:
    """Who it reaches (SQL COUNT now) and what to do next."""
    audience = Audience.from_json(draft.audience)
    total = await broadcasts.count(audience)
    markup = InlineKeyboardMarkup(
        [
            [_button(context, "broadcast-preview-button", "bcprev", draft.id)],
            [
                _button(context, "broadcast-send-now-button", "bcsend", draft.id),
                _button(context, "broadcast-schedule-button", "bcsched", draft.id),
            ],
            [
                _button(context, "broadcast-version-button", "bcver", draft.id, lang, lang=lang)
                for lang in LANGUAGES
            ],
            [
                _button(context, "broadcast-change-audience-button", "bcbtn", draft.id, 0),
                _button(context, "common-cancel", "bcdrop", draft.id),
            ],
        ]
    )
    versions = draft.texts or {}
    languages = " · ".join(
        context.t(_language_key(lang)) + (" ✓" if lang in versions else " —") for lang in LANGUAGES
    )
    said = await reply(
        update,
        context.t(
            "broadcast-summary",
            id=str(draft.id),
            audience=await _describe(context, audience),
            count=total,
            photo="yes" if draft.photo_file_id else "no",
            button=html.escape(draft.button["text"]) if draft.button else "none",
            languages=languages,
        ),
        parse_mode="HTML",
        reply_markup=markup,
    )
    flows.await_buttons(context, said)


# ---- a version per language ----


async def on_version(update: Update, context: JifenContext, data: CallbackData) -> None:
    """A language's button under the summary: its text is asked for (members reading that
    language get it; the others keep the text as first written)."""
    draft = await _draft(update, context, data)
    language = data.args[1] if len(data.args) > 1 else None
    if draft is None or language not in LANGUAGES:
        return
    flows.await_input(context, ASK_VERSION, draft=draft.id, language=language)
    name = context.t(_language_key(language))
    await reply(update, context.t("broadcast-ask-version", language=name))


async def on_version_text(update: Update, context: JifenContext) -> None:
    message = update.effective_message
    text = ((message.caption or message.text) if message else None) or ""
    awaited = flows.awaited(context)
    result = await broadcasts.set_version(int(awaited["draft"]), str(awaited["language"]), text)
    if isinstance(result, broadcasts.TextTooLong):
        await reply(update, context.t("broadcast-text-too-long", limit=result.limit))
        return
    flows.stop(context)
    if isinstance(result, NotADraft):
        await reply(update, context.t("broadcast-not-draft"))
        return
    await _summary(update, context, result)


# ---- preview, send, schedule, cancel ----


async def on_preview(update: Update, context: JifenContext, data: CallbackData) -> None:
    """Send the message to the marketer exactly as members get it (same renderer), once
    per language: each reader gets their version (or the text written first)."""
    draft = await _draft(update, context, data)
    if draft is None:
        return
    chat = update.effective_chat
    assert chat is not None
    for language in LANGUAGES:
        row = OutboxMessage(language=language, **broadcasts.outbox_parts(draft, language))
        rendered = Renderer(default_language=language).render(row)
        await chat.send_message(
            context.t("broadcast-preview-version", language=context.t(_language_key(language)))
        )
        if rendered.photo:
            await chat.send_photo(
                rendered.photo,
                caption=rendered.text,
                parse_mode="HTML",
                reply_markup=rendered.reply_markup,
            )
        else:
            await chat.send_message(
                rendered.text, parse_mode="HTML", reply_markup=rendered.reply_markup
            )
    await _summary(update, context, draft)


async def on_send(update: Update, context: JifenContext, data: CallbackData) -> None:
    draft = await _draft(update, context, data)
    if draft is None:
        return
    total = await broadcasts.count(Audience.from_json(draft.audience))
    text = html.escape(context.t("broadcast-confirm-send", id=str(draft.id), count=total))
    await flows.ask_confirm(update, context, KIND, {"draft": draft.id}, text)


def _cancel_markup(context: JifenContext, broadcast_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_button(context, "broadcast-cancel-button", "bcx", broadcast_id, id=str(broadcast_id))]]
    )


def _kept_buttons(message: Message) -> broadcasts.ButtonRows:
    """The progress message's buttons, for the sender to keep on it while it edits."""
    markup = message.reply_markup
    rows = markup.inline_keyboard if markup else ()
    return [[{"text": b.text, "callback": str(b.callback_data)} for b in row] for row in rows]


async def _post(update: Update, context: JifenContext, text: str, broadcast_id: int) -> Message:
    chat = update.effective_chat
    assert chat is not None
    return await chat.send_message(text, reply_markup=_cancel_markup(context, broadcast_id))


def _wake_sender(context: JifenContext) -> None:
    handle = context.bot_data.get("scheduler")
    sender = getattr(handle, "sender", None)
    if sender is not None:
        sender.wake()


async def confirmed(update: Update, context: JifenContext, action: PendingAction) -> Outcome:
    """Confirmed: post the progress message, then queue every delivery in one go."""
    draft_id = int(action.payload["draft"])
    draft = await broadcasts.get(draft_id)
    if draft is None or draft.status != BroadcastStatus.DRAFT:
        return Outcome(context.t("broadcast-not-draft"), html=False)
    progress = await _post(
        update, context, context.t("broadcast-queued", id=str(draft_id)), draft_id
    )
    result = await broadcasts.start_now(
        draft_id,
        actor_telegram_id=action.actor_telegram_id,
        progress=(progress.chat_id, progress.message_id),
        progress_buttons=_kept_buttons(progress),
    )
    if isinstance(result, NotADraft) or result.replayed:
        await progress.edit_text(context.t("broadcast-not-draft"))
        return Outcome(context.t("broadcast-not-draft"), html=False)
    _wake_sender(context)
    return Outcome(context.t("flow-confirmed"), html=False)


async def on_schedule(update: Update, context: JifenContext, data: CallbackData) -> None:
    draft = await _draft(update, context, data)
    if draft is None:
        return
    flows.await_input(context, ASK_TIME, draft=draft.id)
    await reply(update, context.t("broadcast-ask-time", tz=_tz(context)))


async def on_time(update: Update, context: JifenContext) -> None:
    message = update.effective_message
    at = broadcasts.parse_time((message.text or "") if message else "", _tz(context))
    if isinstance(at, broadcasts.InvalidTime):
        await reply(
            update,
            context.t(
                "broadcast-time-invalid",
                reason=at.reason,
                tz=_tz(context),
                example=date_examples(context)["example"],
            ),
        )
        return
    draft_id = int(flows.awaited(context)["draft"])
    flows.stop(context)
    draft = await broadcasts.get(draft_id)
    total = await broadcasts.count(Audience.from_json(draft.audience)) if draft else 0
    progress = await _post(
        update,
        context,
        context.t(
            "broadcast-scheduled",
            id=str(draft_id),
            at=_local(context, at),
            tz=_tz(context),
            count=total,
        ),
        draft_id,
    )
    result = await broadcasts.schedule(
        draft_id,
        at,
        actor_telegram_id=_uid(context),
        progress=(progress.chat_id, progress.message_id),
        progress_buttons=_kept_buttons(progress),
    )
    if not isinstance(result, broadcasts.Scheduled):
        await progress.edit_text(context.t("broadcast-not-draft"))


async def on_cancel_live(update: Update, context: JifenContext, data: CallbackData) -> None:
    """Cancel a scheduled or running broadcast (pending deliveries are withdrawn)."""
    broadcast_id = data.int_arg(0)
    if broadcast_id is None:
        return
    result = await broadcasts.cancel(broadcast_id, actor_telegram_id=_uid(context))
    if isinstance(result, BroadcastNotCancellable):
        await reply(update, context.t("broadcast-not-cancellable", id=str(broadcast_id)))
        return
    _wake_sender(context)  # the sender writes the report
    await reply(
        update, context.t("broadcast-cancelled", id=str(broadcast_id), withdrawn=result.withdrawn)
    )


async def on_drop(update: Update, context: JifenContext, data: CallbackData) -> None:
    """Abandon the draft being composed (it stays a draft and is never sent)."""
    await flows.cancel(context)
    await reply(update, context.t("common-cancelled"))


FEATURE = Feature(
    name="broadcast",
    commands=(Command("broadcast", broadcast_command, "broadcast-cmd", role=ROLE),),
    buttons={
        "bcnew": Button(on_new, ROLE),
        "bcbtn": Button(on_button_choice, ROLE),
        "bcaud": Button(on_audience, ROLE),
        "bcprev": Button(on_preview, ROLE),
        "bcsend": Button(on_send, ROLE),
        "bcsched": Button(on_schedule, ROLE),
        "bcx": Button(on_cancel_live, ROLE),
        "bcdrop": Button(on_drop, ROLE),
        "bcver": Button(on_version, ROLE),
    },
    inputs={
        ASK_TEXT: Input(on_text, ROLE),
        ASK_BUTTON: Input(on_button_text, ROLE),
        ASK_DAYS: Input(on_days, ROLE),
        ASK_SPEND: Input(on_spend, ROLE),
        ASK_TIME: Input(on_time, ROLE),
        ASK_VERSION: Input(on_version_text, ROLE),
    },
    confirms={KIND: Confirm(confirmed, ROLE)},
)
