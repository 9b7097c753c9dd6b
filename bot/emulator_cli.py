"""``jifen emulator``: the Bot API emulator on its own, for a staging deployment.

A staging jifen (``jifen run``, polling or webhook mode, any database) talks to this
process instead of ``api.telegram.org``: point ``JIFEN_BOT__API_URL`` and
``JIFEN_BOT__FILE_URL`` at it and use its token. Testers chat with the bot in the web
chat page at its root as the sandbox's five people (two members, a cashier, an admin,
a marketer); their roles are whatever the staging database says, so the command prints
how to give them the sandbox's. Nothing here opens jifen's database.

The emulator refuses what Telegram refuses (``bot.emulator.rules``), delivers updates
to a webhook set with ``setWebhook`` (the staging instances' own URL), and keeps its
chats in memory only: a restart starts empty chats.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
from typing import TYPE_CHECKING, Any

from bot.settings import Settings

if TYPE_CHECKING:
    from bot.emulator import BotApiEmulator

DEFAULT_PORT = 8089


def add_emulator_parser(sub: Any) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "emulator", help="the Bot API emulator and its chat page, for staging without Telegram"
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port to listen on")
    parser.add_argument(
        "--token",
        help="the bot token it accepts (default: JIFEN_BOT__TOKEN, else a new random one)",
    )
    parser.add_argument("--username", default="jifen_staging_bot", help="the bot's username")
    return parser


def new_token() -> str:
    """A token shaped like Telegram's (``<bot id>:<secret>``), unguessable."""
    return f"{7_000_000_000 + secrets.randbelow(999_999_999)}:{secrets.token_urlsafe(27)}"


def run_emulator_command(settings: Settings, args: argparse.Namespace) -> int:
    token = args.token or settings.bot.token or new_token()
    if ":" not in token or not token.split(":", 1)[0].isdigit():
        print("jifen: a bot token looks like 123456:secret", file=sys.stderr)
        return 2
    asyncio.run(_serve(args.host, args.port, token, args.username))
    return 0


async def _serve(host: str, port: int, token: str, username: str) -> None:
    # imported here: every other jifen command builds this parser, none needs these
    from bot.emulator import BotApiEmulator
    from bot.emulator.web import add_web_routes
    from bot.runners import wait_for_signal
    from bot.sandbox.page import page_strings
    from bot.sandbox.personas import PERSONAS

    emu = BotApiEmulator(host, port, username, token, bot_name="Jifen (staging)")
    add_web_routes(emu, [p.person for p in PERSONAS], page_strings)
    async with emu:
        print(_guide(emu), flush=True)
        await wait_for_signal()


def _guide(emu: BotApiEmulator) -> str:
    """What to point jifen at, and how to give the page's people their sandbox roles."""
    from bot.sandbox.personas import PERSONAS

    grants = [
        f"  jifen admin grant {p.user_id} {p.role.value}"
        + (f" --location {p.location!r}" if p.location else "")
        + f"   # {p.person.first_name} ({p.person.label})"
        for p in PERSONAS
        if p.role is not None
    ]
    return "\n".join(
        [
            f"Bot API emulator for @{emu.bot_username} on {emu.url} (Ctrl-C stops it)",
            f"chat page: {emu.url}/",
            "point jifen at it (same environment for every instance):",
            f"  JIFEN_BOT__TOKEN={emu.token}",
            f"  JIFEN_BOT__API_URL={emu.base_url}",
            f"  JIFEN_BOT__FILE_URL={emu.url}/file/bot",
            "give the page's people their roles (with the service's environment):",
            *grants,
        ]
    )
