"""Compact, signed callback data: ``action|arg|arg|sig``, never trusted.

Telegram lets a client send any callback data it likes, so every button carries a short
HMAC (bound to the user it was shown to) and handlers re-check everything server-side.
A tampered, foreign or stale button decodes to ``None`` and gets a polite answer.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass

MAX_BYTES = 64
_SIG_CHARS = 8
_SAFE = re.compile(r"^[A-Za-z0-9_.:\-]*$")


@dataclass(frozen=True, slots=True)
class CallbackData:
    action: str
    args: tuple[str, ...]

    def int_arg(self, index: int) -> int | None:
        """The argument as a non-negative int, or None if absent or malformed."""
        try:
            value = self.args[index]
        except IndexError:
            return None
        return int(value) if value.isdigit() and len(value) < 19 else None


class CallbackCodec:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _sign(self, user_id: int, payload: str) -> str:
        mac = hmac.new(self._secret, f"{user_id}|{payload}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac[:6]).decode()

    def encode(self, user_id: int, action: str, *args: object) -> str:
        """Callback data for a button shown to ``user_id``; raises if it would not fit."""
        parts = [action, *(str(a) for a in args)]
        if not all(_SAFE.match(p) for p in parts):
            raise ValueError(f"unsafe callback part in {parts!r}")
        payload = "|".join(parts)
        data = f"{payload}|{self._sign(user_id, payload)}"
        if len(data.encode()) > MAX_BYTES:
            raise ValueError(f"callback data too long: {data!r}")
        return data

    def decode(self, user_id: int, data: str | None) -> CallbackData | None:
        """The action and arguments, or None when the data is malformed or not ours."""
        if not data or len(data.encode()) > MAX_BYTES:
            return None
        payload, _, sig = data.rpartition("|")
        if len(sig) != _SIG_CHARS or not payload:
            return None
        if not hmac.compare_digest(sig, self._sign(user_id, payload)):
            return None
        action, *args = payload.split("|")
        return CallbackData(action, tuple(args))
