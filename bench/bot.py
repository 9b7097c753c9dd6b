"""/balance through the whole bot vs the bare PTB echo bot, in the same run and emulator.

    .venv/bin/python -m bench.bot --users 100 --rates 100,300 --duration 3 [--profile]

N members (each with a few purchases, so /balance reads lots and a tier total) send
/balance through the Bot API emulator; the echo bot (``bench/echo_baseline.py``) answers
plain text under the same load generator. Prints replies/s and p50/p99 latency for both,
and the store queries each /balance costs (the hot path: member + role resolved once per
update, then the rule-version probe, the qualifying total and the expiring lots).
``--profile`` adds a cProfile summary of the closed-loop /balance run.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from telegram.ext import Application
from tortoise import Tortoise

from bench.echo_baseline import LoadResult, build_echo_app, print_table, run_load
from bot.app import build_application
from bot.emulator import BotApiEmulator
from bot.settings import Settings, load_settings
from models import ledger
from models.ledger import rule_versions
from models.members import membership
from models.store import db
from models.store.tables import OutboxMessage, OutboxStatus

_QUERY_METHODS = ("execute_query", "execute_query_dict", "execute_insert", "execute_many")


class QueryCounter:
    """Counts statements sent through the default Tortoise connection."""

    def __init__(self) -> None:
        self.count = 0
        self._saved: dict[str, Any] = {}

    def __enter__(self) -> QueryCounter:
        conn = Tortoise.get_connection("default")
        cls = type(conn)
        for name in _QUERY_METHODS:
            original = getattr(cls, name)
            self._saved[name] = original

            def wrapped(self_: Any, *args: Any, _o: Any = original, **kw: Any) -> Any:
                self.count += 1
                return _o(self_, *args, **kw)

            setattr(cls, name, wrapped)
        return self

    def __exit__(self, *exc: object) -> None:
        cls = type(Tortoise.get_connection("default"))
        for name, original in self._saved.items():
            setattr(cls, name, original)


def _settings(folder: Path) -> Settings:
    return load_settings(
        database={"url": f"sqlite://{folder}/bench.sqlite3"},
        scheduler={"enabled": False},
        security={"secret": "bench-secret", "secret_file": str(folder / "secret")},
    )


def _jifen_factory(settings: Settings) -> Callable[[BotApiEmulator], Application]:
    def build(emu: BotApiEmulator) -> Application:
        return build_application(
            settings,
            token=emu.token,
            api_url=emu.base_url,
            file_url=emu.base_file_url,
            manage_store=False,
        )

    return build


async def _seed(emu: BotApiEmulator, user_ids: list[int]) -> None:
    """Every simulated user is a member with three purchases (idempotent across levels).

    The purchases' receipts are cancelled: delivered by the outbox sender during the load,
    they would be taken for /balance replies (same chat, from the bot) and skew the figures.
    """
    for user_id in user_ids:
        member, _ = await membership.ensure_member(user_id, first_name=f"User{user_id}")
        for n in range(3):
            await ledger.earn_for_purchase(
                member.id, 5000 + n * 1000, "CNY", idempotency_key=f"bench:{user_id}:{n}"
            )
    await OutboxMessage.filter(status=OutboxStatus.PENDING).update(status=OutboxStatus.CANCELLED)


async def _main(args: argparse.Namespace) -> None:
    rates: list[float | None] = [float(r) for r in args.rates.split(",") if r]
    if args.closed:
        rates.append(None)
    with tempfile.TemporaryDirectory() as tmp:
        settings = _settings(Path(tmp))
        await db.open_fresh_store(settings.database.url)
        rule_versions.invalidate()
        await rule_versions.ensure_seeded(settings.rules)
        results: list[LoadResult] = []
        counted: list[tuple[str, float]] = []
        profiler = cProfile.Profile() if args.profile else None
        try:
            for rate in rates:
                results.append(
                    await run_load(
                        build_echo_app, users=args.users, rate=rate, duration=args.duration
                    )
                )
                profile = profiler if (rate is None and profiler) else None

                async def prepare(
                    emu: BotApiEmulator, user_ids: list[int], _p: Any = profile
                ) -> None:
                    await _seed(emu, user_ids)
                    counter.count = 0  # count the load only, not the seeding
                    if _p:
                        _p.enable()

                with QueryCounter() as counter:
                    result = await run_load(
                        _jifen_factory(settings),
                        users=args.users,
                        rate=rate,
                        duration=args.duration,
                        label="jifen /balance",
                        text=lambda k: args.command,
                        prepare=prepare,
                    )
                    if profile:
                        profile.disable()
                results.append(result)
                if result.latencies:
                    counted.append((result.row()[2], counter.count / len(result.latencies)))
        finally:
            await db.close_store()
    print_table(results)
    print()
    for rate, per in counted:
        print(f"statements per /balance reply at target {rate}/s : {per:.1f}")
    if profiler is not None:
        print()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=100, help="simulated members")
    parser.add_argument("--rates", default="100,300", help="target /balance per second")
    parser.add_argument("--no-closed", dest="closed", action="store_false")
    parser.add_argument("--duration", type=float, default=3.0, help="seconds per level")
    parser.add_argument("--command", default="/balance", help="what members send")
    parser.add_argument("--profile", action="store_true", help="cProfile the closed loop")
    parser.add_argument(
        "--switch-interval",
        type=float,
        default=None,
        help="sys.setswitchinterval (s): how long aiosqlite's thread may wait for the GIL",
    )
    args = parser.parse_args()
    if args.switch_interval:
        sys.setswitchinterval(args.switch_interval)
    asyncio.run(_main(args))


if __name__ == "__main__":
    main()
