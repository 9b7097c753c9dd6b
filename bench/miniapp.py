"""``GET /app/api/me`` at a steady request rate, beside ``/healthz`` on the same server.

    .venv/bin/python -m bench.miniapp --members 200 --rate 100 --duration 5 [--database-url URL]

One aiohttp server (the bot's: health route + the Mini App's routes, as ``bot.runners``
mounts them) on a loopback port; N members with a few purchases each (so /me reads lots,
a tier total and history). An open-loop generator sends ``--rate`` requests a second for
``--duration`` seconds, each as a random member with Telegram-signed initData, then the
same rate against ``/healthz`` (no store, no auth: the bare server and client cost).
Prints p50/p99 for both; the target is p99 ≤ 20 ms for /me at 100/s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import init_data_py
from aiohttp import web
from aiohttp.test_utils import unused_port

from api.miniapp import routes
from bench.echo_baseline import print_rows
from bot.app import GIL_SWITCH_INTERVAL
from bot.runners import health_routes
from bot.settings import load_settings
from models import ledger
from models.ledger import rule_versions
from models.members import membership
from models.store import db

TOKEN = "123456:bench-miniapp"
TARGET_P99_MS = 20.0


@dataclass
class Run:
    label: str
    rate: float
    sent: int = 0
    failed: int = 0
    latencies: list[float] = field(default_factory=list)

    def ms(self, q: int) -> float:
        if len(self.latencies) < 2:
            return float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[q - 1] * 1000


async def seed(count: int, rules_currency: str) -> list[int]:
    """Members with three purchases each; their Telegram ids."""
    ids = []
    for n in range(count):
        telegram_id = 500_000 + n
        member, _ = await membership.ensure_member(telegram_id, first_name=f"Bench{n}")
        for k in range(3):
            await ledger.earn_for_purchase(
                member.id, 1000 + 137 * k, rules_currency, idempotency_key=f"bench:{n}:{k}"
            )
        ids.append(telegram_id)
    return ids


def signed(telegram_id: int) -> str:
    user = json.dumps({"id": telegram_id, "first_name": "B", "language_code": "en"})
    return init_data_py.sign({"user": user}, TOKEN)


async def load(
    http: aiohttp.ClientSession, url: str, run: Run, duration: float, headers: list[dict]
) -> None:
    """Open loop: one request every 1/rate seconds whatever the answers take."""

    async def one(sent_at: float, header: dict[str, str]) -> None:
        try:
            async with http.get(url, headers=header) as response:
                await response.read()
                ok = response.status == 200
        except aiohttp.ClientError:
            ok = False
        if ok:
            run.latencies.append(time.perf_counter() - sent_at)
        else:
            run.failed += 1

    tasks = []
    start = time.perf_counter()
    interval = 1.0 / run.rate
    while (now := time.perf_counter()) - start < duration:
        due = start + run.sent * interval
        if now < due:
            await asyncio.sleep(due - now)
        tasks.append(asyncio.create_task(one(time.perf_counter(), random.choice(headers))))
        run.sent += 1
    await asyncio.gather(*tasks)


def table(runs: list[Run]) -> None:
    header = ["endpoint", "target/s", "sent", "ok", "failed", "p50 ms", "p99 ms"]
    print_rows(
        header,
        [
            [
                r.label,
                f"{r.rate:g}",
                str(r.sent),
                str(len(r.latencies)),
                str(r.failed),
                f"{r.ms(50):.1f}",
                f"{r.ms(99):.1f}",
            ]
            for r in runs
        ],
    )


async def main(args: argparse.Namespace) -> None:
    sys.setswitchinterval(GIL_SWITCH_INTERVAL)  # as the bot's process does (bot/app.py)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite://{Path(tmp) / 'bench.sqlite3'}"
        settings = load_settings(
            miniapp={"rate_per_second": 1000, "rate_burst": 1000},
            scheduler={"enabled": False},
        )
        await db.open_fresh_store(url)
        try:
            await rule_versions.ensure_seeded(settings.rules)
            ids = await seed(args.members, settings.rules.currency.code)
            app = web.Application()
            app.add_routes(health_routes())
            app.add_routes(routes(settings, bot_token=TOKEN, bot_username=lambda: "bench_bot"))
            runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            port = unused_port()
            await web.TCPSite(runner, "127.0.0.1", port).start()
            base = f"http://127.0.0.1:{port}"
            headers = [{"Authorization": f"tma {signed(i)}"} for i in ids]
            runs = [Run("/app/api/me", args.rate), Run("/healthz", args.rate)]
            try:
                async with aiohttp.ClientSession() as http:
                    for _ in range(20):  # warm-up: caches, connections, rule version
                        async with http.get(base + "/app/api/me", headers=headers[0]) as r:
                            assert r.status == 200, await r.text()
                    await load(http, base + "/app/api/me", runs[0], args.duration, headers)
                    await load(http, base + "/healthz", runs[1], args.duration, [{}])
            finally:
                await runner.cleanup()
        finally:
            await db.close_store()
    print(f"/app/api/me vs /healthz, {args.members} members, {db_kind(url)}, open loop")
    table(runs)
    verdict = "meets" if runs[0].ms(99) <= TARGET_P99_MS else "misses"
    print(f"/me p99 {runs[0].ms(99):.1f} ms {verdict} the target of {TARGET_P99_MS:g} ms")


def db_kind(url: str) -> str:
    return "PostgreSQL" if url.startswith("postgres") else "SQLite"


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--duration", type=float, default=5)
    parser.add_argument("--database-url", default="")
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse()))
