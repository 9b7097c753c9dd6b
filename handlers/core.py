"""The commands every bot has: ``/start`` (with deep links) and ``/help``."""

from __future__ import annotations

from telegram import Update

from handlers.context import JifenContext
from handlers.registry import Command, Feature, commands_for, reply, router


async def start(update: Update, context: JifenContext) -> None:
    """``/start``: a scanned QR / shared link (``/start m-…``) or a plain welcome."""
    route = router(context)
    if context.args:
        if not await route.on_deep_link(update, context, context.args[0]):
            await reply(update, context.t("core-link-invalid"))
        return
    if route.on_start is not None:
        await route.on_start(update, context)
    else:
        await help_command(update, context)


async def help_command(update: Update, context: JifenContext) -> None:
    """``/help``: what this person can do, from the same table that builds their menu."""
    commands = commands_for(context.bot_data["features"], context.role, context.lang)
    lines = [f"/{c.command} — {c.description}" for c in commands]
    await reply(update, context.t("core-help", commands="\n".join(lines)))


FEATURE = Feature(
    name="core",
    commands=(
        Command("start", start, "core-cmd-start"),
        Command("help", help_command, "core-cmd-help"),
    ),
)
