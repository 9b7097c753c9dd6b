"""A Telegram Bot API emulator on loopback HTTP, and players that talk to the bot through it.

The real python-telegram-bot Application runs unchanged against it (tests, benchmarks, the
sandbox mode); `rules` holds every refusal Telegram answers (and the repairs it makes
silently); see `server` for quiescence and the mixins it is made of (`messages`, `files`,
`callbacks`, `updates`, `menus`, `faults`, `people`, `settle`, on the state declared in `core`)
for the emulated behaviour, `players` for the conversation API.

    async with BotApiEmulator() as emu:
        app = emu.application_builder().concurrent_updates(emu.update_processor()).build()
        ...add handlers...
        async with emu.polling(app):
            alice = emu.player(1001, "Alice", language_code="zh-hans")
            await alice.send("/start")

Live events for the web chat page (`emu.subscribe()` → asyncio.Queue of dicts, one per change,
in order; each also carries "time", a Unix timestamp):

    {"type": "message", "chat_id": 1001, "message": {...}}   # new message, either direction
    {"type": "edit", "chat_id": 1001, "message": {...}}      # its state after the edit
    {"type": "delete", "chat_id": 1001, "message": {...}}    # "deleted": true
    {"type": "callback_answer", "chat_id": 1001, "message": {...},   # the pressed message
     "text": "Saved" | None, "show_alert": false, "url": None}
    {"type": "chat_action", "chat_id": 1001, "action": "typing"}
    {"type": "user", "chat_id": 1001, "user": {...Bot API User...}}

where "message" is `ChatMessage.to_page()`:

    {"chat_id", "message_id", "date", "from": "bot" | "user", "sender_name",
     "text" (plain, as read), "html" (escaped, formatting rebuilt from entities; safe as
     innerHTML), "caption", "caption_html",
     "photo": {"file_id", "url", "width", "height"} | None,
     "document": {"file_id", "file_name", "mime_type", "size", "url"} | None,
     "contact": {...} | None,
     "inline_keyboard": [[{"text", "callback_data" | "url"}]] | None,
     "reply_keyboard": {"rows": [[{"text", "request_contact"}]], "one_time", "placeholder"}
                       | None,
     "remove_keyboard": bool, "reply_to": message_id | None,
     "media_group_id": str | None (an album's photos share it), "edited": bool, "deleted": bool}

File bytes for the page: GET /emulator/file/<file_id> (the "url" above). Initial state:
`emu.chat_snapshot(user_id)`. Extra routes go on `emu.web_app` before `start()`.
"""

from bot.emulator.players import Button, Player, PlayerError
from bot.emulator.protocol import ApiError
from bot.emulator.server import (
    DEFAULT_TOKEN,
    BotApiEmulator,
    SettleTimeout,
    SettlingUpdateProcessor,
)
from bot.emulator.state import CallbackRecord, ChatMessage, EmuUser, Stats, StoredFile

__all__ = [
    "DEFAULT_TOKEN",
    "ApiError",
    "BotApiEmulator",
    "Button",
    "CallbackRecord",
    "ChatMessage",
    "EmuUser",
    "Player",
    "PlayerError",
    "SettleTimeout",
    "SettlingUpdateProcessor",
    "Stats",
    "StoredFile",
]
