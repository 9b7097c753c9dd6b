"""Fixtures for the scheduler: the Bot API emulator, a PTB Bot pointed at it, members."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import Bot
from telegram.request import HTTPXRequest

from bot.emulator import BotApiEmulator
from bot.settings import Settings, load_settings
from models.store import clock
from models.store.tables import Broadcast, BroadcastStatus, Member, OutboxMessage


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator() as emulator:
        yield emulator


@pytest.fixture
async def bot(emu: BotApiEmulator) -> AsyncIterator[Bot]:
    request = HTTPXRequest(connection_pool_size=64, pool_timeout=10)
    async with Bot(emu.token, base_url=emu.base_url, request=request) as the_bot:
        yield the_bot


def fast_settings(**outbox: Any) -> Settings:
    """Settings with high send rates, so tests run in seconds (limits stay enforced)."""
    values = {"messages_per_second": 1000, "per_chat_per_second": 1, "max_attempts": 3}
    return load_settings(outbox=values | outbox)


async def make_members(
    emu: BotApiEmulator | None, count: int, *, first_id: int = 10_000, **fields: Any
) -> list[Member]:
    """``count`` members (and matching emulator users) with telegram ids from ``first_id``."""
    now = clock.now()
    rows = []
    for i in range(count):
        tg = first_id + i
        if emu is not None:
            emu.add_user(tg, f"User{tg}")
        rows.append(
            Member(
                telegram_id=tg,
                code=f"M{tg}",
                card_token=f"card{tg}",
                referral_code=f"R{tg}",
                first_name=f"User{tg}",
                created_at=now,
                **fields,
            )
        )
    await Member.bulk_create(rows, batch_size=500)
    return await Member.filter(telegram_id__gte=first_id).order_by("telegram_id").limit(count)


async def make_broadcast(
    members: list[Member], *, created_by: int, progress: tuple[int, int] | None = None
) -> Broadcast:
    """A broadcast in ``sending`` with one outbox row per member (as the broadcast store will)."""
    now = clock.now()
    broadcast = await Broadcast.create(
        created_by=created_by,
        text="Spring sale <today> & tomorrow",
        status=BroadcastStatus.SENDING,
        total=len(members),
        progress_chat_id=progress[0] if progress else None,
        progress_message_id=progress[1] if progress else None,
        created_at=now,
        started_at=now,
    )
    await OutboxMessage.bulk_create(
        [
            OutboxMessage(
                chat_id=m.telegram_id,
                member_id=m.id,
                kind="broadcast",
                template="broadcast-text",
                args={"text": broadcast.text},
                language=m.language,
                broadcast_id=broadcast.id,
                dedupe_key=f"broadcast:{broadcast.id}:{m.id}",
                next_attempt_at=now,
                created_at=now,
            )
            for m in members
        ],
        batch_size=500,
    )
    return broadcast


def strip_footer(text: str) -> str:
    """A broadcast as written: without the how-to-stop line every one ends with."""
    from locales import translator

    return text.removesuffix("\n\n" + translator("en")("notice-marketing-footer"))
