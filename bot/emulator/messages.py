"""The bot's messages: sending, copying, editing and deleting them, with Telegram's checks."""

from __future__ import annotations

import time
from typing import Any

from bot.emulator import rules
from bot.emulator.core import EmulatorState, api_method
from bot.emulator.markup import formatted, normalize_reply_markup
from bot.emulator.protocol import ApiError, Params
from bot.emulator.rules import Repair
from bot.emulator.state import (
    Chat,
    ChatMessage,
)


class MessagesMixin(EmulatorState):
    """sendMessage, copyMessage, editMessage*, deleteMessage(s) and their shared checks."""

    def _target_chat(self, p: Params, key: str = "chat_id") -> Chat:
        """The chat a call addresses; 400/403 exactly where Telegram answers them."""
        raw = p.raw(key)
        if raw in (None, ""):
            raise rules.CHAT_ID_EMPTY.error()
        try:
            chat = self.chats.get(int(raw))
        except (TypeError, ValueError):
            chat = None
        if chat is None:
            raise rules.CHAT_NOT_FOUND.error()
        if chat.blocked:
            raise rules.BLOCKED.error()
        if not chat.started:
            raise rules.NOT_STARTED.error()
        return chat

    def _formatted(
        self, p: Params, key: str, *, required: bool
    ) -> tuple[str | None, list[dict[str, Any]]]:
        """Text (or caption) as Telegram stores it: HTML parsed into entities, checked."""
        entities_key = "entities" if key == "text" else "caption_entities"
        return formatted(
            p.get_str(key),
            p.get_str("parse_mode"),
            p.get_json(entities_key),
            caption=key != "text",
            required=required,
        )

    def _reply_markup(self, p: Params, *, inline_only: bool = False) -> dict[str, Any] | None:
        """The call's reply_markup as Telegram keeps it; edits take inline keyboards only."""
        try:
            raw = p.get_json("reply_markup")
        except ApiError:
            raise rules.MARKUP_NOT_JSON.error() from None
        markup = normalize_reply_markup(raw, self._repaired)
        if inline_only and markup is not None and "inline_keyboard" not in markup:
            raise rules.INLINE_KEYBOARD_EXPECTED.error()
        return markup

    def _repaired(self, repair: Repair) -> None:
        self.stats.repaired[repair.name] += 1

    def _reply_target(self, chat: Chat, p: Params) -> ChatMessage | None:
        parameters = p.get_json("reply_parameters") or {}
        message_id = parameters.get("message_id") or p.get_int("reply_to_message_id")
        if not message_id:
            return None
        target = chat.messages.get(int(message_id))
        if target is None or target.deleted:
            if parameters.get("allow_sending_without_reply") or p.get_bool(
                "allow_sending_without_reply"
            ):
                return None
            raise rules.REPLY_NOT_FOUND.error()
        return target

    def _add_message(self, chat: Chat, *, outgoing: bool, **content: Any) -> ChatMessage:
        message = ChatMessage(
            chat=chat.user,
            message_id=chat.take_message_id(),
            date=int(self.clock()),
            outgoing=outgoing,
            sender=self.bot_user if outgoing else chat.user.to_api(),
            **content,
        )
        message.seq = self._bump()
        chat.messages[message.message_id] = message
        markup = message.reply_markup or {}
        if outgoing and "keyboard" in markup:
            chat.reply_keyboard = markup
        elif outgoing and markup.get("remove_keyboard"):
            chat.reply_keyboard = None
        self._publish_message("message", message)
        return message

    def _send(self, method: str, chat: Chat, **content: Any) -> ChatMessage:
        """The bot's new message, after Telegram's flood control (if enforced)."""
        self._admit(method, chat)
        return self._add_message(chat, outgoing=True, **content)

    def _admit(self, method: str, chat: Chat) -> None:
        if self._limits is not None and method in self._limits.methods:
            retry_after = self._limits.admit(chat.user.id, time.monotonic())
            if retry_after is not None:
                raise ApiError.too_many(retry_after)

    def _own_message(self, p: Params, *, deleting: bool = False) -> tuple[Chat, ChatMessage]:
        if p.get_str("inline_message_id"):
            raise rules.INLINE_MESSAGES.error()
        chat = self._target_chat(p)
        message = chat.messages.get(p.require_int("message_id"))
        if message is None or message.deleted:
            raise (rules.DELETE_NOT_FOUND if deleting else rules.EDIT_NOT_FOUND).error()
        if not deleting and not message.outgoing:  # bots may delete incoming private messages
            raise rules.CANT_EDIT.error()
        return chat, message

    def _edit(self, message: ChatMessage, **changes: Any) -> dict[str, Any]:
        before = message.content_state()
        if all(value == before[key] for key, value in changes.items()):
            raise rules.NOT_MODIFIED.error()
        message.history.append(before)
        for key, value in changes.items():
            setattr(message, key, value)
        message.edit_date = int(self.clock())
        message.seq = self._bump()
        self._publish_message("edit", message)
        return message.to_api()

    @api_method("sendMessage")
    async def _send_message(self, p: Params) -> dict[str, Any]:
        chat = self._target_chat(p)
        text, entities = self._formatted(p, "text", required=True)
        markup = self._reply_markup(p)
        reply_to = self._reply_target(chat, p)
        return self._send(
            "sendMessage",
            chat,
            text=text,
            entities=entities,
            reply_markup=markup,
            reply_to=reply_to,
        ).to_api()

    @api_method("copyMessage")
    async def _copy_message(self, p: Params) -> dict[str, int]:
        source_chat = self.chats.get(p.require_int("from_chat_id"))
        if source_chat is None:
            raise rules.CHAT_NOT_FOUND.error()
        source = source_chat.messages.get(p.require_int("message_id"))
        if source is None or source.deleted:
            raise rules.COPY_NOT_FOUND.error()
        chat = self._target_chat(p)
        caption, caption_entities = source.caption, source.caption_entities
        if "caption" in p:
            caption, caption_entities = self._formatted(p, "caption", required=False)
        copy = self._send(
            "copyMessage",
            chat,
            text=source.text,
            entities=source.entities,
            caption=caption,
            caption_entities=caption_entities,
            photo=source.photo,
            document=source.document,
            contact=source.contact,
            reply_markup=self._reply_markup(p),
            reply_to=self._reply_target(chat, p),
        )
        return {"message_id": copy.message_id}

    @api_method("editMessageText")
    async def _edit_message_text(self, p: Params) -> dict[str, Any]:
        _, message = self._own_message(p)
        if message.text is None:
            raise rules.NO_TEXT_TO_EDIT.error()
        text, entities = self._formatted(p, "text", required=True)
        # Like Telegram: an edit without reply_markup removes the inline keyboard.
        return self._edit(
            message,
            text=text,
            entities=entities,
            reply_markup=self._reply_markup(p, inline_only=True),
        )

    @api_method("editMessageCaption")
    async def _edit_message_caption(self, p: Params) -> dict[str, Any]:
        _, message = self._own_message(p)
        if message.photo is None and message.document is None:
            raise rules.NO_CAPTION_TO_EDIT.error()
        caption, caption_entities = self._formatted(p, "caption", required=False)
        return self._edit(
            message,
            caption=caption,
            caption_entities=caption_entities,
            reply_markup=self._reply_markup(p, inline_only=True),
        )

    @api_method("editMessageReplyMarkup")
    async def _edit_message_reply_markup(self, p: Params) -> dict[str, Any]:
        _, message = self._own_message(p)
        return self._edit(message, reply_markup=self._reply_markup(p, inline_only=True))

    def _delete(self, message: ChatMessage) -> None:
        message.deleted = True
        message.seq = self._bump()
        self._publish_message("delete", message)

    @api_method("deleteMessage")
    async def _delete_message(self, p: Params) -> bool:
        _, message = self._own_message(p, deleting=True)
        self._delete(message)
        return True

    @api_method("deleteMessages")
    async def _delete_messages(self, p: Params) -> bool:
        chat = self._target_chat(p)
        for message_id in p.get_json("message_ids") or []:
            message = chat.messages.get(int(message_id))
            if message is not None and not message.deleted:
                self._delete(message)
        return True
