"""The member's bot: joining, balance, history, card, rewards, vouchers, profile, privacy.

Callback actions (all ``m…``): ``mk`` consent, ``ml`` language, ``mh`` history page,
``mc``/``mcy`` card regeneration, ``mr`` catalogue page, ``mrd`` details, ``mrr`` redeem,
``mp*`` profile, ``mx*`` privacy, ``mj`` staff joining as a member; their confirm steps
(card regeneration, redeem, account deletion) are pending actions declared in ``confirms``.
"""

from __future__ import annotations

from handlers.member import (
    balance,
    card,
    history,
    joining,
    onboarding,
    privacy,
    profile,
    rewards,
    vouchers,
)
from handlers.member.joining import members_only as joined
from handlers.member.keyboards import MENU
from handlers.registry import Button, Callback, Command, Confirm, Feature, Input


def _members(name: str, callback: Callback, description: str, *, in_menu: bool = True) -> Command:
    """A member's command: for staff only once they joined, in the menu and when sent."""
    return Command(name, joined(callback), description, in_menu=in_menu, members_only=True)


FEATURE = Feature(
    name="member",
    commands=(
        _members("balance", balance.balance, "member-cmd-balance"),
        _members("card", card.show, "member-cmd-card"),
        _members("rewards", rewards.show, "member-cmd-rewards"),
        _members("vouchers", vouchers.show, "member-cmd-vouchers"),
        _members("history", history.show, "member-cmd-history"),
        _members("profile", profile.show, "member-cmd-profile"),
        Command("language", onboarding.language, "member-cmd-language"),
        _members("privacy", privacy.show, "member-cmd-privacy"),
        _members("stopoffers", profile.stop_offers, "member-cmd-stopoffers", in_menu=False),
    ),
    buttons={
        "mk": Button(onboarding.on_consent),
        "ml": Button(onboarding.on_language),
        joining.JOIN: Button(joining.on_join),
        "mh": Button(joined(history.on_page)),
        "mc": Button(joined(card.on_regenerate)),
        "mr": Button(joined(rewards.on_page)),
        "mrd": Button(joined(rewards.on_details)),
        "mrr": Button(joined(rewards.on_redeem)),
        "mpn": Button(joined(profile.on_toggle)),
        "mpm": Button(joined(profile.on_toggle)),
        "mpb": Button(joined(profile.on_birthday)),
        "mpl": Button(joined(profile.on_language)),
        "mxe": Button(joined(privacy.on_export)),
        "mxd": Button(joined(privacy.on_delete)),
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
    on_start=joining.start,
    strays=(onboarding.stray,),
)
