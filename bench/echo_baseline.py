"""The bare PTB echo bot through the Bot API emulator: the baseline for `bench/bot.py`.

Absolute times drift on shared machines, so jifen's chat benchmark is read against this bot
measured in the same run, on the same emulator and load generator: whatever jifen costs on top
of a reply is the difference.

    .venv/bin/python -m bench.echo_baseline --users 100 --rates 100,400,1600 --duration 3

`run_load` is reusable with any Application factory. Latency is from the moment a user's message
is queued in the emulator to the bot's reply arriving there (matched per chat, first in first
out); the rate is open-loop (messages go out on schedule whether or not replies came back), and
`rate=None` runs closed-loop instead: every user sends again as soon as answered, which gives
the maximum throughput.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bot.emulator import BotApiEmulator

__all__ = ["LoadResult", "build_echo_app", "run_load"]

FIRST_USER_ID = 100_000


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.message.reply_text(update.message.text)


def build_echo_app(emu: BotApiEmulator, *, concurrent_updates: int = 1) -> Application:
    """PTB's echo bot, nothing else: one handler, default settings, pointed at `emu`."""
    builder = emu.application_builder()
    if concurrent_updates > 1:
        builder = builder.concurrent_updates(concurrent_updates)
    app = builder.build()
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _echo))
    return app


@dataclass
class LoadResult:
    """Replies and their latencies (seconds) for one load level."""

    label: str
    users: int
    target_rate: float | None
    sent: int = 0
    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)

    @property
    def replies_per_s(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def percentile_ms(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        if len(self.latencies) == 1:
            return self.latencies[0] * 1000
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[int(q) - 1] * 1000

    def row(self) -> list[str]:
        rate = "closed" if self.target_rate is None else f"{self.target_rate:g}"
        return [
            self.label,
            str(self.users),
            rate,
            str(self.sent),
            str(len(self.latencies)),
            f"{self.replies_per_s:.0f}",
            f"{self.percentile_ms(50):.1f}",
            f"{self.percentile_ms(99):.1f}",
        ]


class _ReplyClock:
    """Matches bot replies to the user messages that caused them, per chat, in order."""

    def __init__(self, emu: BotApiEmulator, result: LoadResult):
        self._emu = emu
        self._result = result
        self._waiting: dict[int, deque[tuple[float, asyncio.Future[None] | None]]] = {}
        self._events = emu.subscribe(maxsize=1_000_000)
        self.drained = asyncio.Event()

    def send(self, user_id: int, text: str, *, notify: bool = False) -> asyncio.Future[None] | None:
        done = asyncio.get_running_loop().create_future() if notify else None
        self._waiting.setdefault(user_id, deque()).append((time.perf_counter(), done))
        self.drained.clear()
        self._emu.user_message(user_id, text=text)
        self._result.sent += 1
        return done

    async def run(self) -> None:
        while True:
            event = await self._events.get()
            if event["type"] != "message" or event["message"]["from"] != "bot":
                continue
            waiting = self._waiting.get(event["chat_id"])
            if not waiting:
                continue
            sent_at, done = waiting.popleft()
            self._result.latencies.append(time.perf_counter() - sent_at)
            if done is not None and not done.done():
                done.set_result(None)
            if not waiting and not any(self._waiting.values()):
                self.drained.set()

    def close(self) -> None:
        self._emu.unsubscribe(self._events)


async def _open_loop(
    clock: _ReplyClock,
    user_ids: list[int],
    rate: float,
    duration: float,
    text: Callable[[int], str],
) -> None:
    start = time.perf_counter()
    for k in range(int(rate * duration)):
        delay = start + k / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        clock.send(user_ids[k % len(user_ids)], text(k))


async def _closed_loop(
    clock: _ReplyClock, user_ids: list[int], duration: float, text: Callable[[int], str]
) -> None:
    deadline = time.perf_counter() + duration

    async def user(user_id: int) -> None:
        k = 0
        while time.perf_counter() < deadline:
            done = clock.send(user_id, text(k), notify=True)
            assert done is not None
            await done
            k += 1

    await asyncio.gather(*(user(user_id) for user_id in user_ids))


async def run_load(
    app_factory: Callable[[BotApiEmulator], Application],
    *,
    users: int,
    rate: float | None,
    duration: float,
    label: str = "echo",
    text: Callable[[int], str] = lambda k: f"ping {k}",
    prepare: Callable[[BotApiEmulator, list[int]], Awaitable[Any]] | None = None,
    drain_timeout: float = 10.0,
) -> LoadResult:
    """Runs one load level on a fresh emulator and app; `prepare` may seed users first."""
    result = LoadResult(label, users, rate)
    async with BotApiEmulator() as emu:
        user_ids = [FIRST_USER_ID + n for n in range(users)]
        for user_id in user_ids:
            emu.add_user(user_id, f"User{user_id}")
        if prepare is not None:
            await prepare(emu, user_ids)
        async with emu.polling(app_factory(emu), track=False):
            clock = _ReplyClock(emu, result)
            collector = asyncio.create_task(clock.run())
            started = time.perf_counter()
            if rate is None:
                await _closed_loop(clock, user_ids, duration, text)
            else:
                await _open_loop(clock, user_ids, rate, duration, text)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(clock.drained.wait(), drain_timeout)
            result.elapsed = time.perf_counter() - started
            collector.cancel()
            clock.close()
    return result


def print_table(results: list[LoadResult]) -> None:
    header = ["bot", "users", "target/s", "sent", "replies", "replies/s", "p50 ms", "p99 ms"]
    print_rows(header, [r.row() for r in results])


def print_rows(header: list[str], body: list[list[str]]) -> None:
    """A right-aligned text table under a ruled header."""
    rows = [header, *body]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for n, row in enumerate(rows):
        print("  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)))
        if n == 0:
            print("  ".join("-" * width for width in widths))


async def _main(args: argparse.Namespace) -> None:
    rates: list[float | None] = [float(r) for r in args.rates.split(",") if r]
    if args.closed:
        rates.append(None)
    label = "echo" if args.concurrent <= 1 else f"echo x{args.concurrent}"
    results = []
    for rate in rates:
        results.append(
            await run_load(
                lambda emu: build_echo_app(emu, concurrent_updates=args.concurrent),
                users=args.users,
                rate=rate,
                duration=args.duration,
                label=label,
            )
        )
    print_table(results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=100, help="simulated users")
    parser.add_argument(
        "--rates", default="100,400,1600", help="comma-separated target messages/s (open loop)"
    )
    parser.add_argument(
        "--no-closed",
        dest="closed",
        action="store_false",
        help="skip the closed-loop (maximum throughput) row",
    )
    parser.add_argument("--duration", type=float, default=3.0, help="seconds per load level")
    parser.add_argument(
        "--concurrent",
        type=int,
        default=1,
        help="PTB concurrent_updates (1 = PTB's default sequential processing)",
    )
    asyncio.run(_main(parser.parse_args()))


if __name__ == "__main__":
    main()
