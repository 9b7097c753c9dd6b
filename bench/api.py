"""POS purchases over the HTTP API vs a bare endpoint, same run, SQLite and PostgreSQL.

    .venv/bin/python -m bench.api [--n 1000] [--concurrency 1,8,32] [--postgres URL]

The server runs in its own process (as a shop's POS is another machine): either jifen
(``POST /api/v1/purchases`` exactly as ``jifen run`` serves it, with the outbox sender
delivering the receipts to a Bot API emulator on the same event loop) or the **bare
endpoint**: an aiohttp route that checks a bearer key, parses the JSON and does one
Tortoise ``create()`` in ``in_transaction()`` on the same database settings (WAL,
synchronous NORMAL). This process sends ``--n`` purchases for 40 members from C
concurrent clients and prints purchases/s, p50 and p99 for both, and jifen's ratio.
PostgreSQL runs when ``--postgres`` or ``JIFEN_TEST_POSTGRES_URL`` is set (a scratch
database is created and dropped). ``--profile`` writes a pyinstrument profile of the
jifen server to ``bench-api-<db>.txt``.
"""

from __future__ import annotations

import argparse
import asyncio
import hmac
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from aiohttp import ClientSession, TCPConnector, web
from tortoise.transactions import in_transaction

from bench import scratch
from bench.trips import Trips, counting
from locales import LANGUAGES, translator
from models.access import api_keys
from models.ledger import rule_versions
from models.members import membership
from models.store import clock, db
from models.store.tables import Purchase

MEMBERS = 40
FIRST_TG = 5_000_000
SENDER = os.environ.get("JIFEN_BENCH_SENDER", "1") == "1"
"""``JIFEN_BENCH_SENDER=0`` leaves the outbox sender off (to profile the request alone)."""


@dataclass
class Run:
    server: str
    concurrency: int
    latencies: list[float]
    seconds: float
    errors: int
    server_cpu: float = 0.0
    """CPU seconds the server process spent on the run (all its threads)."""

    @property
    def cpu_ms(self) -> float:
        """Server CPU per purchase: what a loaded machine disturbs least."""
        return self.server_cpu * 1000 / max(1, len(self.latencies))

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    def ms(self, q: int) -> float:
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[q - 1] * 1000


async def _seed(url: str) -> tuple[str, list[str]]:
    """40 members with Telegram ids (so receipts are queued) and an API key."""
    await db.open_fresh_store(url)
    try:
        await rule_versions.current()
        codes = [
            (await membership.ensure_member(FIRST_TG + i, first_name=f"P{i}"))[0].code
            for i in range(MEMBERS)
        ]
        key = await api_keys.create("bench")
        assert isinstance(key, api_keys.ApiKeyCreated)
        return key.key, codes
    finally:
        await db.close_store()


# ---- the servers (child process) ----


def _bare_app(key: str) -> web.Application:
    """Check the bearer key, parse the JSON, one create() in one transaction."""
    expected = f"Bearer {key}".encode()
    counter = iter(range(1, 10**9))

    async def purchase(request: web.Request) -> web.Response:
        given = request.headers.get("Authorization", "").encode()
        if not hmac.compare_digest(given, expected):
            return web.json_response({"error": "unauthorized"}, status=401)
        body = await request.json()
        n = next(counter)
        async with in_transaction() as conn:
            row = await Purchase.create(
                member_id=1,
                receipt_code=f"B{os.getpid() % 1000:03d}{n:09d}",
                order_id=str(body["order_id"]),
                idempotency_key=request.headers.get("Idempotency-Key"),
                amount_minor=int(body["amount_minor"]),
                currency=str(body["currency"]),
                items=[],
                channel="api",
                points_awarded=0,
                created_at=clock.now(),
                using_db=conn,
            )
        return web.json_response({"purchase_id": row.id}, status=201)

    app = web.Application()
    app.router.add_post("/api/v1/purchases", purchase)
    return app


async def serve(kind: str, url: str, key: str, profile: str) -> None:
    """Child process: serve ``kind`` on a free port; print it; stop at stdin EOF."""
    from bench.broadcast import emulator_bot

    await db.open_store(url, apply_migrations=False)
    for language in LANGUAGES:  # as the bot does at start: parse the locales once
        translator(language)
    profiler = None
    if profile:
        from pyinstrument import Profiler

        profiler = Profiler(async_mode="disabled", interval=0.0005)
    try:
        if kind == "bare":
            app = _bare_app(key)
            sender_task = None
            bot_context = None
        else:
            from api.app import PREFIX, build_api
            from bot.settings import load_settings
            from scheduler.sender import OutboxSender

            settings = load_settings(api={"rate_per_second": 100_000, "rate_burst": 100_000})
            app = web.Application()
            app.add_subapp(PREFIX, build_api(settings))
            bot_context = emulator_bot(FIRST_TG, MEMBERS, None)
            bot = await bot_context.__aenter__()
            sender = OutboxSender(bot, settings, poll_interval=0.2)
            sender_task = asyncio.create_task(sender.run()) if SENDER else None
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        if profiler is not None:
            profiler.start()
        print(port, flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
        if profiler is not None:
            profiler.stop()
            text = profiler.output_text(unicode=True, show_all=False)
            await asyncio.to_thread(Path(profile).write_text, text)
        await runner.cleanup()
        if sender_task is not None:
            sender.stop()
            await sender_task
        if bot_context is not None:
            await bot_context.__aexit__(None, None, None)
    finally:
        await db.close_store()


# ---- the load (this process) ----


async def _load(
    server: str, port: int, key: str, codes: list[str], n: int, concurrency: int, tag: str
) -> Run:
    """``n`` purchases from ``concurrency`` closed-loop clients; latency of each."""
    latencies: list[float] = []
    errors = 0
    jobs = iter(range(n))
    headers = {"Authorization": f"Bearer {key}"}
    url = f"http://127.0.0.1:{port}/api/v1/purchases"

    async def client(http: ClientSession) -> None:
        nonlocal errors
        for i in jobs:
            order = f"{tag}-{i}"
            body = {
                "member": {"code": codes[i % len(codes)]},
                "amount_minor": 1000 + i % 5000,
                "currency": "CNY",
                "order_id": order,
            }
            started = time.perf_counter()
            async with http.post(
                url, json=body, headers={**headers, "Idempotency-Key": order}
            ) as response:
                await response.read()
                if response.status != 201:
                    errors += 1
                    continue
            latencies.append(time.perf_counter() - started)

    async with ClientSession(connector=TCPConnector(limit=concurrency)) as http:
        started = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(concurrency)))
        seconds = time.perf_counter() - started
    return Run(server, concurrency, latencies, seconds, errors)


async def _with_server(
    kind: str, url: str, key: str, codes: list[str], args: argparse.Namespace, label: str
) -> list[Run]:
    profile = f"bench-api-{label}.txt" if args.profile and kind == "jifen" else ""
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.api",
        "--serve",
        kind,
        url,
        key,
        profile,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert child.stdin is not None and child.stdout is not None
    try:
        port = int((await child.stdout.readline()).decode())
        runs = []
        for c in args.concurrency:
            await _load(kind, port, key, codes, min(50, args.n), c, f"warm-{kind}-{c}")
            before = _cpu_seconds(child.pid)
            run = await _load(kind, port, key, codes, args.n, c, f"{kind}-{c}")
            run.server_cpu = _cpu_seconds(child.pid) - before
            runs.append(run)
        return runs
    finally:
        child.stdin.close()
        await child.wait()


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of process ``pid`` so far (Linux ``/proc``; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def trips_per_purchase(url: str, key: str, code: str) -> Trips:
    """Round trips and commits of one purchase through the API in this process (after a
    warm-up purchase, so the caches a server keeps are warm)."""
    from aiohttp.test_utils import TestClient, TestServer

    from api.app import PREFIX, build_api
    from bot.settings import Settings

    await db.open_store(url, apply_migrations=False)
    root = web.Application()
    root.add_subapp(PREFIX, build_api(Settings(api={"rate_per_second": 1000})))
    client = TestClient(TestServer(root))
    await client.start_server()
    try:

        async def buy(order: str) -> int:
            body = {"member": {"code": code}, "amount_minor": 1250, "currency": "CNY"}
            headers = {"Authorization": f"Bearer {key}", "Idempotency-Key": order}
            async with client.post(
                f"{PREFIX}/purchases", json=body | {"order_id": order}, headers=headers
            ) as answer:
                return answer.status

        await buy("trips-warm-up")
        with counting() as trips:
            assert await buy("trips-measured") == 201
        return trips
    finally:
        await client.close()
        await db.close_store()


async def measure(url: str, label: str, args: argparse.Namespace) -> None:
    key, codes = await _seed(url)
    trips = await trips_per_purchase(url, key, codes[0])
    jifen = await _with_server("jifen", url, key, codes, args, label)
    bare = await _with_server("bare", url, key, codes, args, label)
    sender = "outbox sender running" if SENDER else "outbox sender off"
    print(f"\n{label}: {args.n} purchases per row, {MEMBERS} members, {sender}")
    print(
        f"{'clients':>7} | {'jifen /s':>9} {'p50 ms':>7} {'p99 ms':>7} {'CPU ms':>7} |"
        f" {'bare /s':>8} {'p50 ms':>7} {'p99 ms':>7} {'CPU ms':>7} | {'ratio':>5} | errors"
    )
    for j, b in zip(jifen, bare, strict=True):
        print(
            f"{j.concurrency:>7} | {j.rate:>9.0f} {j.ms(50):>7.1f} {j.ms(99):>7.1f}"
            f" {j.cpu_ms:>7.2f} | {b.rate:>8.0f} {b.ms(50):>7.1f} {b.ms(99):>7.1f}"
            f" {b.cpu_ms:>7.2f} | {j.rate / b.rate:>5.2f} | {j.errors + b.errors}"
        )
    print("CPU ms: the server process's CPU per purchase (sender and SQLite included)")
    print(f"round trips per purchase: {trips.trips}, commits: {trips.commits}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", default=os.environ.get("JIFEN_TEST_POSTGRES_URL", ""))
    parser.add_argument("--n", type=int, default=1000, help="purchases per measurement")
    parser.add_argument(
        "--concurrency", type=lambda s: [int(x) for x in s.split(",")], default=[1, 8, 32]
    )
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--serve", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        await serve(*args.serve)
        return
    print("before:", _uptime())
    async for label, url in scratch.databases("" if args.sqlite_only else args.postgres):
        await measure(url, label, args)
    print("after:", _uptime())


def _uptime() -> str:
    """The load average a figure was taken at (a result only below 1, before and after)."""
    return Path("/proc/loadavg").read_text().strip()


if __name__ == "__main__":
    asyncio.run(main())
