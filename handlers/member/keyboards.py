"""The member's reply keyboards: the main menu and the phone-sharing key."""

from __future__ import annotations

from telegram import KeyboardButton, ReplyKeyboardMarkup

from locales import Translator

MENU: dict[str, str] = {
    "member-menu-balance": "balance",
    "member-menu-card": "card",
    "member-menu-rewards": "rewards",
    "member-menu-vouchers": "vouchers",
    "member-menu-history": "history",
    "member-menu-profile": "profile",
}
"""Reply-keyboard label key → the command it stands for (``Feature.menu_buttons``)."""

_LAYOUT = (
    ("member-menu-balance", "member-menu-card"),
    ("member-menu-rewards", "member-menu-vouchers"),
    ("member-menu-history", "member-menu-profile"),
)


def main_menu(t: Translator) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [[KeyboardButton(t(key)) for key in row] for row in _LAYOUT], resize_keyboard=True
    )


def share_phone(t: Translator) -> ReplyKeyboardMarkup:
    """Telegram's own "share my phone number" key (it can only share the person's own)."""
    return ReplyKeyboardMarkup(
        [
            [KeyboardButton(t("member-share-phone"), request_contact=True)],
            [KeyboardButton(t("member-skip-phone"))],
        ],
        resize_keyboard=True,
        one_time_keyboard=True,
    )
