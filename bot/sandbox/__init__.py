"""The sandbox: the real bot against the built-in Bot API emulator, with a web chat page.

For a merchant trying jifen, a trainer teaching cashiers, a developer without a bot token.
The Application is built by the same ``build_application`` as in production (it opens the
store itself, ``manage_store=True``); only the Bot API address is the emulator's and the
database is ``sandbox.database_url``, so trying things never touches production data.
The page (see :mod:`bot.emulator.web`) is served by the emulator's own aiohttp app.

    async with Sandbox(settings, demo=True, port=0) as sandbox:
        print(sandbox.url)
"""

from __future__ import annotations

import contextlib
import logging
import webbrowser
from pathlib import Path
from types import TracebackType

from telegram.ext import Application

from api.console import PREFIX as CONSOLE_PREFIX
from api.console import build_console, mount
from api.miniapp.launch import buttons_on_start
from bot.app import build_application
from bot.emulator import BotApiEmulator
from bot.emulator.web import add_web_routes
from bot.runners import wait_for_signal
from bot.sandbox.miniapp import add_miniapp_routes
from bot.sandbox.page import page_strings
from bot.sandbox.personas import PERSONAS, Persona, admin_ids, grant_roles
from bot.settings import Settings
from models.sandbox import demo
from models.store import db
from observability.logs import request_id_middleware
from observability.metrics import metrics_middleware, metrics_routes

__all__ = ["PERSONAS", "Persona", "Sandbox", "run_sandbox", "sandbox_settings"]

log = logging.getLogger(__name__)
SENDER_POLL_SECONDS = 0.2
"""Receipts and other outbox messages show up this fast in the page."""


def sandbox_settings(settings: Settings) -> Settings:
    """The running settings with the sandbox database and the admin persona as admin."""
    if settings.sandbox.database_url == settings.database.url:
        raise ValueError(
            "sandbox.database_url is the production database.url: the sandbox needs its own "
            "database (JIFEN_SANDBOX__DATABASE_URL) so trying things never touches real data"
        )
    admins = sorted({*settings.access.admins, *admin_ids()})
    return settings.model_copy(
        update={
            "database": settings.database.model_copy(update={"url": settings.sandbox.database_url}),
            "access": settings.access.model_copy(update={"admins": admins}),
        }
    )


def _ensure_sqlite_dir(url: str) -> None:
    if db.is_sqlite(url):
        path = url.split("://", 1)[1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)


async def seed(settings: Settings, *, demo_data: bool) -> None:
    """Give the personas their roles and load the demo data (the store is open)."""
    await grant_roles()
    if demo_data:
        loaded = await demo.load(settings.rules)
        log.info("demo data: %s", loaded)


class Sandbox:
    """The emulator, the page and the bot, running until the block ends."""

    def __init__(
        self,
        settings: Settings,
        *,
        demo: bool = False,
        port: int | None = None,
        fresh_store: bool = False,
    ) -> None:
        """``fresh_store=True`` (tests): create the schema from the models and keep the
        store open around the bot, instead of migrating and letting the bot open it."""
        self.settings = sandbox_settings(settings)
        self.demo = demo
        self.fresh_store = fresh_store
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
        self.players = add_web_routes(self.emu, [p.person for p in PERSONAS], page_strings)
        add_miniapp_routes(self.emu, self.settings, [p.person for p in PERSONAS], self._username)
        console = build_console(
            self.settings, bot_token=self.emu.token, public_url=lambda: self.emu.url
        )
        mount(self.emu.web_app, console)
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
            if self.fresh_store:
                await db.open_fresh_store(url)
                self._stack.push_async_callback(db.close_store)
                await seed(self.settings, demo_data=self.demo)
            else:
                await db.open_store(url)
                try:
                    await seed(self.settings, demo_data=self.demo)
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
            buttons_on_start(self.application, self.settings, lambda: self.emu.url)
            self.application.bot_data["public_url"] = self.emu.url  # /console's login links
            # untracked: nothing here waits for quiescence, and PTB stays unpatched
            polling = self.emu.polling(self.application, track=False)
            await self._stack.enter_async_context(polling)
        except BaseException:
            await self._stack.aclose()
            raise
        handle = self.application.bot_data.get("scheduler")
        if handle is not None:
            handle.sender.poll_interval = SENDER_POLL_SECONDS
        return self

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
    port: int | None = None,
) -> None:
    """``jifen sandbox``: run until Ctrl+C (SIGINT/SIGTERM), then shut down cleanly."""
    async with Sandbox(settings, demo=demo, port=port) as sandbox:
        print(f"jifen sandbox: open {sandbox.url} (Ctrl+C to stop)", flush=True)
        print(f"the Mini App (member's card, cashier's scanner): {sandbox.miniapp_url}", flush=True)
        log.info("sandbox database: %s", sandbox.settings.database.url)
        if open_browser:
            webbrowser.open(sandbox.url)
        await wait_for_signal()
    print("jifen sandbox stopped", flush=True)
