"""Callback queries: a user presses an inline button, the bot answers the query once."""

from __future__ import annotations

import time

from bot.emulator import rules
from bot.emulator.core import EmulatorState, api_method
from bot.emulator.protocol import Params
from bot.emulator.state import (
    CallbackRecord,
    ChatMessage,
)


class CallbacksMixin(EmulatorState):
    """Inline button presses (callback queries) and answerCallbackQuery."""

    def user_callback(
        self, user_id: int, message: ChatMessage, data: str
    ) -> tuple[CallbackRecord, int]:
        """The user presses an inline button carrying `data` on `message`."""
        chat = self._chat(user_id)
        record = CallbackRecord(
            str(next(self._query_counter) + 4_000_000_000_000_000), user_id, message, data
        )
        self.callbacks[record.id] = record
        query = {
            "id": record.id,
            "from": chat.user.to_api(),
            "message": message.to_api(),
            "chat_instance": str(-(user_id * 7919 % 10**12)),
            "data": data,
        }
        return record, self.inject_update({"callback_query": query})

    @api_method("answerCallbackQuery")
    async def _answer_callback_query(self, p: Params) -> bool:
        record = self.callbacks.get(p.get_str("callback_query_id") or "")
        if record is None or record.answered:
            raise rules.QUERY_INVALID.error()
        if time.monotonic() - record.pressed_at > self.callback_answer_window:
            raise rules.QUERY_INVALID.error()
        text = p.get_str("text")
        if text is not None and len(text) > 200:
            raise rules.ANSWER_TOO_LONG.error()
        record.answered, record.text = True, text or None
        record.show_alert, record.url = p.get_bool("show_alert"), p.get_str("url")
        self._publish(
            lambda: {
                "type": "callback_answer",
                "chat_id": record.user_id,
                "message": record.message.to_page(),
                "text": record.text,
                "show_alert": record.show_alert,
                "url": record.url,
            }
        )
        return True
