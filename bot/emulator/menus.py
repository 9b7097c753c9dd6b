"""The bot's profile as users see it: getMe, command menus per scope and language, the menu
button, descriptions and chat actions."""

from __future__ import annotations

import re
from typing import Any

from bot.emulator import rules
from bot.emulator.core import EmulatorState, Handler, api_method
from bot.emulator.protocol import Params
from bot.emulator.state import (
    Chat,
)

_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_SCOPES_WITHOUT_CHAT = frozenset(
    {"default", "all_private_chats", "all_group_chats", "all_chat_administrators"}
)
BOT_TEXTS = {  # method suffix → (result field, max length)
    "Description": ("description", 512),
    "ShortDescription": ("short_description", 120),
    "Name": ("name", 64),
}


class MenusMixin(EmulatorState):
    """getMe, logOut, close, command menus, menu buttons, bot texts and chat actions."""

    def commands_for(self, user_id: int, language_code: str | None = None) -> list[dict[str, str]]:
        """The command menu Telegram shows this user in their private chat, resolved in
        Telegram's order: chat+language, chat, all_private_chats+language, all_private_chats,
        default+language, default. The language defaults to the user's (first two letters)."""
        language = (language_code or self._chat(user_id).user.language_code or "")[:2].lower()
        for scope in (("chat", user_id), ("all_private_chats",), ("default",)):
            for lang in (language, ""):
                found = self.commands.get((scope, lang))
                if found:
                    return found
        return []

    def _scope_key(self, p: Params) -> tuple[Any, ...]:
        scope = p.get_json("scope") or {"type": "default"}
        kind = scope.get("type") if isinstance(scope, dict) else None
        if kind in _SCOPES_WITHOUT_CHAT:
            return (kind,)
        if kind in ("chat", "chat_administrators", "chat_member"):
            chat_id = scope.get("chat_id")
            if not isinstance(chat_id, int) or chat_id not in self.chats:
                raise rules.CHAT_NOT_FOUND.error()
            if kind == "chat_member":
                return (kind, chat_id, scope.get("user_id"))
            return (kind, chat_id)
        raise rules.SCOPE_UNSUPPORTED.error()

    @staticmethod
    def _language(p: Params) -> str:
        language = p.get_str("language_code") or ""
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise rules.LANGUAGE_INVALID.error()
        return language

    def _bot_text_setter(self, result_field: str, limit: int) -> Handler:
        async def set_text(p: Params) -> bool:
            value = p.get_str(result_field) or ""
            if len(value) > limit:
                raise rules.BOT_TEXT_TOO_LONG.error(field=result_field)
            key = (result_field, self._language(p))
            if value:
                self.bot_texts[key] = value
            else:
                self.bot_texts.pop(key, None)
            return True

        return set_text

    def _bot_text_getter(self, result_field: str) -> Handler:
        async def get_text(p: Params) -> dict[str, str]:
            language = self._language(p)
            value = self.bot_texts.get(
                (result_field, language), self.bot_texts.get((result_field, ""), "")
            )
            return {result_field: value}

        return get_text

    @api_method("getMe")
    async def _get_me(self, p: Params) -> dict[str, Any]:
        return {
            **self.bot_user,
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    @api_method("logOut")
    async def _log_out(self, p: Params) -> bool:
        return True

    @api_method("close")
    async def _close(self, p: Params) -> bool:
        return True

    @api_method("setMyCommands")
    async def _set_my_commands(self, p: Params) -> bool:
        commands = p.get_json("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise rules.COMMANDS_INVALID.error()
        checked: list[dict[str, str]] = []
        for command in commands:
            name = command.get("command", "") if isinstance(command, dict) else ""
            description = command.get("description", "") if isinstance(command, dict) else ""
            if not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise rules.COMMAND_INVALID.error()
            if not 1 <= len(description) <= 256:
                raise rules.COMMAND_DESCRIPTION_INVALID.error()
            checked.append({"command": name, "description": description})
        key = (self._scope_key(p), self._language(p))
        if checked:
            self.commands[key] = checked
        else:
            self.commands.pop(key, None)
        return True

    @api_method("getMyCommands")
    async def _get_my_commands(self, p: Params) -> list[dict[str, str]]:
        return self.commands.get((self._scope_key(p), self._language(p)), [])

    @api_method("deleteMyCommands")
    async def _delete_my_commands(self, p: Params) -> bool:
        self.commands.pop((self._scope_key(p), self._language(p)), None)
        return True

    def _menu_chat(self, p: Params) -> Chat | None:
        if "chat_id" not in p:
            return None
        chat = self.chats.get(p.require_int("chat_id"))
        if chat is None:
            raise rules.CHAT_NOT_FOUND.error()
        return chat

    @api_method("setChatMenuButton")
    async def _set_chat_menu_button(self, p: Params) -> bool:
        button = p.get_json("menu_button")
        if button is not None and not (isinstance(button, dict) and button.get("type")):
            raise rules.MENU_BUTTON_INVALID.error()
        chat = self._menu_chat(p)
        if chat is None:
            self.default_menu_button = button
        else:
            chat.menu_button = button
        return True

    @api_method("getChatMenuButton")
    async def _get_chat_menu_button(self, p: Params) -> dict[str, Any]:
        chat = self._menu_chat(p)
        button = chat.menu_button if chat is not None else None
        return button or self.default_menu_button or {"type": "default"}

    @api_method("sendChatAction")
    async def _send_chat_action(self, p: Params) -> bool:
        chat = self._target_chat(p)
        action = p.get_str("action") or ""
        if action not in _CHAT_ACTIONS:
            raise rules.ACTION_INVALID.error()
        chat.last_action = action
        self._publish(lambda: {"type": "chat_action", "chat_id": chat.user.id, "action": action})
        return True
