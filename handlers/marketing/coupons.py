"""``/coupons`` (marketers): generate a batch for a reward and get it as CSV and a QR
sheet; counts of claimed and used per batch. ``/claim CODE`` and ``c-<token>`` links
(anyone): turn a coupon into a voucher.
"""

from __future__ import annotations

import asyncio
import html
from datetime import datetime

from telegram import Update

from handlers import flows
from handlers.callbacks import CallbackData
from handlers.context import JifenContext
from handlers.marketing.common import HTML, keyboard, local, parse_count, text_of, zone
from handlers.qr import deep_link
from handlers.registry import Outcome, reply
from locales import localized
from models.catalogue import coupons, rewards
from models.catalogue.coupons import (
    BatchCreated,
    BatchStats,
    CouponClaimed,
    CouponExpired,
    CouponTaken,
    InvalidBatchSize,
    OnePerMember,
    UnknownCoupon,
)
from models.ledger.results import RewardUnavailable, UnknownMember
from models.store.tables import PendingAction

KIND = "mk-coupons"


EXPIRY_DAYS = coupons.EXPIRY_CHOICES
"""The expiry choices of a batch (shared with the console)."""


async def _stats_line(context: JifenContext, s: BatchStats) -> str:
    """One batch: its number, its reward in the reader's language, counts, and times in
    the shop's zone (``scheduler.timezone``)."""
    reward = await rewards.get(s.reward_id)
    return context.t(
        "marketing-coupons-batch-line",
        id=s.batch_id,
        name=html.escape(localized(reward.names, context.lang) if reward else ""),
        size=s.size,
        claimed=s.claimed,
        used=s.used,
        created=local(context, s.created_at),
        until=_until(context, s.valid_until, s.voucher_days),
    )


def _until(context: JifenContext, at: datetime | None, voucher_days: int) -> str:
    """What a batch states, and a claim then gives: its end, or the days a voucher lasts."""
    if at is None:
        return context.t("marketing-coupons-no-expiry", days=voucher_days)
    return context.t("marketing-coupons-valid-until", at=local(context, at))


def _note(context: JifenContext, at: datetime | None, voucher_days: int) -> str:
    """The same, short, for under each code of the printed sheet."""
    if at is None:
        return context.t("marketing-coupons-sheet-days", days=voucher_days)
    date = at.astimezone(zone(context)).strftime("%Y-%m-%d")
    return context.t("marketing-coupons-sheet-until", date=date)


async def coupons_command(update: Update, context: JifenContext) -> None:
    """Pick a reward (buttons) and see the latest batches with their counts."""
    flows.stop(context)
    items = await rewards.list_rewards(limit=30)
    batches = await coupons.list_batches(limit=10)
    lines = [context.t("marketing-coupons-intro", max=coupons.MAX_BATCH)]
    lines += [await _stats_line(context, s) for s in batches]
    if not items:
        await reply(update, context.t("marketing-coupons-no-rewards"))
        return
    rows = [[(localized(r.names, context.lang)[:40], "mkq-pick", (r.id,))] for r in items]
    await reply(
        update, "\n".join(lines), reply_markup=keyboard(context, update, *rows), parse_mode=HTML
    )


async def pick(update: Update, context: JifenContext, data: CallbackData) -> None:
    reward_id = data.int_arg(0)
    row = await rewards.get(reward_id) if reward_id is not None else None
    if row is None or row.archived:
        await reply(update, context.t("marketing-reward-unknown"))
        return
    flows.await_input(context, "mkq-count", reward_id=row.id)
    await reply(
        update,
        context.t(
            "marketing-coupons-ask-count",
            reward=html.escape(localized(row.names, context.lang)),
            max=coupons.MAX_BATCH,
        ),
        parse_mode=HTML,
    )


async def count_typed(update: Update, context: JifenContext) -> None:
    """The typed size: refused with the limits (still waiting), else the confirm step."""
    text = text_of(update)
    count = parse_count(text)
    if count is None:
        await reply(update, context.t("common-not-a-number", text=text[:32], example="100"))
        return
    if (problem := coupons.check_batch_size(count)) is not None:
        await reply(update, context.t("marketing-coupons-bad-count", max=problem.maximum))
        return
    reward_id = int(flows.awaited(context)["reward_id"])
    await _ask(update, context, reward_id, count, EXPIRY_DAYS[1])


async def _ask(
    update: Update, context: JifenContext, reward_id: int, count: int, days: int
) -> None:
    """The confirm step, with the expiry choices under it (the chosen one ticked)."""
    row = await rewards.get(reward_id)
    if row is None or row.archived:
        flows.stop(context)
        await reply(update, context.t("marketing-reward-unknown"))
        return
    name = html.escape(localized(row.names, context.lang))
    valid_until = coupons.expiry_after(days, context.settings.scheduler.timezone)
    until = _until(context, valid_until, await coupons.stated_voucher_days(reward_id))
    ask = context.t("marketing-coupons-confirm", count=count, reward=name, until=until)
    choices = [
        (
            ("✓ " if d == days else "") + context.t("marketing-coupons-expiry", days=d),
            "mkq-exp",
            (reward_id, count, d),
        )
        for d in EXPIRY_DAYS
    ]
    stated = valid_until.isoformat() if valid_until else None
    payload = {"reward_id": reward_id, "count": count, "days": days, "valid_until": stated}
    edit = update.callback_query is not None
    await flows.ask_confirm(update, context, KIND, payload, ask, extra=[choices], edit=edit)


async def expiry_chosen(update: Update, context: JifenContext, data: CallbackData) -> None:
    """An expiry button under the confirm step: the same step again with that expiry."""
    reward_id, count, days = (data.int_arg(i) for i in range(3))
    if reward_id is None or count is None or days not in EXPIRY_DAYS:
        await reply(update, context.t("common-button-expired"))
        return
    await _ask(update, context, reward_id, count, days)


async def confirmed(update: Update, context: JifenContext, action: PendingAction) -> Outcome:
    """Generate the confirmed batch, ending when its summary said (computed then, so a
    Confirm pressed after midnight keeps the date shown), and send its CSV and QR sheet."""
    stated = action.payload.get("valid_until")
    result = await coupons.generate_batch(
        int(action.payload["reward_id"]),
        int(action.payload["count"]),
        actor_telegram_id=action.actor_telegram_id,
        valid_until=datetime.fromisoformat(stated) if stated else None,
    )
    if isinstance(result, InvalidBatchSize):
        return Outcome(context.t("marketing-coupons-bad-count", max=result.maximum))
    if isinstance(result, RewardUnavailable):
        return Outcome(context.t("marketing-reward-unknown"))
    assert isinstance(result, BatchCreated)
    stats = await coupons.batch_stats(result.batch_id)
    assert stats is not None
    await _send_batch(update, context, result, stats)
    return Outcome(await _stats_line(context, stats))


async def _send_batch(
    update: Update, context: JifenContext, batch: BatchCreated, stats: BatchStats
) -> None:
    """The CSV (every coupon) and the printable sheet (the first SHEET_CAP), the sheet in
    the marketer's language with the batch's expiry on it."""
    chat = update.effective_chat
    assert chat is not None
    prefix = deep_link(context, "c", "")[: -len("c-")]
    csv_bytes = await coupons.export_csv(batch.batch_id, prefix)
    await chat.send_document(
        csv_bytes,
        filename=f"coupons-{batch.batch_id}.csv",
        caption=context.t("marketing-coupons-csv", id=batch.batch_id, size=batch.size),
    )
    reward = await rewards.get(batch.reward_id)
    title = context.t(
        "marketing-coupons-sheet-title",
        id=batch.batch_id,
        reward=localized(reward.names, context.lang) if reward else "",
        until=_until(context, stats.valid_until, stats.voucher_days),
    )
    note = _note(context, stats.valid_until, stats.voucher_days)
    first = await coupons.coupons_of(batch.batch_id, limit=coupons.SHEET_CAP)
    items = [(f"{prefix}c-{c.token}", c.code) for c in first]
    ext, sheet = await asyncio.to_thread(coupons.render_sheet, items, title, note)
    await chat.send_document(
        sheet,
        filename=f"coupons-{batch.batch_id}.{ext}",
        caption=context.t(
            "marketing-coupons-sheet",
            shown=len(items),
            size=batch.size,
            cap=coupons.SHEET_CAP,
        ),
    )


# ---- claiming (members) ----


async def claim_command(update: Update, context: JifenContext) -> None:
    code = " ".join(context.args or []).strip()
    if not code:
        await reply(update, context.t("marketing-claim-usage"))
        return
    await _claim(update, context, code)


async def claim_link(update: Update, context: JifenContext, token: str) -> None:
    await _claim(update, context, token)


async def _claim(update: Update, context: JifenContext, ref: str) -> None:
    member = context.member
    if member is None:
        return
    result = await coupons.claim(member.id, ref)
    t = context.t
    if isinstance(result, CouponClaimed) and result.replayed:
        text = t("marketing-claim-taken", mine="yes")
    elif isinstance(result, CouponClaimed):
        reward = await rewards.get(result.reward_id)
        text = t(
            "marketing-claim-done",
            reward=html.escape(localized(reward.names, context.lang) if reward else ""),
            code=result.voucher_code,
            until=local(context, result.valid_until),
        )
    elif isinstance(result, CouponTaken):
        text = t("marketing-claim-taken", mine="yes" if result.mine else "no")
    elif isinstance(result, CouponExpired):
        text = t("marketing-claim-expired", on=local(context, result.on))
    elif isinstance(result, OnePerMember):
        text = t("marketing-claim-one-per-member")
    elif isinstance(result, RewardUnavailable | UnknownMember):
        text = t("marketing-claim-unavailable")
    else:
        assert isinstance(result, UnknownCoupon)
        text = t("marketing-claim-unknown")
    await reply(update, text, parse_mode=HTML)


BUTTONS = {"mkq-pick": pick, "mkq-exp": expiry_chosen}
INPUTS = {"mkq-count": count_typed}
