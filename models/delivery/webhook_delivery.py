"""Delivery bookkeeping for webhooks: claiming due deliveries and recording attempts.

``scheduler.webhooks`` calls these around each HTTP request and never holds a transaction
while it waits for a receiver. Deliveries are claimed with a lease (``claimed_until``) by
one conditional ``UPDATE … RETURNING`` (``FOR UPDATE SKIP LOCKED`` on PostgreSQL;
:mod:`models.delivery.leases`), so two workers never claim the same one; a claim neither
recorded nor released (the process died) lapses and the delivery is tried again under the
same ``webhook-id``. Only the oldest
pending delivery of an (endpoint, member) pair is claimable: a member's events reach an
endpoint in order, however long it was down.

A failed attempt is retried on :data:`RETRY_SCHEDULE` (Standard Webhooks' suggestion:
5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h), then the delivery is ``failed`` and the admins
are told once per outage, through the outbox, in their language.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from tortoise.backends.base.client import BaseDBAsyncClient

from models.delivery import leases, outbox
from models.store import audit, clock, sql
from models.store.db import connection, write_transaction
from models.store.tables import (
    DeliveryStatus,
    Member,
    Role,
    StaffRole,
    WebhookDelivery,
    WebhookEndpoint,
)

RETRY_SCHEDULE = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
"""Waits after each failed attempt (Standard Webhooks' suggestion); then ``failed``."""
MAX_ATTEMPTS = len(RETRY_SCHEDULE) + 1
FAILED_NOTICE = "webhook-failed-admin"
QUEUE = leases.Queue("webhook_delivery", open="status = 'pending'", owned=False)
"""Deliveries name no owner: a worker releases what it claimed by id."""
_ERROR_MAX = 500


@dataclass(frozen=True)
class Claimed:
    """A delivery leased to one worker, with what it needs to sign and send."""

    delivery_id: int
    endpoint_id: int
    url: str
    secret: str
    msg_id: str
    event_type: str
    body: str
    attempts: int
    notified: bool = False  # the endpoint's admins were told of a failure (an outage)


@dataclass(frozen=True)
class Retrying:
    at: datetime


@dataclass(frozen=True)
class GaveUp:
    """Attempts exhausted; ``notified`` admins (only the first failure of an outage)."""

    notified: int


_CLAIMED = (
    "SELECT d.id, d.endpoint_id, d.attempts, e.url, e.secret, v.msg_id, v.type, v.body,"
    " e.failure_notified_at"
    " FROM webhook_delivery d JOIN webhook_endpoint e ON e.id = d.endpoint_id"
    " JOIN webhook_event v ON v.id = d.event_id WHERE d.id IN ({ids}) ORDER BY d.id"
)


async def claim_due(
    limit: int,
    lease_for: timedelta,
    *,
    delivery_id: int | None = None,
    skip_endpoints: Iterable[int] = (),
) -> list[Claimed]:
    """Lease up to ``limit`` due deliveries, each the oldest pending one of its member at
    its endpoint (so a member's events reach an endpoint in order)."""
    now = clock.now()
    due = "c.next_attempt_at <= ?"
    params: list[object] = [now]
    if delivery_id is not None:
        due += " AND c.id = ?"
        params.append(delivery_id)
    skip = sorted(skip_endpoints)  # busy at this worker: their backlog must not crowd others
    if skip:
        due += f" AND c.endpoint_id NOT IN ({', '.join('?' for _ in skip)})"
        params += skip
    # the oldest pending delivery of its (endpoint, member) pair
    due += (
        " AND NOT EXISTS (SELECT 1 FROM webhook_delivery p WHERE p.endpoint_id = c.endpoint_id"
        " AND p.member_id = c.member_id AND p.status = 'pending' AND p.id < c.id)"
    )
    rows = await leases.claim(
        QUEUE, limit=limit, lease=lease_for, due=due, params=params, order_by="c.id", now=now
    )
    ids = [int(r["id"]) for r in rows]
    if not ids:
        return []
    found = await sql.rows(connection(), _CLAIMED.format(ids=", ".join("?" for _ in ids)), *ids)
    return [
        Claimed(
            delivery_id=int(r["id"]),
            endpoint_id=int(r["endpoint_id"]),
            url=r["url"],
            secret=r["secret"],
            msg_id=r["msg_id"],
            event_type=r["type"],
            body=r["body"],
            attempts=int(r["attempts"]),
            notified=r["failure_notified_at"] is not None,
        )
        for r in found
    ]


async def release(delivery_ids: list[int]) -> None:
    """Hand claimed deliveries back without counting an attempt (busy endpoint, shutdown)."""
    if delivery_ids:
        await leases.release(QUEUE, ids=delivery_ids)


async def record_success(claimed: Claimed, status: int) -> None:
    """The endpoint answered 2xx: delivered (one statement); after an outage the endpoint
    is re-armed, so the admins are told of the next one."""
    await WebhookDelivery.filter(id=claimed.delivery_id, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.DELIVERED,
        attempts=claimed.attempts + 1,
        delivered_at=clock.now(),
        last_status=status,
        claimed_until=None,
        error=None,
    )
    if claimed.notified:
        await WebhookEndpoint.filter(
            id=claimed.endpoint_id, failure_notified_at__not_isnull=True
        ).update(failure_notified_at=None)


async def record_failure(
    claimed: Claimed,
    error: str,
    *,
    status: int | None = None,
    config_admins: Iterable[int] = (),
) -> Retrying | GaveUp:
    """Count a failed attempt: retry on :data:`RETRY_SCHEDULE`, or give up and tell the
    admins (once per outage: until a delivery to this endpoint succeeds again)."""
    attempts = claimed.attempts + 1
    now = clock.now()
    async with write_transaction() as conn:
        if attempts < MAX_ATTEMPTS:
            at = now + RETRY_SCHEDULE[attempts - 1]
            await (
                WebhookDelivery.filter(id=claimed.delivery_id, status=DeliveryStatus.PENDING)
                .using_db(conn)
                .update(
                    attempts=attempts,
                    next_attempt_at=at,
                    claimed_until=None,
                    last_status=status,
                    error=error[:_ERROR_MAX],
                )
            )
            return Retrying(at)
        changed = (
            await WebhookDelivery.filter(id=claimed.delivery_id, status=DeliveryStatus.PENDING)
            .using_db(conn)
            .update(
                status=DeliveryStatus.FAILED,
                attempts=attempts,
                claimed_until=None,
                last_status=status,
                error=error[:_ERROR_MAX],
            )
        )
        first = changed and await WebhookEndpoint.filter(
            id=claimed.endpoint_id, failure_notified_at=None
        ).using_db(conn).update(failure_notified_at=now)
        notified = await _notify_admins(claimed, config_admins, conn) if first else 0
    return GaveUp(notified)


async def _notify_admins(
    claimed: Claimed, config_admins: Iterable[int], conn: BaseDBAsyncClient
) -> int:
    """Queue the localized failure notice to every admin (config and granted)."""
    granted = (
        await StaffRole.filter(role=Role.ADMIN, active=True)
        .using_db(conn)
        .values_list("telegram_id", flat=True)
    )
    admins = sorted({*config_admins, *granted})
    languages = dict(
        await Member.filter(telegram_id__in=admins)
        .using_db(conn)
        .values_list("telegram_id", "language")
    )
    host = urlsplit(claimed.url).hostname or "?"
    for telegram_id in admins:
        await outbox.enqueue(
            chat_id=telegram_id,
            template=FAILED_NOTICE,
            args={
                "endpoint": str(claimed.endpoint_id),
                "host": host,
                "event": claimed.event_type,
                "attempts": MAX_ATTEMPTS,
            },
            language=languages.get(telegram_id),
            using_db=conn,
        )
    return len(admins)


# ---------------------------------------------------------------- the console's log


@dataclass(frozen=True)
class DeliveryLine:
    """One delivery as the delivery log shows it (no body: it is the receiver's copy)."""

    delivery_id: int
    event_type: str
    msg_id: str
    status: DeliveryStatus
    attempts: int
    last_status: int | None
    error: str | None
    created_at: datetime
    next_attempt_at: datetime
    delivered_at: datetime | None


async def deliveries(
    endpoint_id: int, *, before_id: int | None = None, limit: int = 50
) -> list[DeliveryLine]:
    """An endpoint's deliveries newest first, a page below ``before_id`` (keyset)."""
    query = WebhookDelivery.filter(endpoint_id=endpoint_id)
    if before_id is not None:
        query = query.filter(id__lt=before_id)
    rows = await query.order_by("-id").limit(limit).prefetch_related("event")
    return [
        DeliveryLine(
            d.id,
            d.event.type,
            d.event.msg_id,
            d.status,
            d.attempts,
            d.last_status,
            d.error,
            d.created_at,
            d.next_attempt_at,
            d.delivered_at,
        )
        for d in rows
    ]


@dataclass(frozen=True)
class Requeued:
    delivery_id: int
    endpoint_id: int


@dataclass(frozen=True)
class AlreadyQueued:
    """It is pending already (a second press, or it never left): nothing changed."""

    delivery_id: int


@dataclass(frozen=True)
class UnknownDelivery:
    """No such delivery, or its endpoint was removed (nothing would send it)."""

    delivery_id: int


async def resend(
    delivery_id: int, *, actor_telegram_id: int | None, actor_kind: str = "console"
) -> Requeued | AlreadyQueued | UnknownDelivery:
    """Queue a delivery again under its own ``webhook-id`` (receivers drop duplicates),
    due now with a fresh retry schedule. One conditional update from a finished state:
    pressing twice (or two admins at once) queues it once; audited ``webhook.resend``."""
    row = await WebhookDelivery.get_or_none(id=delivery_id).prefetch_related("endpoint")
    if row is None or row.endpoint.removed_at is not None:
        return UnknownDelivery(delivery_id)
    finished = (DeliveryStatus.FAILED, DeliveryStatus.DELIVERED, DeliveryStatus.CANCELLED)
    async with write_transaction() as conn:
        changed = (
            await WebhookDelivery.filter(id=delivery_id, status__in=finished)
            .using_db(conn)
            .update(
                status=DeliveryStatus.PENDING,
                attempts=0,
                next_attempt_at=clock.now(),
                claimed_until=None,
            )
        )
        if not changed:
            return AlreadyQueued(delivery_id)
        await audit.record(
            "webhook.resend",
            actor_telegram_id=actor_telegram_id,
            actor_kind=actor_kind,
            target=f"webhook:{row.endpoint.id}",
            details={"delivery": delivery_id},
            using_db=conn,
        )
    return Requeued(delivery_id, row.endpoint.id)
