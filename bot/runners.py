"""How the process talks to Telegram: polling, webhook (aiohttp) or the sandbox.

Nothing outside this module knows how the process was started (STYLE.md §3). In both modes
updates go through the inbox in the store (:mod:`bot.inbox`), so any number of instances
share one database: each has an id and a heartbeat that keeps its leases
(:mod:`scheduler.leases`): ``jobs``, ``sender`` and, in polling mode, ``poller``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import signal

from aiohttp import web
from telegram import Update
from telegram.error import InvalidToken, NetworkError
from telegram.ext import Application

from api.app import PREFIX as API_PREFIX
from api.app import build_api
from api.console import build_console, mount
from api.miniapp.launch import attach as miniapp_routes
from bot.app import build_application
from bot.inbox import InboxWorker, Poller, Pruner
from bot.settings import Settings
from models.delivery import inbox
from observability.logs import request_id_middleware
from observability.metrics import metrics_middleware, metrics_routes
from scheduler.leases import Leases, instance_id

log = logging.getLogger(__name__)
WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
POLLER_LEASE = "poller"


def health_routes(leases: Leases | None = None) -> list[web.RouteDef]:
    """``/healthz``: this instance's id, the leases it holds and how far the inbox lags."""

    async def health(_: web.Request) -> web.Response:
        if leases is None:
            return web.json_response({"ok": True})
        try:
            lag = await inbox.lag()
        except Exception:
            log.exception("health: the store does not answer")
            return web.json_response({"ok": False, "instance": leases.holder}, status=503)
        return web.json_response(
            {
                "ok": True,
                "instance": leases.holder,
                "leases": sorted(leases.held),
                "inbox": {"pending": lag.pending, "lag_seconds": round(lag.oldest_seconds, 3)},
            }
        )

    return [web.get("/healthz", health)]


def webhook_routes(worker: InboxWorker, secret: str) -> list[web.RouteDef]:
    """The route Telegram posts updates to: stored in the inbox before the 200.

    Requests without our secret are refused (compared in constant time); an update that
    cannot be stored (the database is away) gets a 500, so Telegram delivers it again.
    """
    expected = secret.encode()

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not expected or not hmac.compare_digest(given, expected):
            return web.Response(status=403)
        try:
            data = json.loads(await request.read())
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                raise ValueError("not an update")
            await worker.receive(data)
        except (ValueError, KeyError, TypeError):
            return web.Response(status=400)
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
    routes: list[web.RouteDef],
    host: str,
    port: int,
    *,
    api: web.Application | None = None,
    console: web.Application | None = None,
) -> web.AppRunner:
    app = web.Application(middlewares=[request_id_middleware, metrics_middleware])
    app.add_routes(routes)
    if api is not None:
        app.add_subapp(API_PREFIX, api)
    if console is not None:
        mount(app, console)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    log.info("HTTP server on http://%s:%s", host, port)
    return runner


class TelegramRefused(Exception):
    """The Bot API answered, and refused us (the token): retrying cannot help."""


async def reach_telegram(
    application: Application,
    api_url: str,
    *,
    first_delay: float = 1.0,
    max_delay: float = 60.0,
    attempts: int | None = None,
) -> None:
    """Initialize the bot (its ``getMe``), retrying with backoff while the Bot API cannot
    be reached: one log line per attempt saying which URL and what to check, never a
    chain of tracebacks. A refused token stops at once (:class:`TelegramRefused`)."""
    delay, tried = first_delay, 0
    while True:
        tried += 1
        try:
            await application.bot.initialize()
            return
        except InvalidToken as refused:
            raise TelegramRefused(
                f"the Bot API at {api_url} refused the token ({refused.message}):"
                " check JIFEN_BOT__TOKEN (from @BotFather)"
            ) from None
        except NetworkError as failed:  # TimedOut is one
            if attempts is not None and tried >= attempts:
                raise
            log.error(
                "cannot reach the Bot API at %s (%s): check the network, a proxy or"
                " bot.api_url; trying again in %.0f s",
                api_url,
                failed.message,
                delay,
            )
        await asyncio.sleep(delay)
        delay = min(delay * 2, max_delay)


def console_app(application: Application, settings: Settings) -> web.Application | None:
    """The console at ``/console/`` when ``bot.public_url`` is set (where its login links
    point), checking initData against this bot's token."""
    public_url = settings.bot.public_url.strip()
    if not public_url:
        return None
    return build_console(
        settings,
        bot_token=application.bot.token,
        public_url=lambda: public_url,
        bot_username=lambda: application.bot_data.get("bot_username") or settings.bot.username,
    )


async def run_bot(settings: Settings) -> None:
    """Run against Telegram (or ``bot.api_url``) by polling or webhook until a signal.

    Either way one aiohttp server on ``bot.listen_host:listen_port`` serves ``/healthz``,
    the webhook (webhook mode), the HTTP API under ``/api/v1`` (``api.enabled``) and, when
    ``bot.public_url`` is set, the Mini App at ``/app/`` and the console at ``/console/``.
    """
    holder = instance_id(settings.bot.instance_id, settings.bot.listen_port)
    leases = Leases(holder)
    application = build_application(settings)
    application.bot_data["leases"] = leases
    worker = InboxWorker(application, holder)
    leases.on_beat(worker.renew)
    leases.on_beat(Pruner(leases))
    webhook = settings.bot.mode == "webhook"
    routes = health_routes(leases)
    routes += metrics_routes(settings.metrics.enabled, settings.metrics.token.get_secret_value())
    routes += miniapp_routes(application, settings)  # /app/ when bot.public_url is set
    if webhook:
        routes += webhook_routes(worker, settings.bot.webhook_secret.get_secret_value())
    await reach_telegram(application, settings.bot.api_url)
    async with application:  # initialize/shutdown; the hooks are ours to call
        assert application.post_init is not None and application.post_shutdown is not None
        await application.post_init(application)
        poller = Poller(application, worker)
        if not webhook:
            leases.want(POLLER_LEASE, on_gain=poller.start, on_loss=poller.stop)
        await application.start()  # no Updater: updates come from the inbox
        await worker.start()
        leases.start()
        api = build_api(settings) if settings.api.enabled else None
        runner = await _serve(
            routes,
            settings.bot.listen_host,
            settings.bot.listen_port,
            api=api,
            console=console_app(application, settings),
        )
        if webhook:
            await application.bot.set_webhook(
                settings.bot.webhook_url.rstrip("/") + WEBHOOK_PATH,
                secret_token=settings.bot.webhook_secret.get_secret_value(),
                allowed_updates=Update.ALL_TYPES,
            )
        else:
            await application.bot.delete_webhook()
        log.info("jifen is running (%s) as %s; Ctrl+C to stop", settings.bot.mode, holder)
        try:
            await wait_for_signal()
        finally:
            await _stop(application, leases, worker, runner)


async def _stop(
    application: Application, leases: Leases, worker: InboxWorker, runner: web.AppRunner
) -> None:
    """Stop taking updates, finish what is claimed, then give up (only) our leases."""
    await runner.cleanup()
    await worker.stop()
    await leases.stop()
    await application.stop()
    assert application.post_shutdown is not None
    await application.post_shutdown(application)
