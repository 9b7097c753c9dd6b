"""``/campaign`` → Campaigns: the current and upcoming campaigns with their conditions,
and what a marketer may do to one: pause, resume, end, or edit (name, window, amount,
filters) through the wizard's own summary and a pending action (``mk-campaign`` with the
campaign's id, see :func:`handlers.marketing.campaigns.confirmed`).
"""

from __future__ import annotations

from typing import Any

from telegram import Update

from handlers import flows
from handlers.callbacks import CallbackData
from handlers.context import JifenContext
from handlers.marketing import campaign_summary as summary
from handlers.marketing.common import HTML, answer, keyboard
from handlers.registry import reply
from models.marketing import audiences, campaigns
from models.marketing.campaigns import CampaignChanged, UnknownCampaign
from models.store.tables import CampaignStatus


async def list_pressed(update: Update, context: JifenContext, _: CallbackData) -> None:
    await answer(update)
    await show_list(update, context)


async def show_list(update: Update, context: JifenContext) -> None:
    """Each current or upcoming campaign with its conditions and its buttons (sent, never
    answering a press)."""
    rows = await campaigns.list_campaigns(limit=10)
    chat = update.effective_chat
    assert chat is not None
    if not rows:
        await chat.send_message(context.t("marketing-campaign-none"))
        return
    levels = await summary.tier_levels()
    lines = [
        context.t(
            "marketing-campaign-line",
            id=r.id,
            status=str(r.status),
            summary=summary.describe(context, r, levels)
            + "\n"
            + summary.audience_line(context, r.audience, audiences.size_of(r), levels),
        )
        for r in rows
    ]
    buttons = []
    for r in rows:
        toggle = (
            (context.t("marketing-campaign-pause", id=r.id), "mkc-pause", (r.id,))
            if r.status == CampaignStatus.ACTIVE
            else (context.t("marketing-campaign-resume", id=r.id), "mkc-resume", (r.id,))
        )
        buttons.append(
            [
                toggle,
                (context.t("marketing-campaign-edit", id=r.id), "mkc-edit", (r.id,)),
                (context.t("marketing-campaign-end", id=r.id), "mkc-end", (r.id,)),
            ]
        )
    await chat.send_message(
        "\n\n".join(lines),
        reply_markup=keyboard(context, update, *buttons),
        parse_mode=HTML,
    )


async def edit(update: Update, context: JifenContext, data: CallbackData) -> None:
    """Edit: the campaign as a draft in the wizard's summary; Confirm saves the changes."""
    campaign_id = data.int_arg(0)
    row = await campaigns.get(campaign_id) if campaign_id is not None else None
    if row is None or row.status == CampaignStatus.ENDED:
        await reply(update, context.t("marketing-campaign-unknown", id=campaign_id or 0))
        return
    flows.start_draft(
        context,
        summary.DRAFT,
        {
            "edit_id": row.id,
            "names": dict(row.names),
            "kind": str(row.kind),
            "multiplier": str(row.multiplier),
            "bonus": row.bonus_points,
            "starts": row.starts_at.isoformat(),
            "ends": row.ends_at.isoformat(),
            "weekdays": list(row.weekdays),
            "hours": list(row.hours),
            "categories": list(row.categories),
            "skus": list(row.skus),
            "tiers": list(row.tiers),
            "announce": row.announce,
            "audience": audiences.rule_of(row.audience),
            "audience_size": audiences.size_of(row) or 0,
        },
    )
    await summary.show(update, context)


async def _change(update: Update, context: JifenContext, data: CallbackData, op: Any) -> None:
    campaign_id = data.int_arg(0)
    user = update.effective_user
    if campaign_id is None or user is None:
        await reply(update, context.t("common-button-expired"))
        return
    result = await op(campaign_id, actor_telegram_id=user.id)
    if isinstance(result, CampaignChanged):
        text = context.t("marketing-campaign-changed", id=campaign_id, status=str(result.status))
    elif isinstance(result, UnknownCampaign):
        text = context.t("marketing-campaign-unknown", id=campaign_id)
    else:
        text = context.t(
            "marketing-campaign-unchangeable", id=campaign_id, status=str(result.status)
        )
    await reply(update, text)
    await show_list(update, context)


async def pause(update: Update, context: JifenContext, data: CallbackData) -> None:
    await _change(update, context, data, campaigns.pause)


async def resume(update: Update, context: JifenContext, data: CallbackData) -> None:
    await _change(update, context, data, campaigns.resume)


async def end(update: Update, context: JifenContext, data: CallbackData) -> None:
    await _change(update, context, data, campaigns.end)


BUTTONS = {
    "mkc-list": list_pressed,
    "mkc-pause": pause,
    "mkc-resume": resume,
    "mkc-end": end,
    "mkc-edit": edit,
}
