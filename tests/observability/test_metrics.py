"""``/metrics``: off unless enabled, behind its own bearer token when one is set, and the
numbers move: a purchase over the API (ledger totals, the request by route) and a send
by the outbox sender (Telegram sends by outcome). The output parses as Prometheus text."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import unused_port
from prometheus_client.parser import text_string_to_metric_families
from telegram import Bot

from api.app import build_api
from bot.emulator import BotApiEmulator
from bot.runners import _serve, health_routes
from models.access import api_keys
from models.ledger import rule_versions
from models.store.tables import LedgerEntry
from observability import store_metrics
from observability.metrics import metrics_routes
from scheduler.sender import OutboxSender
from tests.api.conftest import api_settings, new_member, purchase
from tests.scheduler.conftest import bot, emu, fast_settings  # noqa: F401  (fixtures)

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@asynccontextmanager
async def serving(*, enabled: bool = True, token: str = "") -> AsyncIterator[str]:
    """The listener as ``jifen run`` builds it (health, metrics, the API under /api/v1)."""
    rule_versions.invalidate()
    port = unused_port()
    routes = health_routes() + metrics_routes(enabled, token)
    runner = await _serve(routes, "127.0.0.1", port, api=build_api(api_settings()))
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()
        rule_versions.invalidate()


async def scrape(url: str, **headers: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as http, http.get(f"{url}/metrics", headers=headers) as r:
        return r.status, await r.text()


def samples(text: str) -> Samples:
    """Every sample by name and labels (parsing is the check that the text is valid)."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(found: Samples, name: str, **labels: str) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_off_unless_enabled(store: str) -> None:
    async with serving(enabled=False) as url:
        assert (await scrape(url))[0] == 404


async def test_a_token_is_wanted_when_one_is_set(store: str) -> None:
    async with serving(token="s3cret-scrape") as url:
        assert (await scrape(url))[0] == 401
        assert (await scrape(url, Authorization="Bearer wrong"))[0] == 401
        assert (await scrape(url, Authorization="s3cret-scrape"))[0] == 401
        status, text = await scrape(url, Authorization="Bearer s3cret-scrape")
    assert status == 200 and value(samples(text), "jifen_store_up") == 1


async def test_a_purchase_and_a_send_move_the_counters(
    store: str,
    emu: BotApiEmulator,  # noqa: F811
    bot: Bot,  # noqa: F811
) -> None:
    created = await api_keys.create("POS till 1")
    assert isinstance(created, api_keys.ApiKeyCreated)
    alice = await new_member(101)
    emu.add_user(101, "Alice")
    auth = {"Authorization": f"Bearer {created.key}"}
    async with serving() as url:
        before = samples((await scrape(url))[1])
        async with aiohttp.ClientSession(headers=auth) as http:
            async with http.post(f"{url}/api/v1/purchases", json=purchase(alice)) as r:
                assert r.status == 201, await r.text()
            async with http.get(f"{url}/api/v1/members/{alice.code}") as r:
                assert r.status == 200
            async with http.get(f"{url}/no/such/{alice.code}") as r:
                assert r.status == 404
        sent = await OutboxSender(bot, fast_settings()).run_until_idle()
        assert sent.sent >= 1, "the purchase's receipt"
        status, text = await scrape(url)
    assert status == 200
    after = samples(text)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("jifen_purchases_total") == 1
    assert moved("jifen_points_total", kind="earn") == 128
    assert moved("jifen_ledger_entries_total", kind="earn") == 1
    assert moved("jifen_telegram_sends_total", outcome="ok") == sent.sent
    assert value(after, "jifen_outbox_depth") == 0 and value(after, "jifen_inbox_depth") == 0
    post = {"route": "/api/v1/purchases", "method": "POST", "status": "201"}
    assert moved("jifen_http_requests_total", **post) == 1
    get = {"route": "/api/v1/members/{ref}", "method": "GET", "status": "200"}
    assert moved("jifen_http_requests_total", **get) == 1
    timed = {"route": "/api/v1/purchases", "method": "POST"}
    assert moved("jifen_http_request_duration_seconds_count", **timed) == 1
    unmatched = {"route": "unmatched", "method": "GET", "status": "404"}
    assert moved("jifen_http_requests_total", **unmatched) == 1
    assert alice.code not in text, "routes are labelled by pattern, never by URL"


def test_every_send_outcome_exists_from_the_start() -> None:
    from observability.metrics import REGISTRY

    found = {
        s.labels.get("outcome")
        for family in REGISTRY.collect()
        for s in family.samples
        if s.name == "jifen_telegram_sends_total"
    }
    assert found >= {"ok", "429", "403", "other"}


@pytest.mark.parametrize("settle_seconds", [0, 3600])
async def test_ledger_totals_are_kept_running_and_exact(
    store: str, monkeypatch: pytest.MonkeyPatch, settle_seconds: int
) -> None:
    """Settled entries are added once (a scrape reads only what is new); the unsettled
    ones are counted afresh each time: either way the totals equal a full count."""
    monkeypatch.setattr(store_metrics, "SETTLE", timedelta(seconds=settle_seconds))
    collector = store_metrics.StoreCollector()
    for round_ in range(3):
        await new_member(200 + round_, points=10 + round_)
        await collector.refresh()
        assert collector.up
        full = await LedgerEntry.filter(kind="bonus").count()
        assert collector.totals.entries["bonus"] == full == round_ + 1
        assert collector.totals.points["bonus"] == sum(10 + r for r in range(round_ + 1))
    settled_everything = settle_seconds == 0
    assert (collector.settled_id > 0) == settled_everything


def test_the_example_dashboard_asks_only_for_what_jifen_exports() -> None:
    from observability.metrics import REGISTRY

    dashboard = (Path(__file__).resolve().parents[2] / "deploy" / "grafana-jifen.json").read_text()
    families = [*REGISTRY.collect(), *store_metrics.StoreCollector().collect()]
    suffixes = {"counter": ["_total"], "histogram": ["_bucket", "_count", "_sum"]}
    exported = {
        family.name + suffix for family in families for suffix in suffixes.get(family.type, [""])
    }
    asked = set(re.findall(r"jifen_[a-z_]+", dashboard)) - {"jifen_overview"}
    assert asked and asked <= exported, asked - exported
