"""How the process talks to Telegram: polling, webhook (aiohttp) or the sandbox.

Nothing outside this module knows how the process was started (STYLE.md §3).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from api.app import PREFIX as API_PREFIX
from api.app import build_api
from api.miniapp.launch import attach as miniapp_routes
from bot.app import build_application
from bot.settings import Settings

log = logging.getLogger(__name__)
WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def health_routes() -> list[web.RouteDef]:
    async def health(_: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    return [web.get("/healthz", health)]


def webhook_routes(application: Application, secret: str) -> list[web.RouteDef]:
    """The route Telegram posts updates to; requests without our secret are refused."""

    async def receive(request: web.Request) -> web.Response:
        if secret and request.headers.get(SECRET_HEADER) != secret:
            return web.Response(status=403)
        try:
            update = Update.de_json(await request.json(), application.bot)
        except (ValueError, KeyError, TypeError):
            return web.Response(status=400)
        await application.update_queue.put(update)
        return web.Response()

    return [web.post(WEBHOOK_PATH, receive)]


async def wait_for_signal() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()


async def _serve(
    routes: list[web.RouteDef], host: str, port: int, *, api: web.Application | None = None
) -> web.AppRunner:
    app = web.Application()
    app.add_routes(routes)
    if api is not None:
        app.add_subapp(API_PREFIX, api)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    log.info("HTTP server on http://%s:%s", host, port)
    return runner


async def run_bot(settings: Settings) -> None:
    """Run against Telegram (or ``bot.api_url``) by polling or webhook until a signal.

    Either way one aiohttp server on ``bot.listen_host:listen_port`` serves ``/healthz``,
    the webhook (webhook mode) and the HTTP API under ``/api/v1`` (``api.enabled``).
    """
    application = build_application(settings)
    secret = settings.bot.webhook_secret.get_secret_value()
    routes = health_routes()
    routes += miniapp_routes(application, settings)  # /app/ when bot.public_url is set
    if settings.bot.mode == "webhook":
        routes += webhook_routes(application, secret)
    async with application:  # initialize/shutdown; the hooks are ours to call (as run_polling does)
        assert application.post_init is not None and application.post_shutdown is not None
        await application.post_init(application)
        api = build_api(settings) if settings.api.enabled else None
        runner = await _serve(routes, settings.bot.listen_host, settings.bot.listen_port, api=api)
        await application.start()
        if settings.bot.mode == "webhook":
            await application.bot.set_webhook(
                settings.bot.webhook_url.rstrip("/") + WEBHOOK_PATH,
                secret_token=secret or None,
                allowed_updates=Update.ALL_TYPES,
            )
        else:
            await application.bot.delete_webhook()
            assert application.updater is not None
            await application.updater.start_polling(allowed_updates=Update.ALL_TYPES)
        log.info("jifen is running (%s); Ctrl+C to stop", settings.bot.mode)
        try:
            await wait_for_signal()
        finally:
            if application.updater is not None and application.updater.running:
                await application.updater.stop()
            await application.stop()
            await runner.cleanup()
            await application.post_shutdown(application)
