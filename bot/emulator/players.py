"""People in conversation with the bot, for tests that read like the chat (STYLE.md §6).

    alice = emu.player(1001, "Alice", language_code="zh-hans")
    await alice.send("/start")
    await alice.share_contact("+8613800000000")
    await alice.press("Confirm")
    assert "+128" in alice.last_message

Every action returns after the bot has finished replying (`BotApiEmulator.settle`) with the bot
messages to this person that appeared or changed meanwhile. Reading is always live: messages the
bot sends this person because of someone else's action (a receipt after the cashier confirms)
are in `messages` too. Misuse — pressing a button that is not on screen, tapping a key of a
keyboard that is not shown — raises `PlayerError` with what the person does see.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from typing import Any, Protocol

from bot.emulator.markup import deep_link_start
from bot.emulator.state import CallbackRecord, Chat, ChatMessage, EmuUser

__all__ = ["Button", "Player", "PlayerError", "PlayerHost"]


class PlayerHost(Protocol):
    """What a `Player` needs from the emulator it plays on (`BotApiEmulator` is one); players
    know the emulator only through this, so they do not depend on the server."""

    users: dict[int, EmuUser]
    chats: dict[int, Chat]
    bot_username: str

    @property
    def seq(self) -> int: ...

    def transcript(self, user_id: int) -> list[ChatMessage]: ...

    def commands_for(
        self, user_id: int, language_code: str | None = None
    ) -> list[dict[str, str]]: ...

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
    ) -> tuple[ChatMessage, int]: ...

    def user_callback(
        self, user_id: int, message: ChatMessage, data: str
    ) -> tuple[CallbackRecord, int]: ...

    def user_blocks_bot(self, user_id: int, blocked: bool = True) -> int: ...

    async def settle(
        self,
        update_id: int | None = None,
        *,
        idle: float | None = None,
        max_wait: float | None = None,
    ) -> None: ...

    async def wait_for_change(self, within: float | None) -> None: ...


class PlayerError(AssertionError):
    """The person cannot do that, or did not get what the test waited for."""


@dataclass(frozen=True)
class Button:
    """An inline button as some screen shows it: on `message` now, or `stale` (the message has
    been edited since, but another device may still show this keyboard and press it)."""

    message: ChatMessage
    text: str
    callback_data: str | None
    url: str | None
    stale: bool

    def __repr__(self) -> str:
        state = " stale" if self.stale else ""
        action = self.callback_data if self.callback_data is not None else self.url
        return f"<Button {self.text!r} on #{self.message.message_id}{state}: {action!r}>"


class Player:
    """One user's side of their private chat with the bot."""

    def __init__(self, emulator: PlayerHost, user_id: int, *, settle: bool = True):
        self.emu = emulator
        self.user_id = user_id
        self.settle = settle  # False: actions return at once (e.g. for the web chat page)
        self._mark = 0  # emulator seq before this player's last action
        self._callbacks: list[CallbackRecord] = []

    def __repr__(self) -> str:
        return f"<Player {self.name} ({self.user_id})>"

    @property
    def user(self) -> EmuUser:
        return self.emu.users[self.user_id]

    @property
    def name(self) -> str:
        return self.user.full_name

    # ---------------------------------------------------------------- actions

    async def send(self, text: str) -> list[ChatMessage]:
        """Types and sends `text` (commands included)."""
        if not text:
            raise PlayerError("Telegram does not send empty messages")
        return await self._message(text=text)

    async def tap(self, text: str) -> list[ChatMessage]:
        """Taps a key of the reply keyboard the bot is showing (which sends its text)."""
        keyboard = self.emu.chats[self.user_id].reply_keyboard
        keys = [key for row in (keyboard or {}).get("keyboard", []) for key in row]
        key = next((k for k in keys if k["text"] == text), None)
        if key is None:
            shown = [k["text"] for k in keys] if keyboard else "no reply keyboard"
            raise PlayerError(f"{self.name} sees no key {text!r}; shown: {shown}")
        if key.get("request_contact"):
            raise PlayerError(f"{text!r} shares the phone number: use share_contact()")
        self._after_key(keyboard)
        return await self._message(text=text)

    async def share_contact(
        self,
        phone_number: str,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
    ) -> list[ChatMessage]:
        """Shares this person's own contact (as the `request_contact` key does)."""
        contact: dict[str, Any] = {
            "phone_number": phone_number,
            "first_name": first_name or self.user.first_name,
            "user_id": self.user_id,
        }
        if last_name or self.user.last_name:
            contact["last_name"] = last_name or self.user.last_name
        self._after_key(self.emu.chats[self.user_id].reply_keyboard)
        return await self._message(contact=contact)

    async def send_photo(self, data: bytes, caption: str | None = None) -> list[ChatMessage]:
        return await self._message(photo=data, caption=caption)

    async def send_document(
        self, data: bytes, filename: str, caption: str | None = None
    ) -> list[ChatMessage]:
        return await self._message(document=(filename, data), caption=caption)

    async def press(self, text: str, *, message: ChatMessage | None = None) -> list[ChatMessage]:
        """Presses the inline button labelled `text` (exact, else a unique substring) on the
        newest bot message that has one, or on `message`. A URL button that links to this bot
        is followed like `open_link`."""
        message, button = self._find_button(text, message)
        if "callback_data" in button:
            return await self._press(message, button["callback_data"])
        if "url" in button:
            try:
                start = deep_link_start(button["url"], self.emu.bot_username)
            except ValueError as exc:
                raise PlayerError(f"{text!r} opens {button['url']}, outside the bot") from exc
            return await self.send(start)
        raise PlayerError(
            f"{text!r} is a {sorted(set(button) - {'text'})} button; the "
            "emulator only presses callback and URL buttons"
        )

    async def press_data(
        self, data: str, *, message: ChatMessage | None = None
    ) -> list[ChatMessage]:
        """Sends arbitrary (e.g. tampered or stale) callback data from the newest bot message,
        or from `message` (any bot message still in the chat, however old)."""
        return await self._press(message or self.last_message, data)

    async def press_button(self, button: Button) -> list[ChatMessage]:
        """Presses a button from `buttons()`, stale ones included (another device's screen)."""
        if button.callback_data is not None:
            return await self._press(button.message, button.callback_data)
        if button.url is not None:
            return await self.press(button.text, message=button.message)
        raise PlayerError(f"{button!r} is neither a callback nor a URL button")

    async def open_link(self, url: str) -> list[ChatMessage]:
        """Opens a t.me deep link to the bot, which sends `/start <payload>`."""
        try:
            start = deep_link_start(url, self.emu.bot_username)
        except ValueError as exc:
            raise PlayerError(str(exc)) from exc
        return await self.send(start)

    async def scan(self, code: str | bytes | ChatMessage) -> list[ChatMessage]:
        """Points the phone camera at a QR code (a link, an image, or a message with a photo)
        and opens the link it holds."""
        if isinstance(code, ChatMessage):
            if code.photo is None:
                raise PlayerError(f"{code!r} has no photo to scan")
            code = code.photo.data
        if isinstance(code, bytes):
            code = _decode_qr(code)
        return await self.open_link(code)

    async def block_bot(self) -> None:
        """Blocks the bot in the Telegram client (the bot gets a my_chat_member update)."""
        await self._settled(self.emu.user_blocks_bot(self.user_id, True))

    async def unblock_bot(self) -> None:
        await self._settled(self.emu.user_blocks_bot(self.user_id, False))

    # ---------------------------------------------------------------- what the person sees

    @property
    def messages(self) -> list[ChatMessage]:
        """Messages from the bot, oldest first, as they look now (edits applied, deleted gone)."""
        return [m for m in self.emu.transcript(self.user_id) if m.outgoing and not m.deleted]

    @property
    def transcript(self) -> list[ChatMessage]:
        """The whole chat, both directions, deleted messages included."""
        return self.emu.transcript(self.user_id)

    @property
    def last_message(self) -> ChatMessage:
        messages = self.messages
        if not messages:
            raise PlayerError(f"{self.name} has no message from the bot")
        return messages[-1]

    @property
    def last_text(self) -> str:
        return self.last_message.visible_text

    def last_photo_bytes(self) -> bytes:
        photo = next((m.photo for m in reversed(self.messages) if m.photo), None)
        if photo is None:
            raise PlayerError(f"{self.name} has no photo from the bot")
        return photo.data

    def last_document(self) -> tuple[str | None, bytes]:
        document = next((m.document for m in reversed(self.messages) if m.document), None)
        if document is None:
            raise PlayerError(f"{self.name} has no document from the bot")
        return document.file_name, document.data

    @property
    def last_callback(self) -> CallbackRecord | None:
        return self._callbacks[-1] if self._callbacks else None

    @property
    def last_toast(self) -> str | None:
        """The text the bot showed for the last button press (None: no text, or unanswered)."""
        record = self.last_callback
        return record.text if record is not None else None

    def buttons(self, *, stale: bool = True) -> list[Button]:
        """Every inline button in the chat, oldest message first: those an edit replaced
        (unless `stale=False`; an older screen may still press them), then those shown now."""
        found: list[Button] = []
        for message in self.messages:
            shown = [_action(b) for b in _inline(message.reply_markup)]
            replaced: dict[tuple[str, str | None, str | None], None] = {}
            for state in message.history if stale else []:
                for b in _inline(state["reply_markup"]):
                    if _action(b) not in shown:
                        replaced[_action(b)] = None
            found += [Button(message, *action, stale=True) for action in replaced]
            found += [Button(message, *action, stale=False) for action in shown]
        return found

    @property
    def reply_keys(self) -> list[str]:
        """Labels of the reply keyboard shown now, row by row ([] when there is none)."""
        return [label for row in self.reply_keyboard or [] for label in row]

    def told(self, text: str) -> list[ChatMessage]:
        """Bot messages that ever showed `text` (before or after an edit; deleted ones too)."""
        return [
            m
            for m in self.transcript
            if m.outgoing and any(text in (v or "") for v in _versions(m))
        ]

    def assert_never_told(self, *texts: str) -> None:
        """Fails if any bot message or toast to this person ever contained one of `texts`
        (e.g. the apology the bot sends when a handler fails)."""
        for text in texts:
            said = [v for m in self.told(text) for v in _versions(m) if v and text in v]
            said += [r.text for r in self._callbacks if r.text and text in r.text]
            if said:
                raise PlayerError(f"{self.name} was told {text!r}: {said}")

    @property
    def albums(self) -> list[list[ChatMessage]]:
        """Albums (sendMediaGroup) from the bot, oldest first, each as its messages in order."""
        groups: dict[str, list[ChatMessage]] = {}
        for message in self.messages:
            if message.media_group_id:
                groups.setdefault(message.media_group_id, []).append(message)
        return list(groups.values())

    @property
    def last_album(self) -> list[ChatMessage]:
        if not self.albums:
            raise PlayerError(f"{self.name} has no album from the bot")
        return self.albums[-1]

    @property
    def reply_keyboard(self) -> list[list[str]] | None:
        """Key labels of the reply keyboard shown now, or None."""
        keyboard = self.emu.chats[self.user_id].reply_keyboard
        if keyboard is None:
            return None
        return [[key["text"] for key in row] for row in keyboard["keyboard"]]

    @property
    def commands(self) -> dict[str, str]:
        """The command menu this person sees, in their language: {command: description}."""
        return {c["command"]: c["description"] for c in self.emu.commands_for(self.user_id)}

    async def wait_for(
        self,
        predicate: Callable[[ChatMessage], bool],
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> ChatMessage:
        """The newest bot message, sent or edited since this person's last action, that
        satisfies `predicate`; waits up to `timeout` seconds for one."""
        deadline = time.monotonic() + timeout
        while True:
            for message in reversed(self.messages):
                if message.seq > self._mark and predicate(message):
                    return message
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                recent = [m.visible_text for m in self.messages[-3:]]
                raise PlayerError(
                    f"{self.name} got no matching message in {timeout}s; last messages: {recent}"
                )
            await self.emu.wait_for_change(remaining)

    async def wait_for_text(self, text: str, timeout: float = 5.0) -> ChatMessage:  # noqa: ASYNC109
        return await self.wait_for(lambda message: text in message, timeout)

    # ---------------------------------------------------------------- internals

    async def _settled(self, update_id: int) -> list[ChatMessage]:
        if self.settle:
            await self.emu.settle(update_id)
        return [m for m in self.messages if m.seq > self._mark]

    async def _message(self, **content: Any) -> list[ChatMessage]:
        self._mark = self.emu.seq
        try:
            _, update_id = self.emu.user_message(self.user_id, **content)
        except ValueError as exc:
            raise PlayerError(str(exc)) from exc
        return await self._settled(update_id)

    async def _press(self, message: ChatMessage, data: str) -> list[ChatMessage]:
        if message.deleted or not message.outgoing:
            raise PlayerError(f"{self.name} cannot press a button on {message!r}")
        self._mark = self.emu.seq
        record, update_id = self.emu.user_callback(self.user_id, message, data)
        self._callbacks.append(record)
        return await self._settled(update_id)

    def _after_key(self, keyboard: dict[str, Any] | None) -> None:
        """A one-time keyboard hides once used."""
        if keyboard and keyboard.get("one_time_keyboard"):
            self.emu.chats[self.user_id].reply_keyboard = None

    def _find_button(
        self, text: str, message: ChatMessage | None
    ) -> tuple[ChatMessage, dict[str, Any]]:
        candidates = [message] if message is not None else list(reversed(self.messages))
        for candidate in candidates:
            buttons = candidate.buttons
            found = [b for b in buttons if b["text"] == text] or [
                b for b in buttons if text in b["text"]
            ]
            if len(found) == 1:
                return candidate, found[0]
            if found:
                raise PlayerError(
                    f"{text!r} matches several buttons on message "
                    f"#{candidate.message_id}: {[b['text'] for b in found]}"
                )
        on_screen = [m.button_texts for m in candidates if m.buttons][:3]
        raise PlayerError(f"{self.name} sees no button {text!r}; newest keyboards: {on_screen}")


def _inline(markup: dict[str, Any] | None) -> list[dict[str, Any]]:
    return [b for row in (markup or {}).get("inline_keyboard", []) for b in row]


def _action(button: dict[str, Any]) -> tuple[str, str | None, str | None]:
    return button["text"], button.get("callback_data"), button.get("url")


def _versions(message: ChatMessage) -> list[str | None]:
    """Every text and caption the message has shown, oldest first."""
    return [v for state in message.history for v in (state["text"], state["caption"])] + [
        message.text,
        message.caption,
    ]


def _decode_qr(image: bytes) -> str:
    import zxingcpp
    from PIL import Image

    with Image.open(BytesIO(image)) as picture:
        found = zxingcpp.read_barcodes(picture)
    if not found:
        raise PlayerError("no QR code found in the image")
    return found[0].text
