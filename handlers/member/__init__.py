"""The member's bot: joining, balance, history, card, rewards, vouchers, profile, privacy.

Callback actions (all ``m…``): ``mk`` consent, ``ml`` language, ``mh`` history page,
``mc``/``mcy`` card regeneration, ``mr`` catalogue page, ``mrd`` details, ``mrr`` redeem,
``mp*`` profile, ``mx*`` privacy; their confirm steps (card regeneration, redeem,
account deletion) are pending actions declared in ``confirms``.
"""

from __future__ import annotations

from handlers.member import (
    balance,
    card,
    history,
    onboarding,
    privacy,
    profile,
    rewards,
    vouchers,
)
from handlers.member.keyboards import MENU
from handlers.registry import Button, Command, Confirm, Feature, Input

FEATURE = Feature(
    name="member",
    commands=(
        Command("balance", balance.balance, "member-cmd-balance"),
        Command("card", card.show, "member-cmd-card"),
        Command("rewards", rewards.show, "member-cmd-rewards"),
        Command("vouchers", vouchers.show, "member-cmd-vouchers"),
        Command("history", history.show, "member-cmd-history"),
        Command("profile", profile.show, "member-cmd-profile"),
        Command("language", onboarding.language, "member-cmd-language"),
        Command("privacy", privacy.show, "member-cmd-privacy"),
    ),
    buttons={
        "mk": Button(onboarding.on_consent),
        "ml": Button(onboarding.on_language),
        "mh": Button(history.on_page),
        "mc": Button(card.on_regenerate),
        "mr": Button(rewards.on_page),
        "mrd": Button(rewards.on_details),
        "mrr": Button(rewards.on_redeem),
        "mpn": Button(profile.on_toggle),
        "mpm": Button(profile.on_toggle),
        "mpb": Button(profile.on_birthday),
        "mpl": Button(profile.on_language),
        "mxe": Button(privacy.on_export),
        "mxd": Button(privacy.on_delete),
    },
    confirms={
        card.KIND: Confirm(card.regenerated),
        rewards.KIND: Confirm(rewards.confirmed),
        privacy.KIND: Confirm(privacy.deleted),
    },
    inputs={
        onboarding.CONTACT_STATE: Input(onboarding.on_contact),
        profile.BIRTHDAY_STATE: Input(profile.on_birthday_text),
    },
    menu_buttons=MENU,
    on_start=onboarding.start,
)
