"""A photo of a QR code, decoded on the server (zxing-cpp), for staff without a scanner.

Only our own deep links are accepted (``https://t.me/<this bot>?start=<kind>-<token>``);
they are handled exactly as if the staff member had opened the link.
"""

from __future__ import annotations

import asyncio

from telegram import Update

from handlers.context import JifenContext
from handlers.registry import router
from handlers.till.common import say
from models.codes.qr_reading import decode
from models.codes.tokens import link_payload as payload_of

_MAX_PHOTO_BYTES = 10 * 1024 * 1024


async def on_photo(update: Update, context: JifenContext) -> None:
    """Decode the largest size of the photo and follow our link inside it."""
    message = update.effective_message
    assert message is not None and message.photo
    photo = message.photo[-1]
    if photo.file_size and photo.file_size > _MAX_PHOTO_BYTES:
        await say(update, context.t("till-photo-no-qr"))
        return
    data = bytes(await (await photo.get_file()).download_as_bytearray())
    texts = await asyncio.to_thread(decode, data)
    if not texts:
        await say(update, context.t("till-photo-no-qr"))
        return
    username = context.bot_data.get("bot_username") or context.bot.username
    payloads = [p for p in (payload_of(t, username) for t in texts) if p]
    if not payloads or not await router(context).on_deep_link(update, context, payloads[0]):
        await say(update, context.t("till-photo-not-ours"))
