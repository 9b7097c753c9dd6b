"""QR codes as Telegram deep links (DESIGN.md "Scanning is the phone's own camera").

Every QR encodes ``https://t.me/<bot>?start=<kind>-<token>``; opening it sends
``/start <kind>-<token>`` from whoever scanned it, and the bot decides by their role.
"""

from __future__ import annotations

import asyncio
import io

import qrcode
from qrcode.constants import ERROR_CORRECT_M

from handlers.context import JifenContext


def deep_link(context: JifenContext, kind: str, token: str) -> str:
    """The t.me link for a payload kind (``m``, ``v``, ``s``, ``r``, ``c``) and token."""
    username = context.bot_data.get("bot_username") or context.bot.username
    return f"https://t.me/{username}?start={kind}-{token}"


def _render(data: str) -> bytes:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=10, border=4)
    code.add_data(data)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return buffer.getvalue()


async def qr_png(data: str) -> bytes:
    """A PNG of ``data`` as a QR code, rendered off the event loop."""
    return await asyncio.to_thread(_render, data)
