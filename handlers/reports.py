"""``/report``: the owner's summary, charts, segments, at-risk count and exports.

``/report [period] [location]`` (period as :func:`models.reports.summary.parse_period` reads it,
default ``7d``) answers with a live progress message that becomes the summary, the three
charts as one album (``sendMediaGroup``) captioned with the key numbers, then buttons.
Buttons carry the period as compact dates (``20261101-20261130``) so they survive a
restart; a location (free text) stays in the flow state (handlers/flows.py, a draft)
under a short number, and a
button whose number is gone answers "expired". ``/report weekly on|off`` is the weekly
report opt-in (:mod:`models.reports.weekly`).
"""

from __future__ import annotations

import asyncio
import tempfile
from datetime import date
from pathlib import Path

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    Message,
    Update,
)

from handlers import charts, flows
from handlers.callbacks import CallbackData
from handlers.context import JifenContext
from handlers.registry import Button, Command, Feature, reply
from models.exports import datasets
from models.exports.datasets import ExportFormat, ExportKind
from models.ledger import rule_versions
from models.marketing import offers, segments
from models.reports import messages, periods, series, summary, weekly
from models.reports.periods import InvalidPeriod, Period
from models.store import clock
from models.store.tables import Role

STEPS = 4
"""Progress steps: figures, then each of the three charts."""
TABLE_EXPORTS = (ExportKind.LEDGER, ExportKind.PURCHASES, ExportKind.MEMBERS, ExportKind.VOUCHERS)
KIND_KEYS: dict[ExportKind, str] = {
    ExportKind.LEDGER: "reports-export-kind-ledger",
    ExportKind.PURCHASES: "reports-export-kind-purchases",
    ExportKind.MEMBERS: "reports-export-kind-members",
    ExportKind.VOUCHERS: "reports-export-kind-vouchers",
    ExportKind.SEGMENTS: "reports-export-kind-segments",
}
LOCATIONS_KEY = "report_locations"
MAX_LOCATIONS = 50


# ---- the period and location a button stands for ----------------------------------------


def _zone(context: JifenContext) -> str:
    return context.settings.scheduler.timezone


def _scope(context: JifenContext, period: Period, location: str | None) -> list[str]:
    """Callback arguments for a report's period (and location, by a short number)."""
    dates = f"{period.first_day:%Y%m%d}-{period.last_day:%Y%m%d}"
    if location is None:
        return [dates]
    saved = flows.draft(context, LOCATIONS_KEY) or flows.start_draft(context, LOCATIONS_KEY, {})
    if len(saved) >= MAX_LOCATIONS:
        saved.clear()  # their buttons answer "expired"
    ref = next((k for k, v in saved.items() if v == location), None)
    if ref is None:
        ref = str(max((int(k) for k in saved), default=0) + 1)
        saved[ref] = location
    return [dates, ref]


def _unscope(context: JifenContext, args: tuple[str, ...]) -> tuple[Period, str | None] | None:
    """The period and location of :func:`_scope`'s arguments; None when stale or malformed."""
    if not args:
        return None
    first, _, last = args[0].partition("-")
    try:
        days = (
            date(int(first[:4]), int(first[4:6]), int(first[6:])),
            date(int(last[:4]), int(last[4:6]), int(last[6:])),
        )
    except ValueError:
        return None
    zone = periods.zone(_zone(context))
    if zone is None or days[1] < days[0]:
        return None
    location = None
    if len(args) > 1:
        location = (flows.draft(context, LOCATIONS_KEY) or {}).get(args[1])
        if location is None:
            return None
    return Period.of_days(days[0], days[1], zone), location


# ---- keyboards -----------------------------------------------------------------------------


def _button(context: JifenContext, user_id: int, label: str, *data: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=context.codec.encode(user_id, *data))


def _actions(context: JifenContext, user_id: int, scope: list[str]) -> InlineKeyboardMarkup:
    t = context.t
    return InlineKeyboardMarkup(
        [
            [_button(context, user_id, t("reports-button-segments"), "rs")],
            [_button(context, user_id, t("reports-button-at-risk"), "rr")],
            [_button(context, user_id, t("reports-button-export"), "rx", *scope)],
        ]
    )


def _export_menu(context: JifenContext, user_id: int, scope: list[str]) -> InlineKeyboardMarkup:
    t = context.t
    rows = [
        [
            _button(
                context,
                user_id,
                t(
                    "reports-export-button",
                    kind=t(KIND_KEYS[kind]),
                    format=fmt.value.upper(),
                ),
                "rf",
                kind.value,
                fmt.value,
                *scope,
            )
            for fmt in ExportFormat
        ]
        for kind in TABLE_EXPORTS
    ]
    rows.append([_button(context, user_id, t("common-back"), "rb", *scope)])
    return InlineKeyboardMarkup(rows)


# ---- /report -------------------------------------------------------------------------------


async def report_command(update: Update, context: JifenContext) -> None:
    """``/report [period] [location]`` or ``/report weekly on|off``."""
    args = context.args or []
    if args and args[0].lower() == "weekly":
        await _weekly(update, context, args[1:])
        return
    period = periods.parse_period(args[0] if args else None, _zone(context))
    if isinstance(period, InvalidPeriod):
        await reply(update, context.t("reports-period-invalid", text=period.text))
        return
    await _report(update, context, period, " ".join(args[1:]) or None)


async def _report(
    update: Update, context: JifenContext, period: Period, location: str | None
) -> None:
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    t = context.t

    def progress_text(done: int) -> str:
        return t("reports-progress", period=period.label, done=done, total=STEPS)

    progress = await chat.send_message(progress_text(0))
    _version, rules = await rule_versions.current()
    report = await summary.summary(
        period,
        location=location,
        point_value_minor=rules.usage.point_value_minor,
        tiers=rules.tiers,
    )
    await progress.edit_text(progress_text(1))
    pictures = [await charts.issued_vs_redeemed_chart(await series.points_series(period), t)]
    await progress.edit_text(progress_text(2))
    pictures.append(await charts.members_by_tier_chart(report.tiers, t, language=context.lang))
    await progress.edit_text(progress_text(3))
    sales = await series.sales_series(period, location=location)
    pictures.append(await charts.sales_per_day_chart(sales, t, currency=rules.currency))
    key, summary_args = messages.summary_message(
        report, currency=rules.currency, language=context.lang
    )
    await progress.edit_text(t(key, **summary_args))
    targeted = (await offers.targeted_reports(period.start, period.end))[:8]
    if targeted:
        lines = offers.lift_lines(targeted, currency=rules.currency, language=context.lang)
        await chat.send_message(
            "\n\n".join([t("offers-report-title"), *(t(k, **a) for k, a in lines)])
        )
    caption = t("reports-album-caption", **summary_args)
    await chat.send_media_group(
        [
            InputMediaPhoto(picture, caption=caption if i == 0 else None)
            for i, picture in enumerate(pictures)
        ]
    )
    scope = _scope(context, period, location)
    await chat.send_message(t("reports-actions"), reply_markup=_actions(context, user.id, scope))


async def _weekly(update: Update, context: JifenContext, args: list[str]) -> None:
    """``/report weekly on|off``: config admins get an inactive row carrying the flag."""
    user = update.effective_user
    assert user is not None
    word = args[0].lower() if args else ""
    if word not in ("on", "off"):
        await reply(update, context.t("reports-weekly-usage"))
        return
    result = await weekly.set_weekly_report(
        user.id, word == "on", config_admin=user.id in context.settings.access.admins
    )
    if result is None:  # the role went away between the check and now
        await reply(update, context.t("common-not-allowed", role=Role.MARKETER.value))
        return
    key = "reports-weekly-on" if result.enabled else "reports-weekly-off"
    await reply(update, context.t(key, schedule=context.settings.scheduler.weekly_report))


# ---- buttons -------------------------------------------------------------------------------


async def _answer(update: Update) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer()


async def _expired(update: Update, context: JifenContext) -> None:
    assert update.callback_query is not None
    await update.callback_query.answer(context.t("common-button-expired"), show_alert=True)


async def segments_button(update: Update, context: JifenContext, data: CallbackData) -> None:
    """Counts per RFM segment, then a CSV of every member with their segment."""
    counts = await segments.segment_counts()
    key, args = segments.segments_message(counts)
    await reply(update, context.t(key, **args))
    today = clock.now().astimezone(periods.zone(_zone(context))).date()
    await _send_export(update, context, ExportKind.SEGMENTS, ExportFormat.CSV, None, None, today)


async def at_risk_button(update: Update, context: JifenContext, data: CallbackData) -> None:
    """How many members are slipping away (the broadcast audience "at-risk")."""
    count = await segments.at_risk_members().count()
    await reply(update, context.t("reports-at-risk", count=count))


async def export_menu_button(update: Update, context: JifenContext, data: CallbackData) -> None:
    """Swap the actions for the export choices (kind × format)."""
    query = update.callback_query
    assert query is not None and query.from_user is not None
    if _unscope(context, data.args) is None:
        await _expired(update, context)
        return
    await query.answer()
    await query.edit_message_reply_markup(
        reply_markup=_export_menu(context, query.from_user.id, list(data.args))
    )


async def back_button(update: Update, context: JifenContext, data: CallbackData) -> None:
    query = update.callback_query
    assert query is not None and query.from_user is not None
    await query.answer()
    await query.edit_message_reply_markup(
        reply_markup=_actions(context, query.from_user.id, list(data.args))
    )


async def export_button(update: Update, context: JifenContext, data: CallbackData) -> None:
    """One export of the report's period (and location) as a document."""
    try:
        kind, fmt = ExportKind(data.args[0]), ExportFormat(data.args[1])
    except (IndexError, ValueError):
        kind = None
    scope = _unscope(context, data.args[2:])
    if kind is None or kind not in TABLE_EXPORTS or scope is None:
        await _expired(update, context)
        return
    await _answer(update)
    period, location = scope
    await _send_export(update, context, kind, fmt, period, location, period.first_day)


def _filename(
    context: JifenContext, kind: ExportKind, fmt: ExportFormat, period: Period | None, day: date
) -> str:
    """``jifen-ledger-2026-11-01_2026-11-30.xlsx`` (the kind word in the reader's language)."""
    span = f"{period.first_day}_{period.last_day}" if period else day.isoformat()
    return context.t("reports-export-filename", kind=kind.value, period=span, ext=fmt.value)


async def _send_export(
    update: Update,
    context: JifenContext,
    kind: ExportKind,
    fmt: ExportFormat,
    period: Period | None,
    location: str | None,
    day: date,
) -> None:
    """Write the export to a temporary folder, send it, and remove it (audited by exports)."""
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    t = context.t
    label = t(KIND_KEYS[kind])
    note: Message = await chat.send_message(
        t("reports-export-preparing", kind=label, format=fmt.value.upper())
    )
    _version, rules = await rule_versions.current()
    zone = periods.zone(_zone(context))
    assert zone is not None
    with tempfile.TemporaryDirectory(prefix="jifen-export-") as folder:
        path = Path(folder) / f"export.{fmt.value}"
        done = await datasets.export(
            kind,
            path,
            fmt=fmt,
            t=t,
            tz=zone,
            period=period,
            location=location,
            currency=rules.currency,
            language=context.lang,
            actor_telegram_id=user.id,
        )
        content = await asyncio.to_thread(path.read_bytes)
    await chat.send_document(
        content,
        filename=_filename(context, kind, fmt, period, day),
        caption=t("reports-export-ready", kind=label, rows=done.rows),
    )
    await note.delete()


FEATURE = Feature(
    name="reports",
    commands=(Command("report", report_command, "reports-cmd-report", role=Role.MARKETER),),
    buttons={
        "rs": Button(segments_button, Role.MARKETER),
        "rr": Button(at_risk_button, Role.MARKETER),
        "rx": Button(export_menu_button, Role.MARKETER),
        "rb": Button(back_button, Role.MARKETER),
        "rf": Button(export_button, Role.MARKETER),
    },
)
