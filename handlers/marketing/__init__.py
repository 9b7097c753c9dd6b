"""The marketer's desk: campaigns, the rewards catalogue, coupon batches; and the member
side of coupons (``/claim``, ``c-`` links) and referrals (``/invite``, ``r-`` links)."""

from __future__ import annotations

from handlers.marketing import (
    audience,
    campaign_filters,
    campaign_list,
    campaigns,
    coupons,
    referrals,
    rewards,
    stampcards,
)
from handlers.registry import Button, Command, Confirm, Feature, Input
from models.store.tables import Role

_M = Role.MARKETER


FEATURE = Feature(
    name="marketing",
    commands=(
        Command("campaign", campaigns.campaign_command, "marketing-cmd-campaign", role=_M),
        Command("reward", rewards.reward_command, "marketing-cmd-reward", role=_M),
        Command("coupons", coupons.coupons_command, "marketing-cmd-coupons", role=_M),
        Command("stampcards", stampcards.stampcards_command, "marketing-cmd-stampcards", role=_M),
        Command("claim", coupons.claim_command, "marketing-cmd-claim"),
        Command("invite", referrals.invite_command, "marketing-cmd-invite"),
    ),
    buttons={
        action: Button(callback, _M)
        for table in (
            campaigns.BUTTONS,
            campaign_list.BUTTONS,
            campaign_filters.BUTTONS,
            audience.BUTTONS,
            rewards.BUTTONS,
            coupons.BUTTONS,
            stampcards.BUTTONS,
        )
        for action, callback in table.items()
    },
    deep_links={"c": coupons.claim_link, "r": referrals.open_invite},
    inputs={
        state: Input(callback, _M)
        for table in (
            campaigns.INPUTS,
            campaign_filters.INPUTS,
            audience.INPUTS,
            rewards.INPUTS,
            coupons.INPUTS,
            stampcards.INPUTS,
        )
        for state, callback in table.items()
    },
    confirms={  # creating a campaign, reward or batch has no key: never retried
        module.KIND: Confirm(module.confirmed, _M, idempotent=False)
        for module in (campaigns, rewards, coupons, stampcards)
    },
)
