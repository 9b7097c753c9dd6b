"""``/metrics`` in Prometheus' text format, off unless ``metrics.enabled``.

Two kinds of numbers:

* counted in this process as things happen (HTTP requests by route and status with their
  latency, Telegram sends by outcome, webhook deliveries by outcome, job runs and
  failures, which leases this instance holds): the instruments below, incremented where
  the outcome is known (scheduler/sender.py, scheduler/webhooks.py, scheduler/runner.py,
  scheduler/leases.py, :func:`metrics_middleware`);
* read from the store at scrape time, the same on every instance (ledger totals, outbox
  and inbox depth and lag): :mod:`observability.store_metrics`.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from observability.store_metrics import StoreCollector

REGISTRY = CollectorRegistry(auto_describe=True)
"""This process's instruments (not the library's global registry: tests and the sandbox
run several servers in one process, and nothing else of ours registers there)."""

HTTP_REQUESTS = Counter(
    "jifen_http_requests",
    "HTTP requests answered, by route (its pattern, not the URL) and status",
    ["route", "method", "status"],
    registry=REGISTRY,
)
HTTP_SECONDS = Histogram(
    "jifen_http_request_duration_seconds",
    "Time to answer an HTTP request, by route",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)
TELEGRAM_SENDS = Counter(
    "jifen_telegram_sends",
    "Messages the outbox sender tried to send, by outcome: ok, 429 (flood wait),"
    " 403 (blocked), other",
    ["outcome"],
    registry=REGISTRY,
)
WEBHOOK_DELIVERIES = Counter(
    "jifen_webhook_deliveries",
    "Webhook delivery attempts, by outcome: delivered, retrying, gave_up",
    ["outcome"],
    registry=REGISTRY,
)
JOB_RUNS = Counter("jifen_job_runs", "Scheduled job runs, by job", ["job"], registry=REGISTRY)
JOB_FAILURES = Counter(
    "jifen_job_failures", "Scheduled job runs that raised, by job", ["job"], registry=REGISTRY
)
LEASES_HELD = Gauge(
    "jifen_lease_held",
    "1 while this instance holds the lease (jobs, sender, poller, ...)",
    ["lease"],
    registry=REGISTRY,
)

SEND_OUTCOMES = ("ok", "429", "403", "other")
for _outcome in SEND_OUTCOMES:
    TELEGRAM_SENDS.labels(_outcome)  # present (at 0) before the first send

UNMATCHED = "unmatched"
"""The route label of a request no route matched: raw URLs would make a label per scanner."""

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def route_of(request: web.Request) -> str:
    """The matched route's pattern (``/api/v1/members/{member_id}``), never the raw URL."""
    route = request.match_info.route
    resource = route.resource if route is not None else None
    if resource is None or request.match_info.http_exception is not None:
        return UNMATCHED
    return resource.canonical


@web.middleware
async def metrics_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Count the request and time it, by route and status (500 for an unexpected error)."""
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as answer:
        status = answer.status
        raise
    finally:
        route = route_of(request)
        HTTP_REQUESTS.labels(route, request.method, str(status)).inc()
        HTTP_SECONDS.labels(route, request.method).observe(time.perf_counter() - started)


def metrics_routes(enabled: bool, token: str = "") -> list[web.RouteDef]:
    """``GET /metrics`` when ``enabled``; with a ``token``, only for ``Bearer <token>``
    (compared in constant time). Each route has its own running ledger totals."""
    if not enabled:
        return []
    store = CollectorRegistry(auto_describe=False)
    collector = StoreCollector()
    store.register(collector)
    expected = f"Bearer {token}".encode()

    async def scrape(request: web.Request) -> web.Response:
        if token:
            given = request.headers.get("Authorization", "").encode()
            if not hmac.compare_digest(given, expected):
                return web.Response(status=401, headers={"WWW-Authenticate": "Bearer"})
        await collector.refresh()
        body = generate_latest(REGISTRY) + generate_latest(store)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    return [web.get("/metrics", scrape)]
