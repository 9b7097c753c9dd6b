"""Token buckets that keep the sender inside Telegram's flood limits.

Each bucket holds one token and refills at ``rate × (1 − margin)`` (virtual scheduling,
as in GCRA): consecutive grants are at least one interval apart, with a few milliseconds
of tolerance so event-loop lateness does not slow the long-run rate. Telegram (and the
emulator) count calls in a sliding one-second window; the margin (3 % by default) leaves
about 30 ms for requests that arrive at the server out of step with their grants, so the
limit is never crossed while ≥ 97 % of it is used.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

DEFAULT_MARGIN = 0.03
TOLERANCE = 0.005  # seconds of lateness forgiven without losing the slot
_PRUNE_AT = 10_000


class TokenBucket:
    """One-token bucket: :meth:`reserve` books the next slot and says how long to wait."""

    def __init__(self, rate: float, *, margin: float = DEFAULT_MARGIN) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.interval = 1.0 / (rate * (1.0 - margin))
        self._tat = 0.0  # theoretical time of the next free slot

    def ready_at(self, now: float) -> float:
        return max(self._tat, now - TOLERANCE)

    def book(self, at: float) -> None:
        self._tat = max(self._tat, at) + self.interval

    def hold_until(self, at: float) -> None:
        self._tat = max(self._tat, at)

    def idle(self, now: float) -> bool:
        return self._tat < now


class SendLimiter:
    """An overall bucket, one bucket per chat, and a global pause for 429 ``retry_after``."""

    def __init__(
        self,
        per_second: float,
        per_chat_per_second: float,
        *,
        margin: float = DEFAULT_MARGIN,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._overall = TokenBucket(per_second, margin=margin)
        self._per_chat_rate = per_chat_per_second
        self._margin = margin
        self._chats: dict[int, TokenBucket] = {}
        self._paused_until = 0.0
        self._lock = asyncio.Lock()
        self._clock = clock

    def _chat(self, chat_id: int) -> TokenBucket:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            if len(self._chats) >= _PRUNE_AT:
                now = self._clock()
                self._chats = {c: b for c, b in self._chats.items() if not b.idle(now)}
            bucket = self._chats[chat_id] = TokenBucket(self._per_chat_rate, margin=self._margin)
        return bucket

    def chat_wait(self, chat_id: int) -> float:
        """Seconds until ``chat_id`` may get another message (0 if now)."""
        now = self._clock()
        return max(0.0, self._chat(chat_id).ready_at(now) - now)

    def pause(self, seconds: float) -> None:
        """Telegram asked us to wait: nothing at all is sent until then."""
        until = self._clock() + seconds
        self._paused_until = max(self._paused_until, until)
        self._overall.hold_until(until)

    @property
    def paused_for(self) -> float:
        return max(0.0, self._paused_until - self._clock())

    async def acquire(self, chat_id: int) -> None:
        """Wait for a slot both overall and for ``chat_id``, honouring any pause."""
        async with self._lock:
            while True:
                now = self._clock()
                if self._paused_until > now:
                    await asyncio.sleep(self._paused_until - now)
                    continue
                chat = self._chat(chat_id)
                at = max(self._overall.ready_at(now), chat.ready_at(now))
                self._overall.book(at)
                chat.book(at)
                if at > now:
                    await asyncio.sleep(at - now)
                if self._paused_until <= self._clock():
                    return
