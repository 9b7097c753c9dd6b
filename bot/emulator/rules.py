"""Telegram's refusals and repairs, in one table, so the emulator refuses what Telegram refuses
and accepts what Telegram accepts.

Every error the emulated methods answer is a `Refusal` from this module, with Telegram's exact
description. Sources: telegram-bot-api `Client.cpp` (the Bot API server; `fail_query_with_error`
turns a TDLib message "Can't …" into "Bad Request: can't …" and keeps UPPER_CASE server errors
as they are), TDLib (`ReplyMarkup.cpp`, `MessagesManager.cpp`) and the Telegram server itself
(the UPPER_CASE ones). `tests/emulator/test_rules.py` triggers every entry over HTTP.

A `Repair` is something Telegram quietly fixes instead of refusing (an empty keyboard sent as
`{}` means "no keyboard"; a button with two actions keeps the first). The emulator repairs it
the same way and counts it in `emu.stats.repaired`, so a test can insist the bot never relies
on one (a one-page list that sends `{}` works, but shows the bot built a keyboard it did not
mean to).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.emulator.protocol import ApiError

__all__ = ["REFUSALS", "REPAIRS", "Refusal", "Repair"]

REFUSALS: dict[str, Refusal] = {}
REPAIRS: dict[str, Repair] = {}


@dataclass(frozen=True)
class Refusal:
    """One error answer: HTTP code and description (`{placeholders}` filled by `error`)."""

    name: str
    code: int
    text: str

    def error(self, **values: object) -> ApiError:
        return ApiError(self.code, self.text.format(**values) if values else self.text)


@dataclass(frozen=True)
class Repair:
    """Something Telegram accepts after quietly fixing it."""

    name: str
    what: str


def _refusal(name: str, text: str, code: int = 400) -> Refusal:
    rule = REFUSALS[name] = Refusal(name, code, text)
    return rule


def _repair(name: str, what: str) -> Repair:
    rule = REPAIRS[name] = Repair(name, what)
    return rule


# ---------------------------------------------------------------- chats

CHAT_ID_EMPTY = _refusal("chat_id_empty", "Bad Request: chat_id is empty")
CHAT_NOT_FOUND = _refusal("chat_not_found", "Bad Request: chat not found")
BLOCKED = _refusal("blocked", "Forbidden: bot was blocked by the user", 403)
NOT_STARTED = _refusal("not_started", "Forbidden: bot can't initiate conversation with a user", 403)

# ---------------------------------------------------------------- text and entities
# TDLib counts characters after entity parsing: "<b>x</b>" is one character.

TEXT_EMPTY = _refusal("text_empty", "Bad Request: message text is empty")
TEXT_TOO_LONG = _refusal("text_too_long", "Bad Request: message is too long")
CAPTION_TOO_LONG = _refusal("caption_too_long", "Bad Request: message caption is too long")
ENTITIES = _refusal("entities", "Bad Request: can't parse entities: {detail}")

# ---------------------------------------------------------------- reply markup
# Client.cpp get_reply_markup / get_inline_keyboard_button(_type), TDLib ReplyMarkup.cpp.

MARKUP_NOT_JSON = _refusal(
    "markup_not_json", "Bad Request: can't parse reply keyboard markup JSON object"
)
MARKUP_NOT_OBJECT = _refusal("markup_not_object", "Bad Request: object expected as reply markup")
KEYBOARD_NOT_ROWS = _refusal(
    "keyboard_not_rows", 'Bad Request: field "keyboard" must be an Array of Arrays'
)
INLINE_KEYBOARD_NOT_ROWS = _refusal(
    "inline_keyboard_not_rows",
    'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays',
)
FIELD_TYPE = _refusal("field_type", 'Bad Request: field "{field}" must be of type {type}')
KEY_TEXT_MISSING = _refusal(
    "key_text_missing", "Bad Request: can't parse keyboard button: Can't find field \"text\""
)
BUTTON_TEXT_MISSING = _refusal(
    "button_text_missing",
    "Bad Request: can't parse inline keyboard button: Can't find field \"text\"",
)
BUTTON_FIELD_TYPE = _refusal(
    "button_field_type",
    'Bad Request: can\'t parse inline keyboard button: Field "{field}" must be of type String',
)
KEY_NOT_OBJECT = _refusal(
    "key_not_object",
    "Bad Request: can't parse keyboard button: KeyboardButton must be a String or an Object",
)
BUTTON_NOT_OBJECT = _refusal(
    "button_not_object",
    "Bad Request: can't parse inline keyboard button: InlineKeyboardButton must be an Object",
)
BUTTON_WITHOUT_ACTION = _refusal(
    "button_without_action",
    "Bad Request: can't parse inline keyboard button: "
    "Text buttons are unallowed in the inline keyboard",
)
BUTTON_DATA_INVALID = _refusal("button_data_invalid", "Bad Request: BUTTON_DATA_INVALID")
BUTTON_URL_INVALID = _refusal("button_url_invalid", "Bad Request: BUTTON_URL_INVALID")
INLINE_KEYBOARD_EXPECTED = _refusal(
    "inline_keyboard_expected", "Bad Request: inline keyboard expected"
)

EMPTY_MARKUP = _repair(
    "empty_markup", "a reply_markup with no buttons left (`{}`, no rows) means no keyboard"
)
EMPTY_BUTTON = _repair("empty_button", "a button or key with empty text is left out")
SECOND_ACTION = _repair(
    "second_action", "an inline button with several actions keeps the first (url, callback_data…)"
)

# ---------------------------------------------------------------- editing and deleting

NOT_MODIFIED = _refusal(
    "not_modified",
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message",
)
EDIT_NOT_FOUND = _refusal("edit_not_found", "Bad Request: message to edit not found")
DELETE_NOT_FOUND = _refusal("delete_not_found", "Bad Request: message to delete not found")
CANT_EDIT = _refusal("cant_edit", "Bad Request: message can't be edited")
NO_TEXT_TO_EDIT = _refusal(
    "no_text_to_edit", "Bad Request: there is no text in the message to edit"
)
NO_CAPTION_TO_EDIT = _refusal(
    "no_caption_to_edit", "Bad Request: there is no caption in the message to edit"
)
REPLY_NOT_FOUND = _refusal("reply_not_found", "Bad Request: message to be replied not found")
COPY_NOT_FOUND = _refusal("copy_not_found", "Bad Request: message to copy not found")
INLINE_MESSAGES = _refusal(
    "inline_messages", "Bad Request: inline messages are not supported by the emulator"
)

# ---------------------------------------------------------------- callback queries
# Telegram answers QUERY_ID_INVALID for a second answer and for one after the client stopped
# waiting; it does not publish that window (the emulator's `callback_answer_window`).

QUERY_INVALID = _refusal(
    "query_invalid",
    "Bad Request: query is too old and response timeout expired or query ID is invalid",
)
ANSWER_TOO_LONG = _refusal("answer_too_long", "Bad Request: MESSAGE_TOO_LONG")

# ---------------------------------------------------------------- files and albums

NO_FILE = _refusal("no_file", "Bad Request: there is no {kind} in the request")
WRONG_FILE_ID = _refusal("wrong_file_id", "Bad Request: wrong file identifier/HTTP URL specified")
FILE_TYPE_MISMATCH = _refusal("file_type_mismatch", "Bad Request: type of file mismatch")
INVALID_FILE_ID = _refusal("invalid_file_id", "Bad Request: invalid file_id")
NOT_AN_IMAGE = _refusal("not_an_image", "Bad Request: IMAGE_PROCESS_FAILED")
MEDIA_REQUIRED = _refusal("media_required", 'Bad Request: parameter "media" is required')
MEDIA_NOT_JSON = _refusal("media_not_json", "Bad Request: can't parse media JSON object")
MEDIA_NOT_ARRAY = _refusal("media_not_array", "Bad Request: expected an Array of InputMedia")
ALBUM_EMPTY = _refusal("album_empty", "Bad Request: there are no messages to send")
ALBUM_TOO_BIG = _refusal("album_too_big", "Bad Request: too many messages to send as an album")
ALBUM_MIXED = _refusal("album_mixed", "Bad Request: document can't be mixed with other media types")
INPUT_MEDIA = _refusal("input_media", "Bad Request: can't parse InputMedia: {detail}")
ALBUM_ITEM_FAILED = _refusal(
    "album_item_failed",
    'Bad Request: failed to send message #{position} with the error message "{error}"',
)

ALBUM_OF_ONE = _repair("album_of_one", "sendMediaGroup with one item sends a plain message")

# ---------------------------------------------------------------- menus, profile, actions

SCOPE_UNSUPPORTED = _refusal("scope_unsupported", "Bad Request: unsupported bot command scope type")
LANGUAGE_INVALID = _refusal(
    "language_invalid",
    "Bad Request: invalid language_code specified: use a two-letter ISO 639-1 code",
)
BOT_TEXT_TOO_LONG = _refusal("bot_text_too_long", "Bad Request: {field} is too long")
COMMANDS_INVALID = _refusal(
    "commands_invalid", "Bad Request: commands must be a list of at most 100 BotCommand"
)
COMMAND_INVALID = _refusal("command_invalid", "Bad Request: BOT_COMMAND_INVALID")
COMMAND_DESCRIPTION_INVALID = _refusal(
    "command_description_invalid", "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID"
)
MENU_BUTTON_INVALID = _refusal("menu_button_invalid", "Bad Request: can't parse menu button")
ACTION_INVALID = _refusal("action_invalid", "Bad Request: wrong parameter action in request")

# ---------------------------------------------------------------- updates and webhooks

CONFLICT_POLL = _refusal(
    "conflict_poll",
    "Conflict: terminated by other getUpdates request; make sure that only one bot "
    "instance is running",
    409,
)
CONFLICT_WEBHOOK = _refusal(
    "conflict_webhook",
    "Conflict: can't use getUpdates method while webhook is active; use "
    "deleteWebhook to delete the webhook first",
    409,
)
WEBHOOK_NOT_HTTPS = _refusal(
    "webhook_not_https", "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
)
SECRET_TOKEN_INVALID = _refusal(
    "secret_token_invalid", "Bad Request: secret token contains unallowed characters"
)

# ---------------------------------------------------------------- the HTTP layer

UNAUTHORIZED = _refusal("unauthorized", "Unauthorized", 401)
METHOD_NOT_FOUND = _refusal("method_not_found", "Not Found: method not found", 404)
