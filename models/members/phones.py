"""Phone numbers as one canonical text: E.164 (``+8613800138000``).

Telegram shares a contact's number in international form; imports and web shops send
whatever their forms allowed (spaces, dashes, a leading trunk ``0``, no country code).
Google's libphonenumber (``phonenumbers``) knows every country's numbering plan, so a
local number is read with the shop's country (``members.default_country``) and a number
that cannot exist is refused instead of stored. Matching a member by phone compares
these canonical texts exactly.
"""

from __future__ import annotations

import phonenumbers

MAX_LENGTH = 32


def normalize(text: str, default_country: str) -> str | None:
    """``text`` as E.164, or ``None`` when it is not a valid phone number."""
    text = text.strip()
    if not text or len(text) > MAX_LENGTH:
        return None
    if text.startswith("00"):  # international prefix typed out
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, default_country)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def from_contact(text: str) -> str:
    """A number Telegram shared (always international, ``+`` optional) as ``+digits``."""
    return f"+{''.join(ch for ch in text if ch.isdigit())}"[:MAX_LENGTH]
