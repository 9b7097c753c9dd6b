"""Every Bot API send of this process goes through one limiter: the shared pace, and 429s
are sent again after ``retry_after`` instead of being lost.

python-telegram-bot's ``AIORateLimiter`` retries 429s the same way, but its overall limit
is per process; with several instances the limit must be shared (:mod:`scheduler.pace`), so
this is the same idea on that budget. The outbox sender paces itself and handles its own
429s: its calls pass ``rate_limit_args={"paced": True}`` and go straight through.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from scheduler.pace import SharedPace

log = logging.getLogger(__name__)
PACED = {"paced": True}
"""``rate_limit_args`` of a call that was already paced (the outbox sender's)."""
MAX_RETRIES = 5


def limited(endpoint: str) -> bool:
    """Calls Telegram's flood control counts: messages the bot sends."""
    return (endpoint.startswith("send") and endpoint != "sendChatAction") or endpoint in (
        "copyMessage",
        "forwardMessage",
    )


class PacedRateLimiter(BaseRateLimiter[dict[str, Any]]):
    """Replies take a slot of the shared pace; a 429 is waited out and the call sent again.

    One chat's replies come from one instance at a time (the inbox orders per chat), and
    Telegram tolerates short bursts in a chat; a reply that still meets a chat's limit
    (a receipt went to the same chat that second) is sent again after ``retry_after``.
    """

    def __init__(self, pace: SharedPace, *, max_retries: int = MAX_RETRIES) -> None:
        self.pace = pace
        self.max_retries = max_retries

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        paced = bool(rate_limit_args and rate_limit_args.get("paced"))
        for attempt in range(self.max_retries + 1):
            if not paced and limited(endpoint):
                await self.pace.reply_slot()
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if paced or attempt >= self.max_retries:
                    raise
                wait = exc.retry_after
                seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
                log.warning("%s got 429; sending again in %.0f s", endpoint, seconds)
                await asyncio.sleep(seconds + 0.1)
        raise AssertionError("unreachable")
