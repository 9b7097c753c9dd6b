"""The Application factory: the same bot for Telegram, the sandbox and the tests.

Only the Bot API address differs between them (``bot.api_url``/``bot.file_url``, or the
emulator's). ``post_init`` opens the store, seeds the rule version from config, learns
the bot's username, publishes the command menus and starts the scheduler.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes

from bot.pace import PacedRateLimiter
from bot.settings import Settings
from bot.updates import PerUserUpdateProcessor, describe
from handlers import FEATURES
from handlers.callbacks import CallbackCodec
from handlers.context import JifenContext
from handlers.registry import Feature, install, publish_menus
from locales import language_for, translator
from models.access.staff import Grant
from models.ledger import rule_versions
from models.reports import weekly
from models.store import db, secrets
from models.store.tables import Role, StaffRole
from scheduler import start_scheduler
from scheduler.pace import SharedPace

log = logging.getLogger(__name__)

GIL_SWITCH_INTERVAL = 0.0005
"""aiosqlite runs each statement on a worker thread; with CPython's default 5 ms switch
interval a busy event loop keeps the worker waiting up to 5 ms per 0.1 ms statement.
Half a millisecond roughly doubles /balance throughput (bench/bot.py)."""


def build_application(
    settings: Settings,
    *,
    token: str | None = None,
    api_url: str | None = None,
    file_url: str | None = None,
    features: Sequence[Feature] = FEATURES,
    manage_store: bool = True,
) -> Application:
    """Build the bot. ``manage_store=False`` when the caller has opened the store itself."""
    sys.setswitchinterval(GIL_SWITCH_INTERVAL)
    pace = SharedPace(settings.outbox.messages_per_second)
    application = (
        ApplicationBuilder()
        .token(token or settings.bot.token.get_secret_value())
        .base_url(api_url or settings.bot.api_url)
        .base_file_url(file_url or settings.bot.file_url)
        .context_types(ContextTypes(context=JifenContext))
        .concurrent_updates(PerUserUpdateProcessor())
        .rate_limiter(PacedRateLimiter(pace))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    application.bot_data.update(settings=settings, pace=pace, manage_store=manage_store)
    install(application, features)
    application.add_error_handler(_on_error)
    return application


async def _post_init(application: Application) -> None:
    settings: Settings = application.bot_data["settings"]
    if application.bot_data["manage_store"]:
        migrate = settings.database.migrate_on_start
        await db.open_store(settings.database.url, apply_migrations=migrate)
    await _seed_rules(settings)
    application.bot_data["codec"] = CallbackCodec(await _signing_secret(settings))
    me = await application.bot.get_me()
    application.bot_data["bot_username"] = settings.bot.username or me.username
    await publish_menus(application, await _active_grants(settings))
    application.bot_data["scheduler"] = await start_scheduler(
        application,
        settings,
        weekly_report=weekly.hook(settings.scheduler.timezone, settings.access.admins),
        leases=application.bot_data.get("leases"),  # the runner's heartbeat, if it made one
        pace=application.bot_data["pace"],
    )


async def _post_shutdown(application: Application) -> None:
    handle = application.bot_data.pop("scheduler", None)
    if handle is not None:
        await handle.stop()
    if application.bot_data["manage_store"]:
        await db.close_store()


async def _signing_secret(settings: Settings) -> bytes:
    """From the environment, else generated once into the store: every instance agrees."""
    configured, legacy = settings.signing_seed()
    return (configured or await secrets.shared_secret(secrets.SIGNING, seed=legacy)).encode()


async def _seed_rules(settings: Settings) -> None:
    await rule_versions.ensure_seeded(settings.rules)


async def _active_grants(settings: Settings) -> list[Grant]:
    grants = [Grant(admin, Role.ADMIN, None) for admin in settings.access.admins]
    rows = await StaffRole.filter(active=True).exclude(telegram_id__in=settings.access.admins)
    grants += [Grant(r.telegram_id, r.role, r.location) for r in rows]
    return grants


async def _on_error(update: object, context: JifenContext) -> None:
    """Log the bug and tell the person nothing was changed (transactions rolled back).

    The log names the update by id and kind only: never a name or the text someone sent.
    """
    log.error("error while handling %s", describe(update), exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        user = update.effective_user
        language = language_for(user.language_code if user else None)
        try:
            await update.effective_chat.send_message(translator(language)("common-error"))
        except Exception:
            log.exception("could not report the error to the chat")
