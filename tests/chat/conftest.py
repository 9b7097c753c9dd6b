"""The chat rig: the real Application against the Bot API emulator, on a fresh store.

Tests play people (STYLE.md §6)::

    async def test_balance(rig):
        alice = rig.member(1001, "Alice")
        await alice.send("/start")
        await rig.earn(alice, 12850)          # a purchase recorded straight in the store
        await alice.send("/balance")
        assert "128" in alice.last_text

The outbox sender runs in the background; quiescence waits for it, so a receipt queued by
the cashier's confirmation is already in the member's chat when ``press`` returns.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import Application

from bot.app import build_application
from bot.emulator import BotApiEmulator, Player
from bot.settings import Settings, load_settings
from models import ledger
from models.store import clock, db
from models.store.tables import Member, OutboxMessage, OutboxStatus
from tests.conftest import database_url

ADMIN_ID = 9001


@dataclass
class Rig:
    emu: BotApiEmulator
    app: Application
    settings: Settings
    players: dict[int, Player] = field(default_factory=dict)
    running: contextlib.AsyncExitStack = field(default_factory=contextlib.AsyncExitStack)

    async def start(self) -> None:
        """Build the Application (as production does) and poll the emulator with it."""
        self.app = build_application(
            self.settings,
            token=self.emu.token,
            api_url=self.emu.base_url,
            file_url=self.emu.base_file_url,
            manage_store=False,
        )
        await self.running.enter_async_context(self.emu.polling(self.app))
        handle = self.app.bot_data.get("scheduler")
        if handle is not None:
            handle.sender.poll_interval = 0.01

    async def restart(self) -> None:
        """Stop the bot and build a new one on the same database (a restart mid-shift):
        whatever the old process held in memory is gone."""
        await self.running.aclose()
        self.running = contextlib.AsyncExitStack()
        await self.start()

    def person(self, user_id: int, first_name: str, language_code: str = "en") -> Player:
        player = self.emu.player(user_id, first_name, language_code=language_code)
        self.players[user_id] = player
        return player

    member = person

    def admin(self, first_name: str = "Ada", language_code: str = "en") -> Player:
        """The admin configured in ``access.admins``."""
        return self.person(ADMIN_ID, first_name, language_code)

    async def member_row(self, player: Player) -> Member:
        return await Member.get(telegram_id=player.user_id)

    async def earn(self, player: Player, amount_minor: int, **kwargs: Any) -> Any:
        """Record a purchase for ``player`` directly in the store (not through the till)."""
        member = await self.member_row(player)
        key = kwargs.pop("idempotency_key", f"test:{member.id}:{clock.now().timestamp()}")
        result = await ledger.earn_for_purchase(
            member.id, amount_minor, self.settings.currency.code, idempotency_key=key, **kwargs
        )
        await self.emu.settle()
        return result


async def _watch_outbox(flag: dict[str, bool], stop: asyncio.Event) -> None:
    """Keep ``flag["busy"]`` true while due outbox rows wait, for the emulator's quiescence."""
    while not stop.is_set():
        flag["busy"] = await OutboxMessage.filter(
            status=OutboxStatus.PENDING, next_attempt_at__lte=clock.now()
        ).exists()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.01)


# Bad requests the bot expects and handles: a repeated press edits nothing; a staff menu cannot
# be set for someone who never opened the bot.
HANDLED_REFUSALS = ("message is not modified", "MyCommands: Bad Request: chat not found")


def _what_telegram_would_refuse_or_repair(emu: BotApiEmulator) -> list[str]:
    """Bad requests the bot made that it does not expect, and markups Telegram had to repair
    (e.g. `{}` for a keyboard with no buttons)."""
    refused = [
        f"{method}: {description}"
        for (method, description) in emu.stats.refused
        if description.startswith("Bad Request")
        and not any(handled in f"{method}: {description}" for handled in HANDLED_REFUSALS)
    ]
    return refused + [f"repaired: {name}" for name in emu.stats.repaired]


def rig_settings(tmp_path: Path, url: str, **overrides: Any) -> Settings:
    base: dict[str, Any] = {
        "database": {"url": url},
        "access": {"admins": [ADMIN_ID]},
        "scheduler": {"enabled": False},
        "outbox": {"messages_per_second": 1000, "per_chat_per_second": 30},
        "security": {"secret": "test-secret", "secret_file": str(tmp_path / "secret")},
    }
    for section, values in overrides.items():
        base.setdefault(section, {}).update(values)
    return load_settings(**base)


@contextlib.asynccontextmanager
async def running_rig(settings: Settings) -> AsyncIterator[Rig]:
    """A running bot on a fresh store at ``settings.database.url``."""
    await db.open_fresh_store(settings.database.url)
    outbox = {"busy": False}
    stop = asyncio.Event()
    watcher = asyncio.create_task(_watch_outbox(outbox, stop))
    try:
        async with BotApiEmulator(idle=0.03) as emu:
            emu.add_busy_check(lambda: outbox["busy"])
            rig = Rig(emu, None, settings)  # type: ignore[arg-type]
            await rig.start()
            try:
                yield rig
            finally:
                await rig.running.aclose()
            sloppy = _what_telegram_would_refuse_or_repair(emu)
            assert not sloppy, f"the bot sent what Telegram refuses or repairs: {sloppy}"
    finally:
        stop.set()
        await watcher
        await db.close_store()


@pytest.fixture
async def rig(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[Rig]:
    """A running bot on a fresh SQLite store; ``@pytest.mark.settings(...)`` overrides config."""
    marker = request.node.get_closest_marker("settings")
    settings = rig_settings(
        tmp_path, f"sqlite://{tmp_path}/chat.sqlite3", **(marker.kwargs if marker else {})
    )
    async with running_rig(settings) as running:
        yield running


@pytest.fixture(params=["sqlite", "postgres"])
async def rig_on_both(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[Rig]:
    """The rig on SQLite and on PostgreSQL (when ``JIFEN_TEST_POSTGRES_URL`` is set)."""
    async for url in database_url.__wrapped__(request, tmp_path):  # type: ignore[attr-defined]
        async with running_rig(rig_settings(tmp_path, url)) as running:
            yield running
