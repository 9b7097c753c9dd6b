"""Token buckets that keep the sender inside Telegram's flood limits.

Each bucket holds one token and refills at ``rate × (1 − margin)`` (virtual scheduling,
as in GCRA): consecutive grants are at least one interval apart, with a few milliseconds
of tolerance so event-loop lateness does not slow the long-run rate. Telegram (and the
emulator) count calls in a sliding one-second window; the margin (3 % by default) leaves
about 30 ms for requests that arrive at the server out of step with their grants, so the
limit is never crossed while ≥ 97 % of it is used.

The buckets space the *grants*; a busy event loop can still bunch the *arrivals* (a
request delayed after its grant lands next to the following one). :class:`ArrivalWindow`
closes that gap: a call counts against the one-second window from its grant until one
second after its answer came back, the latest moment Telegram can have counted it, so
no window ever holds more than the limit whatever the delays.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections import deque
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


class ArrivalWindow:
    """At most ``limit`` calls counted in any one second, counted at their latest arrival."""

    def __init__(self, limit: int) -> None:
        self.limit = max(1, limit)
        self.open = 0  # granted, answer not back yet: may arrive any moment
        self._answered: deque[float] = deque()  # answer times within the last second

    def wait(self, now: float) -> float:
        """Seconds until another call fits (``math.inf``: wait for an answer)."""
        while self._answered and self._answered[0] <= now - 1.0:
            self._answered.popleft()
        if self.open + len(self._answered) < self.limit:
            return 0.0
        return self._answered[0] + 1.0 - now if self._answered else math.inf

    def grant(self) -> None:
        self.open += 1

    def answered(self, now: float) -> None:
        self.open = max(0, self.open - 1)
        self._answered.append(now)


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
        self._arrivals = ArrivalWindow(math.floor(per_second))
        self._answer = asyncio.Event()
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
                full = self._arrivals.wait(now)
                if full > 0:
                    self._answer.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._answer.wait(), min(full, 1.0))
                    continue
                chat = self._chat(chat_id)
                at = max(self._overall.ready_at(now), chat.ready_at(now))
                if at > now:
                    # Book only when the slot is really taken: a sleep that overshoots
                    # (a busy event loop) must push the next slot back, or the next
                    # caller would go right behind us and two sends would bunch up.
                    await asyncio.sleep(at - now)
                    continue
                self._overall.book(at)  # at ≤ now: up to TOLERANCE of lateness is forgiven
                chat.book(at)
                self._arrivals.grant()
                return

    def answered(self) -> None:
        """A granted call came back (whatever its outcome): call once per :meth:`acquire`."""
        self._arrivals.answered(self._clock())
        self._answer.set()


class CallWindow:
    """How many Bot API calls may be in flight: enough to cover the round trip, no more.

    Parallel calls are needed only to cover the round trip (Little's law: in flight =
    rate × latency, ~100 at 1000/s over a 100 ms link). More buys nothing and costs: every
    call opens another pooled HTTP connection that httpx/httpcore scan on each request, and
    on a fast link (the emulator in process) a fixed window of 256 made the sender
    CPU-bound at ~400/s where 4–8 calls in flight reach ~800/s. So the window adapts as in
    TCP Vegas: once per window's worth of replies it compares the smoothed round trip with
    the fastest seen lately; calls queued beyond the link (``size × (1 − fastest/smoothed)``)
    below ``ALPHA`` while the sender waited for room → grow by half; above ``BETA`` → shrink
    by one. A slow link grows it to what the rate needs; a busy CPU keeps it small. Bounds:
    ``START`` … ``ceiling``.
    """

    START = 4
    ALPHA = 2.0
    BETA = 4.0
    SMOOTHING = 0.2
    FASTEST_OVER = 15.0  # seconds: the fastest round trip is taken over the last 15–30 s

    def __init__(self, ceiling: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._ceiling = max(1, ceiling)
        self._clock = clock
        self._min_now = math.inf
        self._min_prev = math.inf
        self._rolled_at = clock()
        self._smoothed = 0.0
        self._replies = 0
        self._waited = False
        self.size = min(self._ceiling, self.START)

    def waited(self) -> None:
        """The sender had a message ready but no room: the window, not the limiter, binds."""
        self._waited = True

    def observe(self, seconds: float) -> None:
        """One successful call's round trip."""
        now = self._clock()
        if now - self._rolled_at >= self.FASTEST_OVER:
            self._min_prev, self._min_now, self._rolled_at = self._min_now, math.inf, now
        self._min_now = min(self._min_now, seconds)
        a = self.SMOOTHING
        self._smoothed = seconds if not self._smoothed else a * seconds + (1 - a) * self._smoothed
        self._replies += 1
        if self._replies < self.size:
            return
        self._replies = 0
        fastest = min(self._min_now, self._min_prev)
        queued = self.size * (1.0 - fastest / self._smoothed) if self._smoothed else 0.0
        if queued < self.ALPHA and self._waited:
            self.size = min(self._ceiling, self.size + max(1, self.size // 2))
        elif queued > self.BETA:
            self.size = max(min(self.START, self._ceiling), self.size - 1)
        self._waited = False
