"""The marketer's desk: campaigns, the rewards catalogue, coupon batches; and the member
side of coupons (``/claim``, ``c-`` links) and referrals (``/invite``, ``r-`` links)."""

from __future__ import annotations

from telegram import Update

from handlers.context import JifenContext
from handlers.marketing import audience, campaigns, coupons, referrals, rewards
from handlers.registry import Button, Callback, Command, Feature, refuse, stop_awaiting
from models import staff
from models.tables import Role

_M = Role.MARKETER


def _marketers_only(callback: Callback) -> Callback:
    """Typed answers to a marketer's questions: refused if the role was revoked meanwhile."""

    async def guarded(update: Update, context: JifenContext) -> None:
        if not staff.may(context.role, _M):
            stop_awaiting(context)
            await refuse(update, context, _M)
            return
        await callback(update, context)

    return guarded


FEATURE = Feature(
    name="marketing",
    commands=(
        Command("campaign", campaigns.campaign_command, "marketing-cmd-campaign", role=_M),
        Command("reward", rewards.reward_command, "marketing-cmd-reward", role=_M),
        Command("coupons", coupons.coupons_command, "marketing-cmd-coupons", role=_M),
        Command("claim", coupons.claim_command, "marketing-cmd-claim"),
        Command("invite", referrals.invite_command, "marketing-cmd-invite"),
    ),
    buttons={
        action: Button(callback, _M)
        for table in (campaigns.BUTTONS, audience.BUTTONS, rewards.BUTTONS, coupons.BUTTONS)
        for action, callback in table.items()
    },
    deep_links={"c": coupons.claim_link, "r": referrals.open_invite},
    inputs={
        state: _marketers_only(callback)
        for table in (campaigns.INPUTS, audience.INPUTS, rewards.INPUTS, coupons.INPUTS)
        for state, callback in table.items()
    },
)
