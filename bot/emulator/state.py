"""What the emulator remembers: users, chats with full transcripts, files, faults and limits.

Messages are kept in both shapes a reader needs: `to_api()` is the Bot API `Message` object PTB
receives, `to_page()` is the flat JSON the web chat page renders. A `ChatMessage` is live: an
edit changes it in place, so a test holding one sees the current state.
"""

from __future__ import annotations

import asyncio
import logging
import math
import mimetypes
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

from bot.emulator import rules
from bot.emulator.markup import entities_to_html
from bot.emulator.protocol import ApiError

__all__ = [
    "CallbackRecord",
    "Chat",
    "ChatMessage",
    "EmuUser",
    "EventBus",
    "Fault",
    "RateLimits",
    "Stats",
    "StoredFile",
    "image_size",
    "reply_keyboard_page",
]

_LOGGER = logging.getLogger(__name__)


@dataclass
class EmuUser:
    """A Telegram user who can talk to the bot in a private chat (chat id = user id)."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "en"

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key):
                data[key] = getattr(self, key)
        return data

    def chat_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": "private", "first_name": self.first_name}
        for key in ("last_name", "username"):
            if getattr(self, key):
                data[key] = getattr(self, key)
        return data

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name


def image_size(data: bytes) -> tuple[int, int]:
    """Width and height of an image; a 400 IMAGE_PROCESS_FAILED like Telegram if it is none."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(BytesIO(data)) as image:
            return image.size
    except (UnidentifiedImageError, OSError) as exc:
        raise rules.NOT_AN_IMAGE.error() from exc


@dataclass
class StoredFile:
    """An uploaded photo or document; `file_path` is what getFile returns for downloading."""

    file_id: str
    file_unique_id: str
    kind: str  # "photo" | "document"
    data: bytes
    file_name: str | None = None
    mime_type: str | None = None
    width: int = 0
    height: int = 0

    @property
    def file_path(self) -> str:
        extension = mimetypes.guess_extension(self.mime_type or "") or ".bin"
        if self.kind == "document" and self.file_name and "." in self.file_name:
            extension = "." + self.file_name.rsplit(".", 1)[1]
        return f"{self.kind}s/file_{self.file_unique_id}{extension}"

    def photo_sizes(self) -> list[dict[str, Any]]:
        return [
            {
                "file_id": self.file_id,
                "file_unique_id": self.file_unique_id,
                "width": self.width,
                "height": self.height,
                "file_size": len(self.data),
            }
        ]

    def document_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
        }
        if self.file_name:
            data["file_name"] = self.file_name
        if self.mime_type:
            data["mime_type"] = self.mime_type
        return data

    def file_api(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }

    def page_url(self) -> str:
        return f"/emulator/file/{self.file_id}"


def reply_keyboard_page(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    """A ReplyKeyboardMarkup as the web chat page renders it (None if it is not one)."""
    keyboard = (markup or {}).get("keyboard")
    if not markup or not keyboard:
        return None
    return {
        "rows": [
            [{"text": b["text"], "request_contact": bool(b.get("request_contact"))} for b in row]
            for row in keyboard
        ],
        "one_time": bool(markup.get("one_time_keyboard")),
        "placeholder": markup.get("input_field_placeholder"),
    }


@dataclass(eq=False)
class ChatMessage:
    """One message in a private chat, from the bot (`outgoing`) or from the user.

    `"+128" in message` tests the text the person reads (text or caption, formatting removed).
    """

    chat: EmuUser
    message_id: int
    date: int
    outgoing: bool
    sender: dict[str, Any]
    text: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    caption: str | None = None
    caption_entities: list[dict[str, Any]] = field(default_factory=list)
    photo: StoredFile | None = None
    document: StoredFile | None = None
    contact: dict[str, Any] | None = None
    reply_markup: dict[str, Any] | None = None
    reply_to: ChatMessage | None = None
    media_group_id: str | None = None
    edit_date: int | None = None
    deleted: bool = False
    history: list[dict[str, Any]] = field(default_factory=list)
    seq: int = 0

    @property
    def chat_id(self) -> int:
        return self.chat.id

    @property
    def visible_text(self) -> str:
        return self.text if self.text is not None else (self.caption or "")

    def __contains__(self, needle: str) -> bool:
        return needle in self.visible_text

    def __str__(self) -> str:
        return self.visible_text

    def __repr__(self) -> str:
        who = "bot" if self.outgoing else self.chat.first_name
        flags = " deleted" if self.deleted else (" edited" if self.edit_date else "")
        text = self.visible_text
        return f"<ChatMessage #{self.message_id} {who}→{self.chat_id}{flags}: {text!r}>"

    @property
    def inline_keyboard(self) -> list[list[dict[str, Any]]]:
        return (self.reply_markup or {}).get("inline_keyboard", [])

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """Inline buttons, row by row."""
        return [button for row in self.inline_keyboard for button in row]

    @property
    def button_texts(self) -> list[str]:
        return [button["text"] for button in self.buttons]

    @property
    def reply_keyboard(self) -> list[list[dict[str, Any]]] | None:
        return (self.reply_markup or {}).get("keyboard")

    def content_state(self) -> dict[str, Any]:
        """What an edit can change; used for history and for "message is not modified"."""
        return {
            "text": self.text,
            "entities": self.entities,
            "caption": self.caption,
            "caption_entities": self.caption_entities,
            "reply_markup": self.reply_markup,
            "edit_date": self.edit_date,
        }

    def to_api(self, *, nested: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "message_id": self.message_id,
            "from": self.sender,
            "chat": self.chat.chat_api(),
            "date": self.date,
        }
        if self.edit_date:
            data["edit_date"] = self.edit_date
        if self.text is not None:
            data["text"] = self.text
            if self.entities:
                data["entities"] = self.entities
        if self.photo:
            data["photo"] = self.photo.photo_sizes()
        if self.document:
            data["document"] = self.document.document_api()
        if self.caption:
            data["caption"] = self.caption
            if self.caption_entities:
                data["caption_entities"] = self.caption_entities
        if self.contact:
            data["contact"] = self.contact
        if self.media_group_id:
            data["media_group_id"] = self.media_group_id
        if self.reply_markup and "inline_keyboard" in self.reply_markup:
            data["reply_markup"] = self.reply_markup
        if nested and self.reply_to is not None:
            data["reply_to_message"] = self.reply_to.to_api(nested=False)
        return data

    def to_page(self) -> dict[str, Any]:
        """Flat, JSON-serialisable view for the web chat page (see package docs)."""
        markup = self.reply_markup or {}
        return {
            "chat_id": self.chat_id,
            "message_id": self.message_id,
            "date": self.date,
            "from": "bot" if self.outgoing else "user",
            "sender_name": self.sender.get("first_name", ""),
            "text": self.text,
            "html": entities_to_html(self.text, self.entities),
            "caption": self.caption,
            "caption_html": entities_to_html(self.caption, self.caption_entities),
            "photo": {
                "file_id": self.photo.file_id,
                "url": self.photo.page_url(),
                "width": self.photo.width,
                "height": self.photo.height,
            }
            if self.photo
            else None,
            "document": {
                "file_id": self.document.file_id,
                "file_name": self.document.file_name,
                "mime_type": self.document.mime_type,
                "size": len(self.document.data),
                "url": self.document.page_url(),
            }
            if self.document
            else None,
            "contact": self.contact,
            "inline_keyboard": [
                [{key: b[key] for key in ("text", "callback_data", "url") if key in b} for b in row]
                for row in self.inline_keyboard
            ]
            or None,
            "reply_keyboard": reply_keyboard_page(markup),
            "remove_keyboard": bool(markup.get("remove_keyboard")),
            "reply_to": self.reply_to.message_id if self.reply_to else None,
            "media_group_id": self.media_group_id,
            "edited": self.edit_date is not None,
            "deleted": self.deleted,
        }


@dataclass
class Chat:
    """A private chat: transcript in message_id order plus what the user's client shows."""

    user: EmuUser
    messages: dict[int, ChatMessage] = field(default_factory=dict)
    next_message_id: int = 1
    started: bool = True
    blocked: bool = False
    reply_keyboard: dict[str, Any] | None = None  # the ReplyKeyboardMarkup currently shown
    menu_button: dict[str, Any] | None = None
    last_action: str | None = None

    def take_message_id(self) -> int:
        self.next_message_id += 1
        return self.next_message_id - 1


@dataclass
class CallbackRecord:
    """A button press and the bot's answer to it (the toast)."""

    id: str
    user_id: int
    message: ChatMessage
    data: str
    pressed_at: float = field(default_factory=time.monotonic)
    answered: bool = False
    text: str | None = None
    show_alert: bool = False
    url: str | None = None


@dataclass
class Stats:
    """Counters for benchmarks and outbox tests; `sent` counts successful calls per method."""

    calls: Counter[str] = field(default_factory=Counter)
    sent: Counter[str] = field(default_factory=Counter)
    errors: Counter[tuple[str, int]] = field(default_factory=Counter)
    too_many_requests: int = 0
    # (method, description) of every error answered, and the quiet repairs (rules.Repair.name)
    refused: Counter[tuple[str, str]] = field(default_factory=Counter)
    repaired: Counter[str] = field(default_factory=Counter)

    def reset(self) -> None:
        self.calls.clear()
        self.sent.clear()
        self.errors.clear()
        self.too_many_requests = 0
        self.refused.clear()
        self.repaired.clear()


@dataclass
class Fault:
    """An injected error for the next `remaining` matching calls."""

    method: str  # lower-case Bot API method name
    error: ApiError
    chat_id: int | None
    remaining: int

    def matches(self, method: str, chat_id: Any) -> bool:
        if self.remaining <= 0 or method != self.method:
            return False
        return self.chat_id is None or str(self.chat_id) == str(chat_id)


@dataclass
class RateLimits:
    """Telegram's flood limits as a sliding one-second window.

    A call of a limited method is refused with 429 when, in the last `window` seconds, the
    emulator already accepted `global_per_s` limited calls across all chats, or `per_chat_per_s`
    to the same chat. `retry_after` is the whole number of seconds (at least 1) until the oldest
    counted call leaves the window. Refused calls are not counted, so a bot that honours
    retry_after gets through.
    """

    global_per_s: int | None
    per_chat_per_s: int | None
    methods: frozenset[str]
    window: float = 1.0
    _global: deque[float] = field(default_factory=deque)
    _per_chat: dict[int, deque[float]] = field(default_factory=dict)

    def admit(self, chat_id: int, now: float) -> int | None:
        """Record an accepted call, or return the retry_after for refusing it."""
        horizon = now - self.window
        chat_calls = self._per_chat.setdefault(chat_id, deque())
        for calls in (self._global, chat_calls):
            while calls and calls[0] <= horizon:
                calls.popleft()
        for calls, limit in ((self._global, self.global_per_s), (chat_calls, self.per_chat_per_s)):
            if limit is not None and len(calls) >= limit:
                return max(1, math.ceil(calls[0] + self.window - now))
        self._global.append(now)
        chat_calls.append(now)
        return None


class EventBus:
    """Fan-out of JSON-serialisable chat events to live subscribers (the web chat page).

    A subscriber that stops reading loses its oldest events rather than growing without bound.
    """

    def __init__(self) -> None:
        self._queues: list[asyncio.Queue[dict[str, Any]]] = []

    def subscribe(self, maxsize: int = 10_000) -> asyncio.Queue[dict[str, Any]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize)
        self._queues.append(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[dict[str, Any]]) -> None:
        if queue in self._queues:
            self._queues.remove(queue)

    @property
    def active(self) -> bool:
        """Whether anyone listens (so events need not be built otherwise)."""
        return bool(self._queues)

    def publish(self, event: dict[str, Any]) -> None:
        event.setdefault("time", time.time())
        for queue in self._queues:
            if queue.full():
                _LOGGER.warning("emulator event subscriber is not reading; dropping an event")
                queue.get_nowait()
            queue.put_nowait(event)
