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
import contextlib
import itertools
import logging
import re
import secrets
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import web
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseUpdateProcessor,
    SimpleUpdateProcessor,
)

from bot.emulator.markup import (
    MAX_CAPTION,
    MAX_TEXT,
    command_entities,
    normalize_reply_markup,
    parse_html,
)
from bot.emulator.protocol import ApiError, Params, error_response, ok_response
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
    image_size,
    reply_keyboard_page,
)

if TYPE_CHECKING:
    from bot.emulator.players import Player

__all__ = ["DEFAULT_TOKEN", "BotApiEmulator", "SettleTimeout", "SettlingUpdateProcessor"]

_LOGGER = logging.getLogger(__name__)

DEFAULT_TOKEN = "7000000001:AAEmulatorJifenTokenNotForTelegram00"
SEND_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument", "copyMessage"})
# Telegram's default when allowed_updates was never set (or set to []).
_DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
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
_BOT_TEXTS = {  # method suffix → (result field, max length)
    "Description": ("description", 512),
    "ShortDescription": ("short_description", 120),
    "Name": ("name", 64),
}
_CONFLICT_POLL = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot "
    "instance is running"
)
_CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; use "
    "deleteWebhook to delete the webhook first"
)

Handler = Callable[[Params], Awaitable[Any]]


class SettleTimeout(TimeoutError):
    """The bot did not fetch an update or did not go quiet in time."""


class _Signal:
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


class SettlingUpdateProcessor(BaseUpdateProcessor):
    """Wraps the Application's update processor (PTB's sequential one by default) and tells the
    emulator when each update's handlers have returned, which makes quiescence exact.

    Use `builder.concurrent_updates(emu.update_processor(inner))`, or `emu.track(app)` for an
    Application built elsewhere (`emu.polling(app)` does that itself).
    """

    def __init__(self, emulator: BotApiEmulator, inner: BaseUpdateProcessor | None = None):
        inner = inner or SimpleUpdateProcessor(1)
        super().__init__(inner.max_concurrent_updates)
        self.inner = inner
        self._emulator = emulator

    async def initialize(self) -> None:
        await self.inner.initialize()
        self._emulator._tracking_processors += 1

    async def shutdown(self) -> None:
        self._emulator._tracking_processors -= 1
        await self.inner.shutdown()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        self._emulator._processing_started()
        try:
            await self.inner.process_update(update, coroutine)
        finally:
            self._emulator._processing_finished(getattr(update, "update_id", None))


class BotApiEmulator:
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
    ):
        self.host = host
        self.port = port
        self.token = bot_token
        self.bot_username = bot_username
        self.idle = idle
        self.settle_timeout = settle_timeout
        self.latency = latency
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
        self._updates_signal = _Signal()
        self._progress = _Signal()
        self._changes = _Signal()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._webhook_task: asyncio.Task[None] | None = None

        self._methods: dict[str, tuple[str, Handler]] = {}
        for attribute in dir(type(self)):
            name = getattr(getattr(type(self), attribute), "_api_name", None)
            if name:
                self._methods[name.lower()] = (name, getattr(self, attribute))
        for suffix, (result_field, limit) in _BOT_TEXTS.items():
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

    def application_builder(self) -> ApplicationBuilder:
        """An ApplicationBuilder already pointed at this emulator."""
        return (
            ApplicationBuilder()
            .token(self.token)
            .base_url(self.base_url)
            .base_file_url(self.base_file_url)
        )

    def update_processor(self, inner: BaseUpdateProcessor | None = None) -> SettlingUpdateProcessor:
        """For `builder.concurrent_updates(...)`: wraps `inner` (default: PTB's sequential
        processing) so that quiescence waits for handlers exactly."""
        return SettlingUpdateProcessor(self, inner)

    def track(self, app: Application) -> Application:
        """Wraps the update processor of an Application built elsewhere (e.g. jifen's own
        factory) in a `SettlingUpdateProcessor`; call before the Application is initialized.

        PTB has no public setter for the processor, so this replaces the private attribute
        `Application._update_processor`; it is test tooling, checked by the emulator's tests.
        """
        if isinstance(app.update_processor, SettlingUpdateProcessor):
            return app
        if app._initialized:
            raise RuntimeError("track() the Application before initializing it")
        app._update_processor = SettlingUpdateProcessor(self, app.update_processor)
        return app

    @contextlib.asynccontextmanager
    async def polling(
        self, app: Application, *, track: bool = True, **start_polling: Any
    ) -> AsyncIterator[Application]:
        """Runs `app` with long polling against this emulator for the duration of the block,
        in the order of PTB's `run_polling` (initialize, post_init, polling, start; then
        stop polling, stop, post_stop, shutdown, post_shutdown), so the factory's hooks run as
        in production. Tracked for exact quiescence unless `track=False`."""
        if track:
            self.track(app)
        start_polling.setdefault("poll_interval", 0)
        updater = app.updater
        if updater is None:
            raise ValueError("the Application was built without an Updater")
        await app.initialize()
        try:
            if app.post_init:
                await app.post_init(app)
            await updater.start_polling(**start_polling)
            await app.start()
            yield app
        finally:
            if updater.running:
                await updater.stop()
            if app.running:
                await app.stop()
                if app.post_stop:
                    await app.post_stop(app)
            await app.shutdown()
            if app.post_shutdown:
                await app.post_shutdown(app)

    # ---------------------------------------------------------------- users and players

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
        from bot.emulator.players import Player

        if user_id not in self.users:
            self.add_user(
                user_id, first_name or f"User{user_id}", last_name, username, language_code
            )
        if user_id not in self._players:
            self._players[user_id] = Player(self, user_id, settle=settle)
        return self._players[user_id]

    user = player

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

    # ---------------------------------------------------------------- faults and limits

    def fail_next(
        self,
        method: str,
        error_code: int,
        description: str | None = None,
        retry_after: int | None = None,
        chat_id: int | None = None,
        count: int = 1,
    ) -> None:
        """The next `count` calls of `method` (to `chat_id`, if given) fail with this error."""
        if error_code == 429 and retry_after is None:
            retry_after = 1
        error = ApiError(error_code, description, retry_after)
        self._faults.append(Fault(method.lower(), error, chat_id, count))

    def enforce_limits(
        self,
        global_per_s: int | None = 30,
        per_chat_per_s: int | None = 1,
        methods: Iterable[str] = SEND_METHODS,
    ) -> None:
        """Answer 429 like Telegram's flood control (rule: see `RateLimits`)."""
        self._limits = RateLimits(global_per_s, per_chat_per_s, frozenset(methods))

    def disable_limits(self) -> None:
        self._limits = None

    def add_busy_check(self, check: Callable[[], bool]) -> None:
        """Quiescence also waits until `check()` is False (e.g. "the outbox is not empty")."""
        self._busy_checks.append(check)

    def remove_busy_check(self, check: Callable[[], bool]) -> None:
        self._busy_checks.remove(check)

    # ---------------------------------------------------------------- events

    def subscribe(self, maxsize: int = 10_000) -> asyncio.Queue[dict[str, Any]]:
        """Live chat events for UIs; see the package docstring for their format."""
        return self.events.subscribe(maxsize)

    def unsubscribe(self, queue: asyncio.Queue[dict[str, Any]]) -> None:
        self.events.unsubscribe(queue)

    def _publish(self, event: Callable[[], dict[str, Any]]) -> None:
        """Tells subscribers (event built only if there are any) and waiting players."""
        if self.events.active:
            self.events.publish(event())
        self._changes.fire()

    def _publish_message(self, kind: str, message: ChatMessage) -> None:
        self._publish(
            lambda: {"type": kind, "chat_id": message.chat_id, "message": message.to_page()}
        )

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
                    "date": int(time.time()),
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

    # ---------------------------------------------------------------- quiescence

    async def settle(
        self,
        update_id: int | None = None,
        *,
        idle: float | None = None,
        max_wait: float | None = None,
    ) -> None:
        """Waits until the bot has fetched (and, if tracked, handled) `update_id` and then gone
        quiet for `idle` seconds; see the module docstring."""
        idle = self.idle if idle is None else idle
        deadline = time.monotonic() + (self.settle_timeout if max_wait is None else max_wait)
        if update_id is not None:
            await self._wait_until(
                lambda: self._delivered_upto >= update_id,
                deadline,
                f"the bot did not fetch update {update_id}: is the Application polling "
                f"(or its webhook set) against {self.base_url}?",
            )
            if self._tracking_processors:
                await self._wait_until(
                    lambda: update_id in self._processed or update_id in self._dropped,
                    deadline,
                    f"the bot's handlers did not finish update {update_id}",
                )
                self._processed.discard(update_id)
        while True:
            now = time.monotonic()
            busy = (
                self._inflight > 0
                or self._processing > 0
                or any(check() for check in self._busy_checks)
            )
            quiet = now - self._last_activity
            if not busy and quiet >= idle:
                return
            if now >= deadline:
                raise SettleTimeout(
                    f"the bot did not go quiet for {idle}s (calls in flight: "
                    f"{self._inflight}, updates in handlers: {self._processing})"
                )
            wait = 0.01 if busy else idle - quiet
            await self._progress.wait(max(0.001, min(wait, deadline - now)))

    async def _wait_until(self, condition: Callable[[], bool], deadline: float, what: str) -> None:
        while not condition():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise SettleTimeout(what)
            await self._progress.wait(remaining)

    def _touch(self) -> None:
        self._last_activity = time.monotonic()
        self._progress.fire()

    def _processing_started(self) -> None:
        self._processing += 1
        self._touch()

    def _processing_finished(self, update_id: int | None) -> None:
        self._processing -= 1
        if update_id is not None:
            self._processed.add(update_id)
        self._touch()

    # ---------------------------------------------------------------- HTTP

    async def _handle_api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return error_response(ApiError(401, "Unauthorized"))
        entry = self._methods.get(request.match_info["method"].lower())
        if entry is None:
            return error_response(ApiError(404, "Not Found: method not found"))
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
            self.stats.errors[(name, error.code)] += 1
            if error.code == 429:
                self.stats.too_many_requests += 1
            return error_response(error)
        finally:
            if not polling:
                self._inflight -= 1
                self._touch()
        self.stats.sent[name] += 1
        return ok_response(result)

    async def _handle_download(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            raise web.HTTPUnauthorized()
        stored = self._files_by_path.get(request.match_info["path"])
        if stored is None:
            raise web.HTTPNotFound()
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )

    async def _handle_page_file(self, request: web.Request) -> web.StreamResponse:
        stored = self.files.get(request.match_info["file_id"])
        if stored is None:
            raise web.HTTPNotFound()
        headers = {}
        if stored.file_name:
            safe_name = re.sub(r"[^\w.\- ]", "_", stored.file_name)
            headers["Content-Disposition"] = f'inline; filename="{safe_name}"'
        return web.Response(
            body=stored.data,
            headers=headers,
            content_type=stored.mime_type or "application/octet-stream",
        )

    def _raise_fault(self, name: str, params: Params) -> None:
        method = name.lower()
        for fault in self._faults:
            if fault.matches(method, params.raw("chat_id")):
                fault.remaining -= 1
                self._faults = [f for f in self._faults if f.remaining > 0]
                raise fault.error

    # ---------------------------------------------------------------- helpers for methods

    def _chat(self, user_id: int) -> Chat:
        chat = self.chats.get(user_id)
        if chat is None:
            raise KeyError(f"no user {user_id}: call emu.add_user() or emu.player() first")
        return chat

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

    def _input_file(self, p: Params, key: str) -> StoredFile:
        """A new upload (stored) or a known file_id (re-used), for sendPhoto/sendDocument."""
        upload = p.upload(key)
        if upload is not None:
            if key == "photo":
                width, height = image_size(upload.data)
                return self._store_file(
                    "photo", upload.data, "image/jpeg", width=width, height=height
                )
            return self._store_file("document", upload.data, upload.content_type, upload.filename)
        ref = p.get_str(key)
        if not ref:
            raise ApiError.bad_request(f"there is no {key} in the request")
        stored = self.files.get(ref)
        if stored is None:
            raise ApiError.bad_request("wrong file identifier/HTTP URL specified")
        if stored.kind != key:
            raise ApiError.bad_request("type of file mismatch")
        return stored

    def _store_file(
        self,
        kind: str,
        data: bytes,
        mime_type: str | None,
        file_name: str | None = None,
        *,
        width: int = 0,
        height: int = 0,
    ) -> StoredFile:
        number = next(self._file_counter)
        unique = f"{'AQAD' if kind == 'photo' else 'AgAD'}{number:06d}"
        stored = StoredFile(
            file_id=f"{unique}{secrets.token_urlsafe(18)}",
            file_unique_id=unique,
            kind=kind,
            data=bytes(data),
            file_name=file_name,
            mime_type=mime_type,
            width=width,
            height=height,
        )
        self.files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def _bump(self) -> int:
        self._seq += 1
        return self._seq

    @property
    def seq(self) -> int:
        """A counter that grows with every message created, edited or deleted."""
        return self._seq

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

    def _scope_key(self, p: Params) -> tuple[Any, ...]:
        scope = p.get_json("scope") or {"type": "default"}
        kind = scope.get("type") if isinstance(scope, dict) else None
        if kind in _SCOPES_WITHOUT_CHAT:
            return (kind,)
        if kind in ("chat", "chat_administrators", "chat_member"):
            chat_id = scope.get("chat_id")
            if not isinstance(chat_id, int) or chat_id not in self.chats:
                raise ApiError.bad_request("chat not found")
            if kind == "chat_member":
                return (kind, chat_id, scope.get("user_id"))
            return (kind, chat_id)
        raise ApiError.bad_request("unsupported bot command scope type")

    @staticmethod
    def _language(p: Params) -> str:
        language = p.get_str("language_code") or ""
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise ApiError.bad_request(
                "invalid language_code specified: use a two-letter ISO 639-1 code"
            )
        return language

    def _bot_text_setter(self, result_field: str, limit: int) -> Handler:
        async def set_text(p: Params) -> bool:
            value = p.get_str(result_field) or ""
            if len(value) > limit:
                raise ApiError.bad_request(f"{result_field} is too long")
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

    # ---------------------------------------------------------------- updates and webhooks

    def _allowed(self, update: dict[str, Any]) -> bool:
        kind = next(key for key in update if key != "update_id")
        if self._allowed_updates:
            return kind in self._allowed_updates
        return kind not in _DEFAULT_EXCLUDED_UPDATES

    def _delivered(self, update_id: int) -> None:
        """The bot has the update now: the idle window restarts from here."""
        if update_id > self._delivered_upto:
            self._delivered_upto = update_id
            self._touch()

    def _drop(self, update: dict[str, Any]) -> None:
        self._pending.remove(update)
        self._dropped.add(update["update_id"])
        self._delivered(update["update_id"])

    def _confirm(self, offset: int) -> None:
        """getUpdates with `offset` forgets every update before it, as Telegram does."""
        while self._pending and self._pending[0]["update_id"] < offset:
            self._pending.popleft()
        if offset > 1:
            self._delivered(offset - 1)

    def _deliverable(self, offset: int | None, limit: int) -> list[dict[str, Any]]:
        for update in [u for u in self._pending if not self._allowed(u)]:
            self._drop(update)
        updates = list(self._pending)
        if offset is not None and offset < 0:
            updates = updates[offset:]
        return updates[:limit]

    @api_method("getUpdates")
    async def _get_updates(self, p: Params) -> list[dict[str, Any]]:
        if self.webhook is not None:
            raise ApiError(409, _CONFLICT_WEBHOOK)
        self._poll_generation += 1
        generation = self._poll_generation
        self._updates_signal.fire()  # an older long poll ends with 409, as on Telegram
        offset = p.get_int("offset")
        limit = min(max(p.get_int("limit", 100) or 100, 1), 100)
        allowed = p.get_json("allowed_updates")
        if allowed is not None:
            self._allowed_updates = list(allowed)
        if offset is not None and offset > 0:
            self._confirm(offset)
        deadline = time.monotonic() + max(0.0, p.get_float("timeout", 0.0) or 0.0)
        while True:
            updates = self._deliverable(offset, limit)
            remaining = deadline - time.monotonic()
            if updates or remaining <= 0 or self._closing:
                break
            await self._updates_signal.wait(remaining)
            if generation != self._poll_generation:
                raise ApiError(409, _CONFLICT_POLL)
            if self.webhook is not None:
                raise ApiError(409, _CONFLICT_WEBHOOK)
        transport = p.request.transport if p.request is not None else None
        if updates and (transport is None or transport.is_closing()):
            return []  # the client gave up waiting; keep the updates for its next call
        if updates:
            self._delivered(updates[-1]["update_id"])
        return updates

    @api_method("setWebhook")
    async def _set_webhook(self, p: Params) -> bool:
        url = p.get_str("url") or ""
        if not url:
            await self._remove_webhook(p)
            return True
        if not re.match(r"https?://", url):
            raise ApiError.bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = p.get_str("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise ApiError.bad_request("secret token contains unallowed characters")
        allowed = p.get_json("allowed_updates")
        if allowed is not None:
            self._allowed_updates = list(allowed)
        await self._stop_webhook_delivery()
        if p.get_bool("drop_pending_updates"):
            self._drop_all()
        self.webhook = {
            "url": url,
            "secret_token": secret,
            "max_connections": p.get_int("max_connections", 40),
        }
        self.webhook_error = None
        self._updates_signal.fire()  # waiting long polls end with 409
        self._webhook_task = asyncio.create_task(self._deliver_to_webhook(self.webhook))
        return True

    @api_method("deleteWebhook")
    async def _delete_webhook(self, p: Params) -> bool:
        await self._remove_webhook(p)
        return True

    async def _remove_webhook(self, p: Params) -> None:
        await self._stop_webhook_delivery()
        self.webhook = None
        if p.get_bool("drop_pending_updates"):
            self._drop_all()

    def _drop_all(self) -> None:
        for update in list(self._pending):
            self._drop(update)

    async def _stop_webhook_delivery(self) -> None:
        task, self._webhook_task = self._webhook_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    @api_method("getWebhookInfo")
    async def _get_webhook_info(self, p: Params) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.webhook["url"] if self.webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if self.webhook:
            info["max_connections"] = self.webhook["max_connections"]
        if self._allowed_updates:
            info["allowed_updates"] = self._allowed_updates
        if self.webhook_error:
            info["last_error_date"], info["last_error_message"] = self.webhook_error
        return info

    async def _deliver_to_webhook(self, hook: dict[str, Any]) -> None:
        """POSTs pending updates one at a time, in order, retrying failures with backoff."""
        headers = {"Content-Type": "application/json"}
        if hook["secret_token"]:
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook["secret_token"]
        backoff = 0.05
        while True:
            updates = self._deliverable(None, 1)
            if not updates:
                await self._updates_signal.wait(None)
                continue
            update = updates[0]
            error: str | None = None
            try:
                assert self._session is not None
                async with self._session.post(hook["url"], json=update, headers=headers) as resp:
                    await resp.read()
                    if not 200 <= resp.status < 300:
                        error = f"Wrong response from the webhook: {resp.status} {resp.reason}"
            except (aiohttp.ClientError, TimeoutError) as exc:
                error = f"Connection failed: {exc!r}"
            if error is None:
                if update in self._pending:
                    self._pending.remove(update)
                self._delivered(update["update_id"])
                backoff = 0.05
            else:
                _LOGGER.warning("webhook delivery failed: %s", error)
                self.webhook_error = (int(time.time()), error)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 1.0)

    # ---------------------------------------------------------------- Bot API methods

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

    async def _send_file(self, p: Params, method: str, key: str) -> dict[str, Any]:
        chat = self._target_chat(p)
        caption, caption_entities = self._formatted(p, "caption", MAX_CAPTION, required=False)
        markup = self._reply_markup(p)
        reply_to = self._reply_target(chat, p)
        stored = self._input_file(p, key)
        return self._send(
            method,
            chat,
            caption=caption,
            caption_entities=caption_entities,
            reply_markup=markup,
            reply_to=reply_to,
            **{key: stored},
        ).to_api()

    @api_method("sendPhoto")
    async def _send_photo(self, p: Params) -> dict[str, Any]:
        return await self._send_file(p, "sendPhoto", "photo")

    @api_method("sendDocument")
    async def _send_document(self, p: Params) -> dict[str, Any]:
        return await self._send_file(p, "sendDocument", "document")

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

    @api_method("getFile")
    async def _get_file(self, p: Params) -> dict[str, Any]:
        stored = self.files.get(p.get_str("file_id") or "")
        if stored is None:
            raise ApiError.bad_request("invalid file_id")
        return stored.file_api()

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

    @api_method("answerCallbackQuery")
    async def _answer_callback_query(self, p: Params) -> bool:
        record = self.callbacks.get(p.get_str("callback_query_id") or "")
        if record is None or record.answered:
            raise ApiError.bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        text = p.get_str("text")
        if text is not None and len(text) > 200:
            raise ApiError.bad_request("MESSAGE_TOO_LONG")
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

    @api_method("setMyCommands")
    async def _set_my_commands(self, p: Params) -> bool:
        commands = p.get_json("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError.bad_request("commands must be a list of at most 100 BotCommand")
        checked: list[dict[str, str]] = []
        for command in commands:
            name = command.get("command", "") if isinstance(command, dict) else ""
            description = command.get("description", "") if isinstance(command, dict) else ""
            if not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise ApiError.bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise ApiError.bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
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
            raise ApiError.bad_request("chat not found")
        return chat

    @api_method("setChatMenuButton")
    async def _set_chat_menu_button(self, p: Params) -> bool:
        button = p.get_json("menu_button")
        if button is not None and not (isinstance(button, dict) and button.get("type")):
            raise ApiError.bad_request("can't parse menu button")
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
            raise ApiError.bad_request("wrong parameter action in request")
        chat.last_action = action
        self._publish(lambda: {"type": "chat_action", "chat_id": chat.user.id, "action": action})
        return True
