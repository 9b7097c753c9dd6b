"""The sandbox: the real bot against the built-in Bot API emulator, with a web chat page.

For a merchant trying jifen, a trainer teaching cashiers, a developer without a bot token.
The Application is built by the same ``build_application`` as in production (it opens the
store itself, ``manage_store=True``); only the Bot API address is the emulator's and the
database is ``sandbox.database_url``, so trying things never touches production data.
The page (see :mod:`bot.emulator.web`) is served by the emulator's own aiohttp app, and
so is everything else a deployment serves: the HTTP API at ``/api/v1`` (with a demo key
made at start), the Mini App (``/app/``, with phone panels at ``/miniapp/``) and the
time control (:mod:`.timecontrol`: move the sandbox's clock, run what falls due).

``demo``: the first hour (a catalogue, a campaign, five shoppers); ``season``: six months
of history for some 300 members (:mod:`models.sandbox.season`), the first hour on top.

    async with Sandbox(settings, season=True, port=0) as sandbox:
        print(sandbox.url)
"""

from __future__ import annotations

import contextlib
import logging
import webbrowser
from pathlib import Path
from types import TracebackType

from aiohttp import web
from telegram.ext import Application

from api.app import PREFIX as API_PREFIX
from api.app import build_api
from api.console import PREFIX as CONSOLE_PREFIX
from api.console import build_console, mount
from api.miniapp.launch import buttons_on_start
from bot.app import build_application
from bot.emulator import BotApiEmulator
from bot.emulator.web import add_web_routes
from bot.runners import wait_for_signal
from bot.sandbox.miniapp import add_miniapp_routes
from bot.sandbox.page import files_handler, page_strings
from bot.sandbox.personas import PERSONAS, Persona, admin_ids
from bot.sandbox.seeding import Seeded, seed
from bot.sandbox.timecontrol import TimeControl
from bot.settings import Settings
from models.sandbox import season as season_data
from models.store import clock, db
from observability.logs import request_id_middleware
from observability.metrics import metrics_middleware, metrics_routes

__all__ = ["PERSONAS", "Persona", "Sandbox", "run_sandbox", "sandbox_settings"]

log = logging.getLogger(__name__)
SENDER_POLL_SECONDS = 0.2
"""Receipts and other outbox messages show up this fast in the page."""
STATIC = Path(__file__).parent / "static"
PAGE_EXTRAS = {"clock.js": "text/javascript", "clock.css": "text/css"}
"""The page's time control and tools panel (``/sandbox/static/…``)."""


def sandbox_settings(settings: Settings, *, season: bool = False) -> Settings:
    """The running settings with the sandbox database and the admin persona as admin
    (and, for a season, win-back offers on: the season has members to win back)."""
    if settings.sandbox.database_url == settings.database.url:
        raise ValueError(
            "sandbox.database_url is the production database.url: the sandbox needs its own "
            "database (JIFEN_SANDBOX__DATABASE_URL) so trying things never touches real data"
        )
    admins = sorted({*settings.access.admins, *admin_ids()})
    update = {
        "database": settings.database.model_copy(update={"url": settings.sandbox.database_url}),
        "access": settings.access.model_copy(update={"admins": admins}),
    }
    if season:
        update["offers"] = settings.offers.model_copy(update={"winback_enabled": True})
    return settings.model_copy(update=update)


def _ensure_sqlite_dir(url: str) -> None:
    if db.is_sqlite(url):
        path = url.split("://", 1)[1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)


class Sandbox:
    """The emulator, the page and the bot, running until the block ends."""

    def __init__(
        self,
        settings: Settings,
        *,
        demo: bool = False,
        season: bool = False,
        season_size: int = season_data.DEFAULT_SIZE,
        port: int | None = None,
        fresh_store: bool = False,
    ) -> None:
        """``fresh_store=True`` (tests): create the schema from the models and keep the
        store open around the bot, instead of migrating and letting the bot open it."""
        self.settings = sandbox_settings(settings, season=season)
        self.demo = demo
        self.season = season
        self.season_size = season_size
        self.fresh_store = fresh_store
        self.seeded: Seeded | None = None
        self.emu = BotApiEmulator(
            host=settings.sandbox.host,
            port=settings.sandbox.port if port is None else port,
            bot_username=settings.bot.username or "jifen_bot",
            bot_name=settings.bot.shop_name,
        )
        self.emu.web_app.middlewares.extend([request_id_middleware, metrics_middleware])
        metrics = self.settings.metrics
        self.emu.web_app.add_routes(
            metrics_routes(metrics.enabled, metrics.token.get_secret_value())
        )
        self.emu.clock = lambda: clock.now().timestamp()  # messages dated in sandbox time
        extras = [f"/sandbox/static/{name}" for name in PAGE_EXTRAS if name.endswith(".js")]
        people = [p.person for p in PERSONAS]
        self.players = add_web_routes(self.emu, people, page_strings, extras=extras)
        add_miniapp_routes(self.emu, self.settings, people, self._username)
        extra_files = files_handler(STATIC, PAGE_EXTRAS)
        self.emu.web_app.add_routes([web.get("/sandbox/static/{name}", extra_files)])
        if self.settings.api.enabled:
            self.emu.web_app.add_subapp(API_PREFIX, build_api(self.settings))
        console = build_console(
            self.settings,
            bot_token=self.emu.token,
            public_url=lambda: self.emu.url,
            bot_username=self._username,
        )
        mount(self.emu.web_app, console)
        self.time = TimeControl(self.settings, self.emu.web_app)
        self.application: Application | None = None
        self._stack = contextlib.AsyncExitStack()

    @property
    def url(self) -> str:
        return f"{self.emu.url}/"

    @property
    def console_url(self) -> str:
        """The back-office console (log in with /console from the admin's chat)."""
        return f"{self.emu.url}{CONSOLE_PREFIX}/"

    @property
    def miniapp_url(self) -> str:
        """The Mini App's phone panels (the real Mini App under ``/app/``)."""
        return f"{self.emu.url}/miniapp/"

    def _username(self) -> str | None:
        return self.application.bot_data.get("bot_username") if self.application else None

    async def __aenter__(self) -> Sandbox:
        url = self.settings.database.url
        _ensure_sqlite_dir(url)
        try:
            self._stack.callback(clock.unfreeze)  # the sandbox's time ends with it
            if self.fresh_store:
                await db.open_fresh_store(url)
                self._stack.push_async_callback(db.close_store)
                await self._seed()
            else:
                await db.open_store(url)
                try:
                    await self._seed()
                finally:
                    await db.close_store()
            await self._stack.enter_async_context(self.emu)
            self.application = build_application(
                self.settings,
                token=self.emu.token,
                api_url=self.emu.base_url,
                file_url=self.emu.base_file_url,
                manage_store=not self.fresh_store,
            )
            self.time.attach(self.application)
            buttons_on_start(self.application, self.settings, lambda: self.emu.url)
            self.application.bot_data["public_url"] = self.emu.url  # /console's login links
            # untracked: nothing here waits for quiescence, and PTB stays unpatched
            polling = self.emu.polling(self.application, track=False)
            await self._stack.enter_async_context(polling)
            self._stack.push_async_callback(self.time.close)  # first: the store is open
        except BaseException:
            await self._stack.aclose()
            raise
        handle = self.application.bot_data.get("scheduler")
        if handle is not None:
            handle.sender.poll_interval = SENDER_POLL_SECONDS
        return self

    async def _seed(self) -> None:
        """Roles, demo data, the demo API key; the emulator learns the season's members
        (their messages are delivered like everyone's) and the clock its time."""
        self.seeded = await seed(
            self.settings,
            demo_data=self.demo,
            season_size=self.season_size if self.season else 0,
        )
        self.time.api_key = self.seeded.api_key
        for telegram_id, first, last, language in await season_data.members_on_telegram():
            self.emu.add_user(telegram_id, first, last or None, language_code=language)
        await self.time.resume()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self._stack.aclose()


async def run_sandbox(
    settings: Settings,
    *,
    open_browser: bool = False,
    demo: bool = False,
    season: bool = False,
    port: int | None = None,
) -> None:
    """``jifen sandbox``: run until Ctrl+C (SIGINT/SIGTERM), then shut down cleanly."""
    if season:
        print("jifen sandbox: seeding six months of history (once per database)…", flush=True)
    async with Sandbox(settings, demo=demo, season=season, port=port) as sandbox:
        _report_season(sandbox.seeded)
        print(f"jifen sandbox: open {sandbox.url} (Ctrl+C to stop)", flush=True)
        print(f"the Mini App (member's card, cashier's scanner): {sandbox.miniapp_url}", flush=True)
        log.info("sandbox database: %s", sandbox.settings.database.url)
        if open_browser:
            webbrowser.open(sandbox.url)
        await wait_for_signal()
    print("jifen sandbox stopped", flush=True)


def _report_season(seeded: Seeded | None) -> None:
    loaded = seeded.season if seeded else None
    if loaded is None:
        return
    if loaded.skipped:
        print(f"jifen sandbox: no new season ({loaded.skipped})", flush=True)
        return
    print(
        f"jifen sandbox: a season of {loaded.members} members, {loaded.purchases} purchases,"
        f" {loaded.vouchers} vouchers ({loaded.redeemed} redeemed), {loaded.refunds} refunds"
        f" and {loaded.campaigns} campaigns, seeded in {seeded.seconds:.1f} s",  # type: ignore[union-attr]
        flush=True,
    )
