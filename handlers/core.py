"""The commands every bot has: ``/start`` (with deep links) and ``/help``."""

from __future__ import annotations

import html

from telegram import BotCommand, Update
from telegram.constants import ParseMode

from handlers.context import JifenContext
from handlers.registry import Command, Feature, commands_for, reply, router
from models.access import staff
from models.store.tables import Role


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


HELP_SECTIONS: tuple[Role | None, ...] = (Role.STAFF, Role.MARKETER, Role.ADMIN, None)
"""Staff read the till first; their member commands come last."""


def section_key(section: Role | None) -> str:
    return f"core-help-section-{section.value if section else 'member'}"


LOCALE_KEYS = tuple(section_key(s) for s in HELP_SECTIONS)
"""Every key built at run time here (``tests/test_runtime_locale_keys.py``)."""


async def help_command(update: Update, context: JifenContext) -> None:
    """``/help``: what this person can do, from the same table that builds their menu,
    grouped by role (the till first) with the cashier's routine for staff."""
    role, t = context.role, context.t
    if role is None:
        commands = commands_for(context.bot_data["features"], None, context.lang)
        await reply(update, t("core-help", commands=_lines(commands)))
        return
    parts = [t("core-help-routine")]
    joined = context.member is not None and context.member.enrolled
    for section in HELP_SECTIONS:
        if not staff.may(role, section) or (section is None and not joined):
            continue  # staff see the member part only once they have joined as one
        commands = [
            BotCommand(c.name, t(c.description))
            for f in context.bot_data["features"]
            for c in f.commands
            if c.in_menu and c.role == section
        ]
        if commands:
            title = t(section_key(section))
            parts.append(f"<b>{title}</b>\n{_lines(commands)}")
    await reply(update, "\n\n".join(parts), parse_mode=ParseMode.HTML)


def _lines(commands: list[BotCommand]) -> str:
    return "\n".join(f"/{c.command} — {html.escape(c.description)}" for c in commands)


FEATURE = Feature(
    name="core",
    commands=(
        Command("start", start, "core-cmd-start"),
        Command("help", help_command, "core-cmd-help"),
    ),
)
