"""Random identifiers people scan or type: tokens, voucher codes, member and receipt codes.

Tokens (QR payloads) carry 128 random bits in URL-safe base64 (``A-Za-z0-9_-``), so they
cannot be guessed. Codes are for typing and reading aloud: an alphabet without look-alikes
(no 0/O, 1/I/L, U/V), grouped ``K7QM-4PXD``.
Codes are unique by table constraint; callers retry on the rare collision.
"""

from __future__ import annotations

import base64
import re
import secrets
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlparse

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
"""30 symbols: digits without 0/1, letters without I, L, O, U."""
TOKEN_BYTES = 16
TOKEN_MAX_LENGTH = 32
"""The width of every token column (card, voucher, coupon, invite): longer is not a token."""
_TOKEN_RE = re.compile(rf"^[A-Za-z0-9_-]{{16,{TOKEN_MAX_LENGTH}}}$")
DEEP_LINK = re.compile(r"^([a-z])-([A-Za-z0-9_-]{1,62})$")
"""``/start <kind>-<token>``: m- card, v- voucher, s- staff invite, r- referral, c- coupon."""


def token() -> str:
    """An unguessable URL-safe token: 128 bits, 22 characters of ``A-Za-z0-9_-``."""
    return secrets.token_urlsafe(TOKEN_BYTES)


_UNBIASED = 256 // len(CODE_ALPHABET) * len(CODE_ALPHABET)
"""Random bytes below this map evenly onto the alphabet (the rest are drawn again)."""


def _symbols(n: int) -> str:
    """``n`` uniformly random symbols: one system call for all, not one per symbol (a
    100,000-member import makes 1.6 million)."""
    picked: list[str] = []
    while len(picked) < n:
        picked += [
            CODE_ALPHABET[b % len(CODE_ALPHABET)]
            for b in secrets.token_bytes(n + 4)
            if b < _UNBIASED
        ]
    return "".join(picked[:n])


def human_code(groups: int = 2, size: int = 4) -> str:
    """A short code to type, e.g. ``K7QM-4PXD`` (8 symbols ≈ 39 bits)."""
    raw = _symbols(groups * size)
    return "-".join(raw[i : i + size] for i in range(0, groups * size, size))


_REJECT = "!"
_SYMBOL_OF_BYTE = bytes.maketrans(
    bytes(range(256)),
    bytes(ord(CODE_ALPHABET[b % len(CODE_ALPHABET)] if b < 240 else _REJECT) for b in range(256)),
)
"""Random byte → code symbol: the 240 bytes below 8 × 30 map to each symbol 8 times (no
bias); the other 16 are rejected."""


def human_codes(n: int, groups: int = 2, size: int = 4) -> list[str]:
    """``n`` codes like :func:`human_code`, fast enough for a batch of 100,000: random
    bytes mapped to symbols by ``bytes.translate`` (C speed), rejects dropped."""
    digits = groups * size
    symbols = ""
    while len(symbols) < n * digits:
        raw = secrets.token_bytes((n * digits - len(symbols)) * 17 // 15 + 16)
        symbols += raw.translate(_SYMBOL_OF_BYTE).decode().replace(_REJECT, "")
    return [
        "-".join(symbols[i + g * size : i + (g + 1) * size] for g in range(groups))
        for i in range(0, n * digits, digits)
    ]


def tokens(n: int) -> list[str]:
    """``n`` tokens like :func:`token` (144 bits, 24 characters) from one random read."""
    text = base64.urlsafe_b64encode(secrets.token_bytes(18 * n)).decode()
    return [text[i : i + 24] for i in range(0, 24 * n, 24)]


def member_code() -> str:
    """A member's human code, e.g. ``M-7QM4PX`` (printed on the card)."""
    return "M-" + _symbols(6)


def receipt_code() -> str:
    """A purchase's human receipt code, e.g. ``R-K7QM-4PXD``."""
    return "R-" + human_code()


def normalize_code(text: str, *, groups: int = 2, size: int = 4) -> str | None:
    """What a person typed → the stored code form, or ``None`` if it cannot be one.

    Accepts lower case, spaces and missing or extra dashes; look-alikes outside the
    alphabet (O, I, L, U, 0, 1) are refused rather than guessed.
    """
    raw = re.sub(r"[\s\-_]", "", text.upper())
    if len(raw) != groups * size or any(ch not in CODE_ALPHABET for ch in raw):
        return None
    return "-".join(raw[i * size : (i + 1) * size] for i in range(groups))


def looks_like_token(text: str) -> bool:
    """Whether ``text`` could be a token (so lookups try the token column first)."""
    return bool(_TOKEN_RE.match(text))


Row = TypeVar("Row")


async def find_by_reference(table: type[Row], text: str, kind: str) -> Row | None:
    """A row of ``table`` (Voucher, Coupon: unique ``token`` and ``code``) by what a person
    scanned or typed.

    ``text`` is a QR token (with or without its ``<kind>-`` prefix) or a human code in any
    case and spacing; anything else finds nothing.
    """
    text = text.strip()
    if text.startswith(f"{kind}-"):
        text = text[len(kind) + 1 :]
    rows: Any = table
    code = normalize_code(text)
    if code is not None:
        found = await rows.get_or_none(code=code)
        if found is not None:
            return found
    if looks_like_token(text):
        return await rows.get_or_none(token=text)
    return None


def link_payload(text: str, bot_username: str | None) -> str | None:
    """The ``start`` payload of a t.me link to this bot (what a QR encodes), else None."""
    url = urlparse(text.strip())
    if url.scheme not in ("https", "http", "tg") or url.netloc.lower() not in (
        "t.me",
        "telegram.me",
    ):
        return None
    if not bot_username or url.path.strip("/").lower() != bot_username.lower():
        return None
    payload = (parse_qs(url.query).get("start") or [""])[0]
    return payload if DEEP_LINK.match(payload) else None
