"""What every part of the emulator shares: the registry of Bot API methods, the wake-up signal,
and `EmulatorState`, the declared state that `BotApiEmulator` (server.py) creates and each
mixin (messages, files, callbacks, updates, menus, faults, people, settle) reads and changes."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import aiohttp

from bot.emulator.protocol import Params
from bot.emulator.state import (
    CallbackRecord,
    Chat,
    ChatMessage,
    EmuUser,
    EventBus,
    Fault,
    RateLimits,
    Stats,
    StoredFile,
)

Handler = Callable[[Params], Awaitable[Any]]


class Signal:
    """Wakes everyone waiting when something changed; waiters then re-check their condition."""

    def __init__(self) -> None:
        self._future: asyncio.Future[None] | None = None

    def fire(self) -> None:
        if self._future is not None and not self._future.done():
            self._future.set_result(None)
        self._future = None

    async def wait(self, within: float | None) -> None:
        if self._future is None:
            self._future = asyncio.get_running_loop().create_future()
        await asyncio.wait([self._future], timeout=within)


def api_method(name: str) -> Callable[[Handler], Handler]:
    """Registers a coroutine method as the handler of Bot API method `name`."""

    def register(handler: Handler) -> Handler:
        handler._api_name = name  # type: ignore[attr-defined]
        return handler

    return register


class EmulatorState:
    """The state of a `BotApiEmulator` and the helpers every mixin uses; created in
    `BotApiEmulator.__init__`, declared here so that each mixin can be read on its own."""

    token: str
    clock: Callable[[], float]
    """Unix time that dates messages (``time.time``; the sandbox gives its moving clock)."""
    bot_id: int
    bot_username: str
    bot_user: dict[str, Any]
    idle: float
    settle_timeout: float
    latency: float
    callback_answer_window: float
    users: dict[int, EmuUser]
    chats: dict[int, Chat]
    files: dict[str, StoredFile]
    callbacks: dict[str, CallbackRecord]
    commands: dict[tuple[tuple[Any, ...], str], list[dict[str, str]]]
    bot_texts: dict[tuple[str, str], str]
    default_menu_button: dict[str, Any] | None
    webhook: dict[str, Any] | None
    webhook_error: tuple[int, str] | None
    stats: Stats
    events: EventBus
    _files_by_path: dict[str, StoredFile]
    _file_counter: Iterator[int]
    _query_counter: Iterator[int]
    _album_counter: Iterator[int]
    _pending: deque[dict[str, Any]]
    _next_update_id: int
    _allowed_updates: list[str] | None
    _delivered_upto: int
    _dropped: set[int]
    _poll_generation: int
    _faults: list[Fault]
    _limits: RateLimits | None
    _inflight: int
    _processing: int
    _processed: set[int]
    _tracking_processors: int
    _busy_checks: list[Callable[[], bool]]
    _last_activity: float
    _seq: int
    _updates_signal: Signal
    _progress: Signal
    _changes: Signal
    _closing: bool
    _session: aiohttp.ClientSession | None
    _webhook_task: asyncio.Task[None] | None

    def _chat(self, user_id: int) -> Chat:
        chat = self.chats.get(user_id)
        if chat is None:
            raise KeyError(f"no user {user_id}: call emu.add_user() or emu.player() first")
        return chat

    def _touch(self) -> None:
        self._last_activity = time.monotonic()
        self._progress.fire()

    def _bump(self) -> int:
        self._seq += 1
        return self._seq

    @property
    def seq(self) -> int:
        """A counter that grows with every message created, edited or deleted."""
        return self._seq

    def _publish(self, event: Callable[[], dict[str, Any]]) -> None:
        """Tells subscribers (event built only if there are any) and waiting players."""
        if self.events.active:
            self.events.publish(event())
        self._changes.fire()

    def _publish_message(self, kind: str, message: ChatMessage) -> None:
        self._publish(
            lambda: {"type": kind, "chat_id": message.chat_id, "message": message.to_page()}
        )
