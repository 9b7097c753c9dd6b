"""Process updates of different people concurrently, each person's strictly in order.

PTB's default processes one update at a time; its ``concurrent_updates`` drops ordering
altogether, which would let a cashier's amount overtake the card scan before it. Here a
lock per user keeps each conversation sequential while other people are served at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any
from weakref import WeakValueDictionary

from telegram import Update
from telegram.ext import BaseUpdateProcessor


class PerUserUpdateProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = 64) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: WeakValueDictionary[int, asyncio.Lock] = WeakValueDictionary()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        user = update.effective_user if isinstance(update, Update) else None
        if user is None:
            await coroutine
            return
        lock = self._locks.get(user.id)
        if lock is None:
            lock = self._locks[user.id] = asyncio.Lock()
        async with lock:
            await coroutine

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""


def kind(update: Update) -> str:
    """Which field the update carries (``message``, ``callback_query``…)."""
    return next((name for name in Update.ALL_TYPES if getattr(update, name, None)), "unknown")


def describe(update: object) -> str:
    """An update for the log: its id and kind, nothing a person wrote."""
    if isinstance(update, Update):
        return f"update {update.update_id} ({kind(update)})"
    return type(update).__name__


def chat_key(update: dict[str, Any]) -> str:
    """What orders an update (Telegram's JSON) in the inbox, and in the emulator's webhook
    delivery: its chat, else its sender, else the update alone."""
    for key, value in update.items():
        if key == "update_id" or not isinstance(value, dict):
            continue
        chat = value.get("chat") or (value.get("message") or {}).get("chat")
        if isinstance(chat, dict) and "id" in chat:
            return f"c{chat['id']}"
        sender = value.get("from") or value.get("user")
        if isinstance(sender, dict) and "id" in sender:
            return f"u{sender['id']}"
    return f"x{update['update_id']}"
