"""The bot's messages: sending, copying, editing and deleting them, with Telegram's checks."""

from __future__ import annotations

import time
from typing import Any

from bot.emulator.core import EmulatorState, api_method
from bot.emulator.markup import (
    MAX_CAPTION,
    MAX_TEXT,
    normalize_reply_markup,
    parse_html,
)
from bot.emulator.protocol import ApiError, Params
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
            raise ApiError.bad_request(f"{key} is empty")
        try:
            chat = self.chats.get(int(raw))
        except (TypeError, ValueError):
            chat = None
        if chat is None:
            raise ApiError.bad_request("chat not found")
        if chat.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if not chat.started:
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        return chat

    def _formatted(
        self, p: Params, key: str, limit: int, *, required: bool
    ) -> tuple[str | None, list[dict[str, Any]]]:
        """Text (or caption) as Telegram stores it: HTML parsed into entities, checked."""
        what = "message text" if key == "text" else "message caption"
        raw = p.get_str(key)
        if not raw:
            if required:
                raise ApiError.bad_request(f"{what} is empty")
            return None, []
        mode = (p.get_str("parse_mode") or "").lower()
        if mode == "html":
            text, entities = parse_html(raw)
        else:  # Markdown is passed through unparsed: jifen renders HTML.
            entities_key = "entities" if key == "text" else "caption_entities"
            text, entities = raw, p.get_json(entities_key) or []
        if not text.strip():
            if required:
                raise ApiError.bad_request(f"{what} is empty")
            return None, []
        if len(text) > limit:
            raise ApiError.bad_request(
                "message is too long" if key == "text" else "message caption is too long"
            )
        return text, entities

    def _reply_markup(self, p: Params, *, inline_only: bool = False) -> dict[str, Any] | None:
        markup = normalize_reply_markup(p.get_json("reply_markup"))
        if inline_only and markup is not None and "inline_keyboard" not in markup:
            raise ApiError.bad_request("inline keyboard expected")
        return markup

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
            raise ApiError.bad_request("message to be replied not found")
        return target

    def _add_message(self, chat: Chat, *, outgoing: bool, **content: Any) -> ChatMessage:
        message = ChatMessage(
            chat=chat.user,
            message_id=chat.take_message_id(),
            date=int(time.time()),
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
        if self._limits is not None and method in self._limits.methods:
            retry_after = self._limits.admit(chat.user.id, time.monotonic())
            if retry_after is not None:
                raise ApiError.too_many(retry_after)
        return self._add_message(chat, outgoing=True, **content)

    def _own_message(self, p: Params, *, deleting: bool = False) -> tuple[Chat, ChatMessage]:
        action = "delete" if deleting else "edit"
        if p.get_str("inline_message_id"):
            raise ApiError.bad_request("inline messages are not supported by the emulator")
        chat = self._target_chat(p)
        message = chat.messages.get(p.require_int("message_id"))
        if message is None or message.deleted:
            raise ApiError.bad_request(f"message to {action} not found")
        if not deleting and not message.outgoing:
            raise ApiError.bad_request("message can't be edited")
        return chat, message

    def _edit(self, message: ChatMessage, **changes: Any) -> dict[str, Any]:
        before = message.content_state()
        if all(value == before[key] for key, value in changes.items()):
            raise ApiError.bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        message.history.append(before)
        for key, value in changes.items():
            setattr(message, key, value)
        message.edit_date = int(time.time())
        message.seq = self._bump()
        self._publish_message("edit", message)
        return message.to_api()

    @api_method("sendMessage")
    async def _send_message(self, p: Params) -> dict[str, Any]:
        chat = self._target_chat(p)
        text, entities = self._formatted(p, "text", MAX_TEXT, required=True)
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
            raise ApiError.bad_request("chat not found")
        source = source_chat.messages.get(p.require_int("message_id"))
        if source is None or source.deleted:
            raise ApiError.bad_request("message to copy not found")
        chat = self._target_chat(p)
        caption, caption_entities = source.caption, source.caption_entities
        if "caption" in p:
            caption, caption_entities = self._formatted(p, "caption", MAX_CAPTION, required=False)
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
            raise ApiError.bad_request("there is no text in the message to edit")
        text, entities = self._formatted(p, "text", MAX_TEXT, required=True)
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
            raise ApiError.bad_request("there is no caption in the message to edit")
        caption, caption_entities = self._formatted(p, "caption", MAX_CAPTION, required=False)
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
