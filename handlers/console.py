"""``/console``: a one-time login link to the back-office console (admins and marketers).

``/console`` answers ``<public_url>/console/login?token=…``, valid ten minutes and for
one opening (the link preview is off, so Telegram's preview fetcher never spends it);
``/console logout`` ends every console session of the sender at once. The sandbox puts
its own address in ``bot_data["public_url"]``.
"""

from __future__ import annotations

from telegram import LinkPreviewOptions, Update

from handlers.context import JifenContext
from handlers.registry import Command, Feature, reply
from models.access import console
from models.store.tables import Role

LOGOUT_WORDS = ("logout", "log-out", "退出")
LOGIN_PATH = "/console/login?token="


def console_url(context: JifenContext) -> str:
    """Where the console is reached: the sandbox's address, else ``bot.public_url``."""
    return str(context.bot_data.get("public_url") or context.settings.bot.public_url).strip()


async def console_command(update: Update, context: JifenContext) -> None:
    user = update.effective_user
    assert user is not None
    words = [w.lower() for w in context.args or []]
    if words and words[0] in LOGOUT_WORDS:
        ended = await console.log_out_everywhere(user.id)
        await reply(update, context.t("console-chat-logged-out", sessions=ended))
        return
    base = console_url(context)
    if not base:
        await reply(update, context.t("console-chat-unavailable"))
        return
    token = await console.create_link(user.id)
    minutes = int(console.LINK_VALID.total_seconds() // 60)
    await reply(
        update,
        context.t("console-chat-link", url=base.rstrip("/") + LOGIN_PATH + token, minutes=minutes),
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )


FEATURE = Feature(
    name="console",
    commands=(Command("console", console_command, "console-cmd-console", role=Role.MARKETER),),
)
