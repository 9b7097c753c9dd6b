"""The webhook worker: signs and posts due deliveries (Standard Webhooks), apart from Telegram.

It is its own asyncio task with its own HTTP session and its own row leases
(:func:`models.delivery.webhook_delivery.claim_due`), so a slow or hanging receiver never
delays the bot
or the outbox sender. Every attempt has a timeout (``webhooks.timeout_seconds``); calls
in flight are bounded overall (``webhooks.concurrency``) and per endpoint
(``webhooks.per_endpoint``), both per instance (every instance runs a worker; claims
keep them apart): a claim skips endpoints already at their limit, so one hanging endpoint
and its backlog hold at most its own slots.

Each attempt is signed afresh (``webhook-timestamp`` is the time of the attempt) over the
stored body under the event's unchanging ``webhook-id``. Redirects are not followed (a 3xx
is a failure). No database transaction is open during a request.

DNS rebinding: the connector's resolver (:class:`GuardedResolver`) checks every address a
host resolves to at connection time, so the address connected to is one that was checked;
IP-literal URLs (which aiohttp never resolves) are checked before the request.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver
from standardwebhooks import Webhook

from models.delivery import webhook_delivery as delivery
from models.delivery import webhooks as store
from models.store import clock
from observability.metrics import WEBHOOK_DELIVERIES
from scheduler.worker import WorkerLoop

if TYPE_CHECKING:
    from bot.settings import Settings, WebhookSettings

log = logging.getLogger(__name__)

USER_AGENT = "jifen-webhooks/1"


def sign(secret: str, msg_id: str, at: datetime, body: str) -> dict[str, str]:
    """The three Standard Webhooks headers for one attempt (``at``: the attempt's time)."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id, at.astimezone(UTC), body),
    }


class PrivateAddressError(OSError):
    """A host resolved to an address webhooks may not reach."""


class GuardedResolver(AbstractResolver):
    """aiohttp's resolver, refusing a host if any address it resolves to is not public."""

    def __init__(self, *, allow_private: bool) -> None:
        self.inner = DefaultResolver()
        self.allow_private = allow_private

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self.inner.resolve(host, port, family)
        refused = store.check_addresses(
            (r["host"] for r in results), allow_private=self.allow_private
        )
        if refused is not None:
            raise PrivateAddressError(f"private address refused: {refused.address}")
        return results

    async def close(self) -> None:
        await self.inner.close()


@dataclass(frozen=True)
class Outcome:
    """What one attempt got: ``ok`` for 2xx; else the HTTP status or the error."""

    ok: bool
    status: int | None = None
    error: str | None = None
    seconds: float = 0.0


@dataclass
class WorkerStats:
    delivered: int = 0
    retried: int = 0
    failed: int = 0
    deferred: int = 0


class WebhookWorker:
    """Delivers webhooks until :meth:`stop`; tests use :meth:`run_until_idle`."""

    def __init__(
        self,
        settings: WebhookSettings,
        *,
        config_admins: tuple[int, ...] = (),
        claim_lease: timedelta | None = None,
        poll_interval: float = 1.0,
    ) -> None:
        self.settings = settings
        self.config_admins = config_admins
        # a claim outlives the longest attempt it may wait for
        self.claim_lease = claim_lease or timedelta(seconds=settings.timeout_seconds * 2 + 30)
        self.poll_interval = poll_interval
        self.stats = WorkerStats()
        self._busy: dict[int, int] = {}  # endpoint id -> requests in flight
        self._inflight: set[asyncio.Task[None]] = set()
        self._loop = WorkerLoop(lambda: self.poll_interval, log)
        self._skipped = False  # the last claim left busy endpoints (or all slots) out
        self._session: aiohttp.ClientSession | None = None

    # ------------------------------------------------------------------ lifecycle

    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                resolver=GuardedResolver(allow_private=self.settings.allow_private),
                limit=self.settings.concurrency,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(total=self.settings.timeout_seconds),
                headers={"User-Agent": USER_AGENT},
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def run(self) -> None:
        """Deliver until :meth:`stop` (or cancellation); in-flight attempts finish.

        The shared worker loop (:class:`scheduler.worker.WorkerLoop`): a failing claim is
        logged and tried again after the poll interval."""
        self._loop.rearm()
        await self._loop.run(
            self._turn, settle=self._settle, failure="webhook claim failed; trying again"
        )

    async def _turn(self) -> bool:
        return await self._cycle() > 0

    def stop(self) -> None:
        self._loop.stop()

    def wake(self) -> None:
        """New deliveries were written: look now instead of at the next poll."""
        self._loop.wake()

    async def run_until_idle(self) -> WorkerStats:
        """Deliver until nothing can be claimed now and nothing is in flight (tests, CLI).

        Deliveries waiting for a retry time, or behind an earlier one of the same member,
        are left for later; move the clock (``models.store.clock``) to make them due."""
        try:
            while True:
                if await self._cycle():
                    continue
                if not self._inflight and not self._skipped:
                    break
                if not self._inflight:
                    continue  # slots freed while claiming: claim again
                await asyncio.wait(set(self._inflight), return_when=asyncio.FIRST_COMPLETED)
        finally:
            await self._settle()
        return self.stats

    async def _settle(self) -> None:
        if self._inflight:
            await asyncio.gather(*self._inflight, return_exceptions=True)
        await self.close()

    # ------------------------------------------------------------------ claiming

    async def _cycle(self) -> int:
        """Claim what fits in the free slots and dispatch it; the number dispatched."""
        free = self.settings.concurrency - len(self._inflight)
        full = [e for e, n in self._busy.items() if n >= self.settings.per_endpoint]
        self._skipped = free <= 0 or bool(full)
        if free <= 0:
            if self._inflight:
                await asyncio.wait(set(self._inflight), return_when=asyncio.FIRST_COMPLETED)
            return 0
        claimed = await delivery.claim_due(free, self.claim_lease, skip_endpoints=full)
        busy: list[int] = []
        for item in claimed:
            if self._busy.get(item.endpoint_id, 0) >= self.settings.per_endpoint:
                busy.append(item.delivery_id)
                continue
            self._busy[item.endpoint_id] = self._busy.get(item.endpoint_id, 0) + 1
            task = asyncio.create_task(self._deliver(item))
            self._inflight.add(task)
            task.add_done_callback(self._inflight.discard)
        if busy:
            self.stats.deferred += len(busy)
            await delivery.release(busy)
        return len(claimed) - len(busy)

    # ------------------------------------------------------------------ delivering

    async def attempt(self, item: delivery.Claimed) -> Outcome:
        """One signed POST of ``item`` (no database work)."""
        started = time.perf_counter()
        refused = await self._literal_refusal(item.url)
        if refused is not None:
            return Outcome(False, error=refused)
        headers = sign(item.secret, item.msg_id, clock.now(), item.body)
        headers["content-type"] = "application/json"
        try:
            async with self.session().post(
                item.url, data=item.body.encode(), headers=headers, allow_redirects=False
            ) as response:
                status = response.status
        except TimeoutError:
            return Outcome(False, error="timeout", seconds=time.perf_counter() - started)
        except (aiohttp.ClientError, OSError) as exc:
            return Outcome(False, error=_describe(exc), seconds=time.perf_counter() - started)
        took = time.perf_counter() - started
        if 200 <= status < 300:
            return Outcome(True, status=status, seconds=took)
        return Outcome(False, status=status, error=f"HTTP {status}", seconds=took)

    async def _literal_refusal(self, url: str) -> str | None:
        """An IP-literal host is never resolved by aiohttp: check it here."""
        host = urlsplit(url).hostname or ""
        try:
            address = store.resolve_literal(host)
        except ValueError:
            return None
        refused = store.check_addresses([address], allow_private=self.settings.allow_private)
        return f"private address refused: {refused.address}" if refused else None

    async def deliver(self, item: delivery.Claimed) -> Outcome:
        """Attempt ``item`` and record the outcome (retry, give up, or delivered)."""
        outcome = await self.attempt(item)
        if outcome.ok:
            await delivery.record_success(item, outcome.status or 200)
            self.stats.delivered += 1
            WEBHOOK_DELIVERIES.labels("delivered").inc()
            return outcome
        result = await delivery.record_failure(
            item,
            outcome.error or "error",
            status=outcome.status,
            config_admins=self.config_admins,
        )
        gave_up = isinstance(result, delivery.GaveUp)
        WEBHOOK_DELIVERIES.labels("gave_up" if gave_up else "retrying").inc()
        if gave_up:
            self.stats.failed += 1
            log.warning(
                "webhook delivery %s to endpoint %s failed for good (%s)",
                item.delivery_id,
                item.endpoint_id,
                outcome.error,
            )
        else:
            self.stats.retried += 1
        return outcome

    async def _deliver(self, item: delivery.Claimed) -> None:
        try:
            await self.deliver(item)
        except Exception:
            # the database failed us: the claim lapses and the delivery is tried again
            log.exception("recording webhook delivery %s failed", item.delivery_id)
        finally:
            self._busy[item.endpoint_id] -= 1
            self._loop.wake()


def _describe(exc: BaseException) -> str:
    """A short error for the delivery row and ``jifen webhook list``."""
    if isinstance(exc, aiohttp.ClientConnectorError) and isinstance(
        exc.os_error, PrivateAddressError
    ):
        return str(exc.os_error)
    return f"{type(exc).__name__}: {exc}"[:200]


class WebhookHandle:
    """The worker task started by :func:`start_worker`; :meth:`stop` ends it cleanly."""

    def __init__(self, worker: WebhookWorker, task: asyncio.Task[None]) -> None:
        self.worker = worker
        self.task = task

    async def stop(self) -> None:
        self.worker.stop()
        await asyncio.gather(self.task, return_exceptions=True)


def start_worker(settings: Settings) -> WebhookHandle:
    """Start the webhook worker as its own task (call where the outbox sender starts)."""
    worker = WebhookWorker(settings.webhooks, config_admins=tuple(settings.access.admins))
    return WebhookHandle(worker, asyncio.create_task(worker.run(), name="webhook-worker"))
