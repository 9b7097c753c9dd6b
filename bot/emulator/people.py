"""The people on the other side: users and their chats, and what they do (send a message,
block the bot), which becomes updates for the bot. (Their `Player`s are made by the server.)"""

from __future__ import annotations

import asyncio
from typing import Any

from bot.emulator.core import EmulatorState
from bot.emulator.markup import command_entities
from bot.emulator.protocol import ApiError
from bot.emulator.state import (
    Chat,
    ChatMessage,
    EmuUser,
    image_size,
    reply_keyboard_page,
)


class PeopleMixin(EmulatorState):
    """Users and their chats; what users do becomes updates for the bot."""

    def add_user(
        self,
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
        *,
        started: bool = True,
    ) -> EmuUser:
        """A Telegram user; `started=False` means they never opened the bot (sends get 403)."""
        user = self.users.get(user_id)
        if user is None:
            user = self.users[user_id] = EmuUser(
                user_id, first_name, last_name, username, language_code
            )
            self.chats[user_id] = Chat(user, started=started)
            self._publish(lambda: {"type": "user", "chat_id": user_id, "user": user.to_api()})
        else:
            user.first_name, user.last_name = first_name, last_name
            user.username, user.language_code = username, language_code
        return user

    def block(self, user_id: int) -> None:
        """The user blocked the bot: every send to them answers 403."""
        self._chat(user_id).blocked = True

    def unblock(self, user_id: int) -> None:
        self._chat(user_id).blocked = False

    def get_message(self, user_id: int, message_id: int) -> ChatMessage:
        """A message of the chat with `user_id` (e.g. the one a web page user clicked on)."""
        return self._chat(user_id).messages[message_id]

    def transcript(self, user_id: int) -> list[ChatMessage]:
        """Every message of the chat, both directions, deleted ones included."""
        return list(self._chat(user_id).messages.values())

    def chat_snapshot(self, user_id: int) -> dict[str, Any]:
        """A chat as the web page first renders it; events keep it current afterwards."""
        chat = self._chat(user_id)
        return {
            "chat_id": user_id,
            "user": chat.user.to_api(),
            "blocked": chat.blocked,
            "messages": [m.to_page() for m in chat.messages.values() if not m.deleted],
            "reply_keyboard": reply_keyboard_page(chat.reply_keyboard),
            "commands": self.commands_for(user_id),
        }

    def subscribe(self, maxsize: int = 10_000) -> asyncio.Queue[dict[str, Any]]:
        """Live chat events for UIs; see the package docstring for their format."""
        return self.events.subscribe(maxsize)

    def unsubscribe(self, queue: asyncio.Queue[dict[str, Any]]) -> None:
        self.events.unsubscribe(queue)

    async def wait_for_change(self, within: float | None) -> None:
        """Returns when any chat changes (or after `within` seconds)."""
        await self._changes.wait(within)

    # ---------------------------------------------------------------- what users do

    def user_message(
        self,
        user_id: int,
        *,
        text: str | None = None,
        photo: bytes | None = None,
        document: tuple[str, bytes] | None = None,
        caption: str | None = None,
        contact: dict[str, Any] | None = None,
        reply_to: ChatMessage | None = None,
    ) -> tuple[ChatMessage, int]:
        """The user sends a message; returns it and the update id (does not wait)."""
        chat = self._chat(user_id)
        chat.started, chat.blocked = True, False
        content: dict[str, Any] = {"reply_to": reply_to, "contact": contact}
        if text is not None:
            content.update(text=text, entities=command_entities(text))
        if caption:
            content["caption"] = caption
        try:
            if photo is not None:
                width, height = image_size(photo)
                content["photo"] = self._store_file(
                    "photo", photo, "image/jpeg", width=width, height=height
                )
        except ApiError as exc:
            raise ValueError("the photo is not an image Telegram would accept") from exc
        if document is not None:
            content["document"] = self._store_file("document", document[1], None, document[0])
        message = self._add_message(chat, outgoing=False, **content)
        return message, self.inject_update({"message": message.to_api()})

    def user_blocks_bot(self, user_id: int, blocked: bool = True) -> int:
        """The user blocks (or unblocks) the bot; Telegram tells the bot with my_chat_member."""
        chat = self._chat(user_id)
        chat.blocked = blocked
        bot = dict(self.bot_user)
        old, new = (
            {"status": "member", "user": bot},
            {"status": "kicked", "user": bot, "until_date": 0},
        )
        if not blocked:
            old, new = new, old
        return self.inject_update(
            {
                "my_chat_member": {
                    "chat": chat.user.chat_api(),
                    "from": chat.user.to_api(),
                    "date": int(self.clock()),
                    "old_chat_member": old,
                    "new_chat_member": new,
                }
            }
        )

    def inject_update(self, body: dict[str, Any]) -> int:
        """Queues a raw update (without `update_id`) for the bot; returns its update_id."""
        update_id = self._next_update_id
        self._next_update_id += 1
        self._pending.append({"update_id": update_id, **body})
        self._touch()
        self._updates_signal.fire()
        return update_id
