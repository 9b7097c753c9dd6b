"""A Telegram Bot API emulator: an aiohttp server on loopback that the real PTB Application talks
to, for tests, benchmarks and the sandbox mode.

Only what jifen uses is emulated (private chats, text, photos, documents, keyboards, callback
queries, commands, webhooks), but that part behaves like Telegram, errors included, so a test
that passes here exercises the bot's real error handling.

Quiescence ("the bot has finished replying"), used by players after every action:

1. the update has been fetched: returned by getUpdates on a live connection or confirmed by a
   later offset, or acknowledged 2xx by the bot's webhook;
2. if the Application was built with `emu.update_processor()`, the update's handlers have
   returned (exact; recommended);
3. then no Bot API call is in flight and none has started or finished for `idle` seconds
   (default 0.05 s), and every `add_busy_check` callable returns False.

Without step 2 a handler that spends longer than `idle` on the database before its first Bot API
call would be cut short; with it, `idle` only has to cover work the handlers start in the
background (tasks, the outbox), and the wait after the last reply is exactly `idle`.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import aiohttp
from aiohttp import web

from bot.emulator import rules
from bot.emulator.callbacks import CallbacksMixin
from bot.emulator.core import Handler, Signal
from bot.emulator.faults import SEND_METHODS, FaultsMixin
from bot.emulator.files import FilesMixin
from bot.emulator.menus import BOT_TEXTS, MenusMixin
from bot.emulator.messages import MessagesMixin
from bot.emulator.people import PeopleMixin
from bot.emulator.players import Player
from bot.emulator.protocol import ApiError, Params, error_response, ok_response
from bot.emulator.settle import SettleMixin, SettleTimeout, SettlingUpdateProcessor
from bot.emulator.state import (
    CallbackRecord,
    Chat,
    EmuUser,
    EventBus,
    Fault,
    RateLimits,
    Stats,
    StoredFile,
)
from bot.emulator.webhooks import WebhooksMixin

__all__ = [
    "DEFAULT_TOKEN",
    "SEND_METHODS",
    "BotApiEmulator",
    "SettleTimeout",
    "SettlingUpdateProcessor",
]

DEFAULT_TOKEN = "7000000001:AAEmulatorJifenTokenNotForTelegram00"


class BotApiEmulator(
    PeopleMixin,
    SettleMixin,
    MessagesMixin,
    FilesMixin,
    CallbacksMixin,
    WebhooksMixin,
    MenusMixin,
    FaultsMixin,
):
    """The Bot API on loopback HTTP, with the state of every private chat it has carried."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_username: str = "jifen_bot",
        bot_token: str = DEFAULT_TOKEN,
        *,
        bot_name: str = "Jifen",
        idle: float = 0.05,
        settle_timeout: float = 10.0,
        latency: float = 0.0,
        callback_answer_window: float = 15.0,
    ):
        self.host = host
        self.port = port
        self.token = bot_token
        self.clock = time.time
        self.bot_username = bot_username
        self.idle = idle
        self.settle_timeout = settle_timeout
        self.latency = latency
        # Telegram does not publish how long a press waits for its answer; 15 s here.
        self.callback_answer_window = callback_answer_window
        head = bot_token.split(":", 1)[0]
        self.bot_id = int(head) if head.isdigit() else 7000000001
        self.bot_user: dict[str, Any] = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": bot_name,
            "username": bot_username,
        }
        self.users: dict[int, EmuUser] = {}
        self.chats: dict[int, Chat] = {}
        self.files: dict[str, StoredFile] = {}
        self.callbacks: dict[str, CallbackRecord] = {}
        self.commands: dict[tuple[tuple[Any, ...], str], list[dict[str, str]]] = {}
        self.bot_texts: dict[tuple[str, str], str] = {}
        self.default_menu_button: dict[str, Any] | None = None
        self.webhook: dict[str, Any] | None = None
        self.webhook_error: tuple[int, str] | None = None
        self.stats = Stats()
        self.events = EventBus()

        self._files_by_path: dict[str, StoredFile] = {}
        self._file_counter = itertools.count(1)
        self._query_counter = itertools.count(1)
        self._album_counter = itertools.count(1)
        self._pending: deque[dict[str, Any]] = deque()
        self._next_update_id = 1
        self._allowed_updates: list[str] | None = None
        self._delivered_upto = 0
        self._dropped: set[int] = set()
        self._poll_generation = 0
        self._faults: list[Fault] = []
        self._limits: RateLimits | None = None
        self._inflight = 0
        self._processing = 0
        self._processed: set[int] = set()
        self._tracking_processors = 0
        self._busy_checks: list[Callable[[], bool]] = []
        self._last_activity = time.monotonic()
        self._seq = 0
        self._players: dict[int, Player] = {}
        self._updates_signal = Signal()
        self._progress = Signal()
        self._changes = Signal()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._webhook_task: asyncio.Task[None] | None = None

        self._methods: dict[str, tuple[str, Handler]] = {}
        for attribute in dir(type(self)):
            name = getattr(getattr(type(self), attribute), "_api_name", None)
            if name:
                self._methods[name.lower()] = (name, getattr(self, attribute))
        for suffix, (result_field, limit) in BOT_TEXTS.items():
            self._methods[f"setmy{suffix.lower()}"] = (
                f"setMy{suffix}",
                self._bot_text_setter(result_field, limit),
            )
            self._methods[f"getmy{suffix.lower()}"] = (
                f"getMy{suffix}",
                self._bot_text_getter(result_field),
            )

        # Routes may be added to web_app (e.g. the web chat page) before start().
        self.web_app = web.Application(client_max_size=60 * 1024 * 1024)
        self.web_app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        self.web_app.router.add_get("/file/bot{token}/{path:.+}", self._handle_download)
        self.web_app.router.add_get("/emulator/file/{file_id}", self._handle_page_file)

    # ---------------------------------------------------------------- lifecycle and URLs

    async def start(self) -> None:
        self._closing = False
        self._runner = web.AppRunner(self.web_app, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))

    async def stop(self) -> None:
        self._closing = True
        self._updates_signal.fire()
        await self._stop_webhook_delivery()
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BotApiEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """For PTB's `base_url`: PTB appends the token, then `/method`."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """For PTB's `base_file_url`: PTB appends the token, then `/file_path`."""
        return f"{self.url}/file/bot"

    # ---------------------------------------------------------------- players

    def player(
        self,
        user_id: int,
        first_name: str | None = None,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
        *,
        settle: bool = True,
    ) -> Player:
        """The person `user_id`, to play in conversation (created on first use)."""
        if user_id not in self.users:
            self.add_user(
                user_id, first_name or f"User{user_id}", last_name, username, language_code
            )
        if user_id not in self._players:
            self._players[user_id] = Player(self, user_id, settle=settle)
        return self._players[user_id]

    user = player

    # ---------------------------------------------------------------- HTTP

    async def _handle_api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self._refuse(request.match_info["method"], rules.UNAUTHORIZED.error())
        entry = self._methods.get(request.match_info["method"].lower())
        if entry is None:
            return self._refuse(request.match_info["method"], rules.METHOD_NOT_FOUND.error())
        name, handler = entry
        polling = name == "getUpdates"
        self.stats.calls[name] += 1
        if not polling:
            self._inflight += 1
            self._touch()
        try:
            params = await Params.read(request)
            if self.latency and not polling:
                await asyncio.sleep(self.latency)
            self._raise_fault(name, params)
            result = await handler(params)
        except ApiError as error:
            return self._refuse(name, error)
        finally:
            if not polling:
                self._inflight -= 1
                self._touch()
        self.stats.sent[name] += 1
        return ok_response(result)

    def _refuse(self, name: str, error: ApiError) -> web.Response:
        self.stats.errors[(name, error.code)] += 1
        self.stats.refused[(name, error.description)] += 1
        if error.code == 429:
            self.stats.too_many_requests += 1
        return error_response(error)
