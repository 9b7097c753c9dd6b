"""Webhooks out (Standard Webhooks): endpoints, events written with their cause, deliveries.

A cause (a purchase, a refund, a redemption…) calls :func:`emit` inside its own
transaction, or appends :func:`emit_steps` to its ``_sql.batch`` on a hot path. That
writes one ``webhook_event`` (the exact JSON body, a ``msg_…`` id) and one
``webhook_delivery`` per endpoint subscribed to the type, so an event exists exactly when
its cause committed; when no endpoint listens for the type nothing is written at all.

``scheduler.webhooks`` delivers, with the bookkeeping of :mod:`models.delivery.webhook_delivery`
(leases, the retry schedule under the same ``webhook-id``, order per member, telling the
admins once when a delivery fails for good).

Payloads carry ids, amounts (integer minor units) and points; never names, phone numbers
or free text typed by people (an adjustment's reason, say), not even in ``member.*``
events: ``member.updated`` names the fields that changed, and a receiver that needs the
profile asks the HTTP API for it.

SSRF: a target whose host resolves to a private, loopback, link-local or otherwise
non-public address is refused (every address is checked) unless ``webhooks.allow_private``;
the worker checks again at delivery time (:func:`refusal`), against DNS rebinding.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import ipaddress
import json
import secrets
import socket
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from tortoise.backends.base.client import BaseDBAsyncClient

from models.store import audit, clock, sql
from models.store.db import connection, write_transaction
from models.store.tables import DeliveryStatus, Voucher, WebhookDelivery, WebhookEndpoint

EVENT_TYPES = (
    "member.joined",
    "member.updated",
    "purchase.recorded",
    "purchase.refunded",
    "points.adjusted",
    "points.expired",
    "points.earned_by_event",
    "voucher.issued",
    "voucher.redeemed",
    "tier.changed",
)
TEST_EVENT = "webhook.test"
"""Sent by ``jifen webhook test`` to one endpoint, whatever it subscribed to."""

SECRET_BYTES = 32
_RECENT_FAILURES = 3


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class EndpointAdded:
    """The new endpoint; ``secret`` is shown to the admin once (it is stored to sign)."""

    endpoint_id: int
    url: str
    events: tuple[str, ...] | None
    secret: str


@dataclass(frozen=True)
class InvalidUrl:
    reason: str  # scheme | host | too-long | credentials


@dataclass(frozen=True)
class UnknownEventType:
    names: tuple[str, ...]


@dataclass(frozen=True)
class PrivateTarget:
    """The host resolves (also) to a non-public address and private targets are off."""

    address: str


@dataclass(frozen=True)
class UnresolvableHost:
    host: str


Refusal = InvalidUrl | PrivateTarget | UnresolvableHost


@dataclass(frozen=True)
class EndpointRemoved:
    endpoint_id: int
    cancelled: int


@dataclass(frozen=True)
class UnknownEndpoint:
    endpoint_id: int


@dataclass(frozen=True)
class Failure:
    event_type: str
    msg_id: str
    at: datetime | None
    error: str | None


@dataclass(frozen=True)
class EndpointSummary:
    endpoint_id: int
    url: str
    events: tuple[str, ...] | None
    removed: bool
    pending: int
    delivered: int
    failed: int
    recent_failures: tuple[Failure, ...]


@dataclass(frozen=True)
class ProbeQueued:
    msg_id: str
    delivery_id: int


# ---------------------------------------------------------------- targets (SSRF)


def is_public(address: str) -> bool:
    """Whether an IP address is a public unicast one (IPv4-mapped IPv6 is unwrapped)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _url_problem(url: str) -> InvalidUrl | None:
    if len(url) > 2048:
        return InvalidUrl("too-long")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        return InvalidUrl("host")
    if parts.scheme not in ("http", "https"):
        return InvalidUrl("scheme")
    if not parts.hostname:
        return InvalidUrl("host")
    if parts.username or parts.password:
        return InvalidUrl("credentials")
    return None


def check_addresses(addresses: Iterable[str], *, allow_private: bool) -> PrivateTarget | None:
    """The first non-public address among ``addresses`` (unless private targets are on)."""
    if allow_private:
        return None
    for address in addresses:
        if not is_public(address):
            return PrivateTarget(address)
    return None


def resolve_literal(host: str) -> str:
    """``host`` as an IP address; ``ValueError`` if it is a name."""
    return str(ipaddress.ip_address(host.strip("[]")))


async def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (an IP literal is itself)."""
    with contextlib.suppress(ValueError):
        return [resolve_literal(host)]
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


async def refusal(url: str, *, allow_private: bool) -> Refusal | None:
    """Why a request to ``url`` must not be made, or ``None``: checks every address."""
    if problem := _url_problem(url):
        return problem
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = await resolve(host, port)
    except OSError:
        return UnresolvableHost(host)
    if not addresses:
        return UnresolvableHost(host)
    return check_addresses(addresses, allow_private=allow_private)


# ---------------------------------------------------------------- endpoints


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def _events_column(events: tuple[str, ...] | None) -> str | None:
    return None if events is None else "," + ",".join(events) + ","


def _events_of(column: str | None) -> tuple[str, ...] | None:
    return None if column is None else tuple(e for e in column.split(",") if e)


def parse_events(text: str | None) -> tuple[str, ...] | UnknownEventType | None:
    """``"a,b"`` → the known types it names (``None``: every type)."""
    if text is None or not text.strip():
        return None
    names = tuple(dict.fromkeys(n.strip() for n in text.split(",") if n.strip()))
    unknown = tuple(n for n in names if n not in EVENT_TYPES)
    return UnknownEventType(unknown) if unknown else names


async def add(
    url: str,
    *,
    events: tuple[str, ...] | None = None,
    allow_private: bool = False,
    actor_telegram_id: int | None = None,
    actor_kind: str = "cli",
) -> EndpointAdded | Refusal | UnknownEventType:
    """Register ``url`` for ``events`` (``None``: all); audited ``webhook.add``.

    A refused URL writes nothing. The audit entry names the host, not the full URL (a
    URL may carry a token in its path or query).
    """
    url = url.strip()
    if events is not None:
        unknown = tuple(e for e in events if e not in EVENT_TYPES)
        if unknown or not events:
            return UnknownEventType(unknown)
    if problem := await refusal(url, allow_private=allow_private):
        return problem
    secret = new_secret()
    async with write_transaction() as conn:
        row = await WebhookEndpoint.create(
            url=url,
            secret=secret,
            events=_events_column(events),
            created_at=clock.now(),
            using_db=conn,
        )
        await audit.record(
            "webhook.add",
            actor_telegram_id=actor_telegram_id,
            actor_kind=actor_kind,
            target=f"webhook:{row.id}",
            details={"host": urlsplit(url).hostname, "events": list(events or ["*"])},
            using_db=conn,
        )
    return EndpointAdded(row.id, url, events, secret)


async def remove(
    endpoint_id: int, *, actor_telegram_id: int | None = None, actor_kind: str = "cli"
) -> EndpointRemoved | UnknownEndpoint:
    """Stop sending to an endpoint at once (pending deliveries are cancelled); audited."""
    now = clock.now()
    async with write_transaction() as conn:
        changed = (
            await WebhookEndpoint.filter(id=endpoint_id, removed_at=None)
            .using_db(conn)
            .update(removed_at=now)
        )
        if not changed:
            return UnknownEndpoint(endpoint_id)
        cancelled = (
            await WebhookDelivery.filter(endpoint_id=endpoint_id, status=DeliveryStatus.PENDING)
            .using_db(conn)
            .update(status=DeliveryStatus.CANCELLED, claimed_until=None)
        )
        await audit.record(
            "webhook.remove",
            actor_telegram_id=actor_telegram_id,
            actor_kind=actor_kind,
            target=f"webhook:{endpoint_id}",
            details={"cancelled": cancelled},
            using_db=conn,
        )
    return EndpointRemoved(endpoint_id, cancelled)


async def list_endpoints(*, include_removed: bool = False) -> list[EndpointSummary]:
    """Endpoints with their delivery counts and most recent failures."""
    query = WebhookEndpoint.all() if include_removed else WebhookEndpoint.filter(removed_at=None)
    summaries = []
    for row in await query.order_by("id"):
        counts = {
            status: await WebhookDelivery.filter(endpoint_id=row.id, status=status).count()
            for status in (DeliveryStatus.PENDING, DeliveryStatus.DELIVERED, DeliveryStatus.FAILED)
        }
        failed = (
            await WebhookDelivery.filter(endpoint_id=row.id, status=DeliveryStatus.FAILED)
            .order_by("-id")
            .limit(_RECENT_FAILURES)
            .prefetch_related("event")
        )
        summaries.append(
            EndpointSummary(
                endpoint_id=row.id,
                url=row.url,
                events=_events_of(row.events),
                removed=row.removed_at is not None,
                pending=counts[DeliveryStatus.PENDING],
                delivered=counts[DeliveryStatus.DELIVERED],
                failed=counts[DeliveryStatus.FAILED],
                recent_failures=tuple(
                    Failure(d.event.type, d.event.msg_id, d.next_attempt_at, d.error)
                    for d in failed
                ),
            )
        )
    return summaries


# ---------------------------------------------------------------- events


def body(event_type: str, data: Mapping[str, Any], at: datetime) -> str:
    """The JSON text sent: ``{"type", "timestamp", "data"}`` (datetimes as ISO 8601 UTC)."""
    return json.dumps(
        {"type": event_type, "timestamp": _json_default(at), "data": dict(data)},
        separators=(",", ":"),
        ensure_ascii=False,
        default=_json_default,
    )


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if hasattr(value, "isoformat"):  # dates
        return value.isoformat()
    raise TypeError(f"not JSON serializable in a webhook payload: {type(value).__name__}")


def new_msg_id() -> str:
    return "msg_" + secrets.token_urlsafe(18)


def emit_steps(
    event_type: str,
    data: Mapping[str, Any],
    *,
    member_id: int | None = None,
    endpoint_id: int | None = None,
    msg_id: str | None = None,
    body_sql: sql.Step | None = None,
) -> list[sql.Step]:
    """:func:`emit` as statements for the caller's ``_sql.batch`` (same transaction).

    Two statements: the event, written only if some live endpoint listens for the type,
    and its deliveries, one per such endpoint (joined through the event's unique id).
    ``endpoint_id`` narrows it to one endpoint (the test event). ``body_sql`` gives the
    body as an SQL expression (a value only the database knows yet, see
    :func:`voucher_issued_steps`).
    """
    now = clock.now()
    msg_id = msg_id or new_msg_id()
    pattern = f"%,{event_type},%"
    if endpoint_id is None:
        listens, params = "(e.events IS NULL OR e.events LIKE ?)", [pattern]
    else:
        listens, params = "e.id = ?", [endpoint_id]
    text, text_params = body_sql or ("?", [body(event_type, data, now)])
    event = (
        "INSERT INTO webhook_event (msg_id, type, member_id, body, created_at) "
        f"SELECT ?, ?, ?, {text}, ? WHERE EXISTS (SELECT 1 FROM webhook_endpoint e"
        f" WHERE e.removed_at IS NULL AND {listens}) RETURNING id",
        [msg_id, event_type, member_id, *text_params, now, *params],
    )
    deliveries = (
        "INSERT INTO webhook_delivery (event_id, endpoint_id, member_id, status, attempts,"
        " next_attempt_at, created_at) "
        "SELECT v.id, e.id, v.member_id, 'pending', 0, v.created_at, v.created_at"
        " FROM webhook_event v JOIN webhook_endpoint e"
        f" ON e.removed_at IS NULL AND {listens} WHERE v.msg_id = ? ORDER BY e.id",
        [*params, msg_id],
    )
    return [event, deliveries]


async def emit(
    event_type: str,
    data: Mapping[str, Any],
    *,
    member_id: int | None = None,
    using_db: BaseDBAsyncClient | None = None,
) -> None:
    """Record that ``event_type`` happened, inside the caller's transaction ``using_db``."""
    assert event_type in EVENT_TYPES, event_type
    await sql.batch(using_db or connection(), emit_steps(event_type, data, member_id=member_id))


async def queue_test(
    endpoint_id: int, *, actor_telegram_id: int | None = None, actor_kind: str = "cli"
) -> ProbeQueued | UnknownEndpoint:
    """A ``webhook.test`` event for one live endpoint (audited); the caller delivers it."""
    msg_id = new_msg_id()
    steps = emit_steps(
        TEST_EVENT, {"endpoint_id": endpoint_id}, endpoint_id=endpoint_id, msg_id=msg_id
    )
    async with write_transaction() as conn:
        await sql.batch(conn, steps)
        delivery = await WebhookDelivery.filter(event__msg_id=msg_id).using_db(conn).first()
        if delivery is None:
            return UnknownEndpoint(endpoint_id)
        await audit.record(
            "webhook.test",
            actor_telegram_id=actor_telegram_id,
            actor_kind=actor_kind,
            target=f"webhook:{endpoint_id}",
            details={"msg_id": msg_id},
            using_db=conn,
        )
    return ProbeQueued(msg_id, delivery.id)


# ---------------------------------------------------------------- payloads of set causes


def joined(member_id: int, code: str, language: str) -> tuple[int, dict[str, Any]]:
    """``member.joined``'s (member id, data), the same whichever way the member came in."""
    return member_id, {"member_id": member_id, "member_code": code, "language": language}


async def emit_joined(conn: BaseDBAsyncClient, members: list[tuple[int, str, str]]) -> None:
    """``member.joined`` for (id, code, language) of new members: first contact,
    enrolment, or a whole import batch (one check, then two ``executemany``)."""
    await emit_many(conn, "member.joined", [joined(*m) for m in members])


async def emit_many(
    conn: BaseDBAsyncClient, event_type: str, items: list[tuple[int | None, dict[str, Any]]]
) -> None:
    """:func:`emit` for many (member id, data) at once, in the caller's transaction."""
    if not items:
        return
    listening = await sql.one(
        conn,
        "SELECT 1 AS x FROM webhook_endpoint e WHERE e.removed_at IS NULL"
        " AND (e.events IS NULL OR e.events LIKE ?)",
        f"%,{event_type},%",
    )
    if listening is None:
        return
    steps = [emit_steps(event_type, data, member_id=member_id) for member_id, data in items]
    for i in range(2):  # the events, then their deliveries
        await sql.execute_many(conn, steps[0][i][0], [list(s[i][1]) for s in steps])


async def emit_tier_change(
    conn: BaseDBAsyncClient, member_id: int, from_tier: str, to_tier: str, reason: str
) -> None:
    """``tier.changed`` (``reason``: ``earn`` upgrade or monthly ``review``)."""
    data = {"member_id": member_id, "from": from_tier, "to": to_tier, "reason": reason}
    await emit("tier.changed", data, member_id=member_id, using_db=conn)


def _voucher_data(voucher: Voucher) -> dict[str, Any]:
    return {
        "member_id": voucher.member_id,  # type: ignore[attr-defined]
        "voucher_id": voucher.id,
        "reward_id": voucher.reward_id,  # type: ignore[attr-defined]
        "cost_points": voucher.cost_points,
        "valid_until": voucher.valid_until,
    }


_UNKNOWN_ID = "__voucher_id__"


def voucher_issued_steps(voucher: Voucher) -> list[sql.Step]:
    """``voucher.issued`` for a voucher queued in the same flush, whose id the database
    knows only then: the body is spliced in SQL around the id read by its idempotency key
    (a stamp card's voucher, written in the purchase's one trip)."""
    data = {**_voucher_data(voucher), "voucher_id": _UNKNOWN_ID}
    head, tail = body("voucher.issued", data, clock.now()).split(f'"{_UNKNOWN_ID}"')
    by_key = "CAST((SELECT id FROM voucher WHERE idempotency_key = ?) AS TEXT)"
    text = (f"? || {by_key} || ?", [head, voucher.idempotency_key, tail])
    member_id = voucher.member_id  # type: ignore[attr-defined]
    return emit_steps("voucher.issued", data, member_id=member_id, body_sql=text)


async def emit_voucher(
    event_type: str, conn: BaseDBAsyncClient, voucher: Voucher, *, location: str | None = None
) -> None:
    """``voucher.issued`` / ``voucher.redeemed``: never the token or the short code, which
    redeem the voucher."""
    data = _voucher_data(voucher)
    if event_type == "voucher.redeemed":
        data["location"] = location
    await emit(event_type, data, member_id=data["member_id"], using_db=conn)


async def emit_expired(conn: BaseDBAsyncClient, key_from: str, key_to: str, at: datetime) -> None:
    """``points.expired`` for every EXPIRE entry of one sweep (keys in ``[key_from,
    key_to)``), set-based like the sweep: two statements whatever the number of members.
    The body is built in SQL; ``msg_id`` is the sweep's random prefix plus the member id."""
    listens = "(e.events IS NULL OR e.events LIKE ?)"
    pattern = "%,points.expired,%"
    prefix = f"msg_{secrets.token_urlsafe(12)}_"
    head = body("points.expired", {}, at).removesuffix(',"data":{}}')
    await sql.execute(
        conn,
        "INSERT INTO webhook_event (msg_id, type, member_id, body, created_at)"
        " SELECT ? || CAST(x.member_id AS TEXT), 'points.expired', x.member_id,"
        ' ? || \',"data":{"member_id":\' || CAST(x.member_id AS TEXT)'
        " || ',\"entry_id\":' || CAST(x.id AS TEXT)"
        " || ',\"points\":' || CAST(-x.points AS TEXT)"
        " || ',\"balance\":' || CAST(x.balance_after AS TEXT) || '}}', ?"
        " FROM ledger_entry x WHERE x.idempotency_key >= ? AND x.idempotency_key < ?"
        f" AND EXISTS (SELECT 1 FROM webhook_endpoint e WHERE e.removed_at IS NULL AND {listens})"
        " ORDER BY x.member_id",
        prefix,
        head,
        at,
        key_from,
        key_to,
        pattern,
    )
    await sql.execute(
        conn,
        "INSERT INTO webhook_delivery (event_id, endpoint_id, member_id, status, attempts,"
        " next_attempt_at, created_at)"
        " SELECT v.id, e.id, v.member_id, 'pending', 0, v.created_at, v.created_at"
        f" FROM webhook_event v JOIN webhook_endpoint e ON e.removed_at IS NULL AND {listens}"
        " WHERE v.msg_id >= ? AND v.msg_id < ? ORDER BY v.id, e.id",
        pattern,
        prefix,
        prefix[:-1] + "`",  # '`' sorts right after '_'
    )
