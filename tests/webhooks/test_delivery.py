"""Delivery against a receiver on loopback: signature, retries, outages, order, timeouts."""

from __future__ import annotations

import argparse
import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks import Webhook

from bot.cli import build_parser
from bot.webhook_cli import run_webhook_command
from models.delivery import webhook_delivery as delivery
from models.delivery import webhooks
from models.store import clock
from models.store.db import write_transaction
from models.store.tables import (
    AuditLog,
    DeliveryStatus,
    OutboxMessage,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from scheduler.webhooks import start_worker
from tests.webhooks.conftest import Receiver, hook_settings, worker
from tests.webhooks.test_openapi import assert_body_documented

START = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)


async def emit(event_type: str, member: int | None, **data: object) -> None:
    """``event_type`` about ``member`` (ordering key) with payload ``data``."""
    async with write_transaction() as conn:
        await webhooks.emit(event_type, data, member_id=member, using_db=conn)


async def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    args: argparse.Namespace = build_parser().parse_args(["webhook", *argv])
    code = await run_webhook_command(hook_settings(), args)
    out = capsys.readouterr()
    return code, out.out + out.err


async def endpoint(url: str, events: tuple[str, ...] | None = None) -> webhooks.EndpointAdded:
    added = await webhooks.add(url, events=events, allow_private=True)
    assert isinstance(added, webhooks.EndpointAdded), added
    return added


async def test_signature_verifies_with_the_printed_secret(
    store: str, receiver: Receiver, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = await cli(capsys, "add", receiver.url, "--events", "purchase.recorded")
    assert code == 0
    secret = out.strip().splitlines()[-1]
    assert secret.startswith("whsec_")
    await emit("purchase.recorded", 1, member_id=1, amount_minor=12850, points=128)
    await emit("voucher.redeemed", 1, member_id=1, voucher_id=3)  # not subscribed
    stats = await worker().run_until_idle()
    assert stats.delivered == 1 and len(receiver.got) == 1
    got = receiver.got[0]
    payload = Webhook(secret).verify(got.body, got.headers)  # the library's own verifier
    assert payload["type"] == "purchase.recorded"
    assert payload["data"] == {"member_id": 1, "amount_minor": 12850, "points": 128}
    assert got.msg_id.startswith("msg_") and got.headers["content-type"] == "application/json"
    assert await WebhookEvent.all().count() == 1  # nobody listens for voucher.redeemed


async def test_a_500_is_retried_under_the_same_id_on_the_schedule(
    store: str, receiver: Receiver
) -> None:
    clock.freeze(START)
    await endpoint(receiver.url)
    receiver.statuses = [500, 503]
    await emit("points.adjusted", 5, member_id=5, points=10)
    w = worker()
    await w.run_until_idle()
    assert len(receiver.got) == 1
    clock.advance(delivery.RETRY_SCHEDULE[0] - timedelta(seconds=1))  # not yet due
    await w.run_until_idle()
    assert len(receiver.got) == 1
    clock.freeze(START + delivery.RETRY_SCHEDULE[0])
    await w.run_until_idle()
    clock.advance(delivery.RETRY_SCHEDULE[1])
    await w.run_until_idle()
    assert [r.msg_id for r in receiver.got] == [receiver.got[0].msg_id] * 3
    stamps = [int(r.headers["webhook-timestamp"]) for r in receiver.got]
    assert stamps == [
        int(START.timestamp()),
        int((START + delivery.RETRY_SCHEDULE[0]).timestamp()),
        int((START + delivery.RETRY_SCHEDULE[0] + delivery.RETRY_SCHEDULE[1]).timestamp()),
    ]
    assert len({r.headers["webhook-signature"] for r in receiver.got}) == 3  # signed afresh
    assert len({r.body for r in receiver.got}) == 1  # the same bytes every time
    row = await WebhookDelivery.get()
    assert (row.status, row.attempts, row.last_status) == ("delivered", 3, 204)


async def test_after_the_last_retry_it_fails_visibly_and_admins_are_told_once(
    store: str, receiver: Receiver, capsys: pytest.CaptureFixture[str]
) -> None:
    clock.freeze(START)
    added = await endpoint(receiver.url)
    receiver.default = 500
    await emit("points.expired", 1, member_id=1, points=30)
    await emit("points.expired", 2, member_id=2, points=40)
    w = worker()
    await w.run_until_idle()
    for wait in delivery.RETRY_SCHEDULE:
        clock.advance(wait)
        await w.run_until_idle()
    assert len(receiver.got) == 2 * delivery.MAX_ATTEMPTS == 16
    assert await WebhookDelivery.filter(status=DeliveryStatus.FAILED).count() == 2
    notices = await OutboxMessage.filter(template=delivery.FAILED_NOTICE)
    assert [n.chat_id for n in notices] == [900]  # once per outage, not per delivery
    assert notices[0].args["endpoint"] == str(added.endpoint_id)
    code, out = await cli(capsys, "list")
    assert code == 0 and "failed 2" in out and "HTTP 500" in out and "points.expired" in out
    assert added.secret not in out
    # back up: the next success re-arms the notice for the next outage
    receiver.default = 204
    await emit("points.expired", 3, member_id=3, points=1)
    await w.run_until_idle()
    assert (await WebhookEndpoint.get(id=added.endpoint_id)).failure_notified_at is None


async def test_an_endpoint_down_for_a_while_gets_everything_once_in_order_per_member(
    store: str, receiver: Receiver
) -> None:
    clock.freeze(START)
    await endpoint(receiver.url)
    await receiver.stop()  # connections refused
    for n in range(4):
        for member_id in (1, 2, 3):
            await emit("purchase.recorded", member_id, member_id=member_id, seq=n)
    w = worker()
    await w.run_until_idle()
    assert await WebhookDelivery.filter(attempts=1).count() == 3  # only each member's head
    clock.advance(delivery.RETRY_SCHEDULE[0])
    await w.run_until_idle()
    await receiver.start()
    clock.advance(delivery.RETRY_SCHEDULE[1])
    await w.run_until_idle()
    ids = [r.msg_id for r in receiver.got]
    assert len(ids) == len(set(ids)) == 12  # everything, once
    for member_id in (1, 2, 3):
        seqs = [
            json.loads(r.body)["data"]["seq"]
            for r in receiver.got
            if json.loads(r.body)["data"]["member_id"] == member_id
        ]
        assert seqs == [0, 1, 2, 3]
    assert await WebhookDelivery.filter(status=DeliveryStatus.DELIVERED).count() == 12


async def test_a_private_target_is_refused_by_default_and_nothing_is_written(
    store: str, receiver: Receiver, capsys: pytest.CaptureFixture[str]
) -> None:
    for url in (
        receiver.url,
        f"http://localhost:{receiver.port}/hooks",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]:8080/",
        "http://10.1.2.3/",
        "http://[::ffff:192.168.0.1]/",
    ):
        refused = await webhooks.add(url)
        assert isinstance(refused, webhooks.PrivateTarget), (url, refused)
    for url in ("ftp://example.com/", "http:///nohost", "http://user:pw@example.com/"):
        assert isinstance(await webhooks.add(url), webhooks.InvalidUrl), url
    assert isinstance(
        await webhooks.add("https://example.com/", events=("points.stolen",)),
        webhooks.UnknownEventType,
    )
    args = build_parser().parse_args(["webhook", "add", receiver.url])
    assert await run_webhook_command(hook_settings(allow_private=False), args) == 1
    assert "private address" in capsys.readouterr().err
    assert await WebhookEndpoint.all().count() == 0
    assert await AuditLog.filter(action__startswith="webhook").count() == 0


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
async def test_delivery_time_check_refuses_a_private_address(
    store: str, receiver: Receiver, host: str
) -> None:
    """An endpoint whose name now resolves privately (DNS rebinding) gets nothing."""
    await endpoint(f"http://{host}:{receiver.port}/hooks")
    await emit("tier.changed", 1, member_id=1, to="gold")
    stats = await worker(allow_private=False).run_until_idle()
    assert receiver.got == [] and stats.retried == 1
    row = await WebhookDelivery.get()
    assert row.status == "pending" and "private address refused" in (row.error or "")


async def test_the_worker_keeps_going_when_one_endpoint_hangs(
    store: str, receiver: Receiver, other_receiver: Receiver
) -> None:
    """A hanging endpoint with a backlog ahead of a healthy one's holds only its own slots."""
    receiver.hang = True
    await endpoint(receiver.url, ("voucher.issued",))
    await endpoint(other_receiver.url, ("voucher.redeemed",))
    for member_id in range(1, 21):  # the hanging endpoint's backlog comes first
        await emit("voucher.issued", member_id, member_id=member_id)
    for member_id in range(1, 13):
        await emit("voucher.redeemed", member_id, member_id=member_id)
    w = worker(timeout_seconds=3, concurrency=8, per_endpoint=2)
    running = asyncio.create_task(w.run())
    try:
        async with asyncio.timeout(2.5):  # before the first hanging attempt times out
            await other_receiver.wait_for(12)
    finally:
        w.stop()
        await running
    hung = await WebhookDelivery.filter(endpoint_id=1).exclude(attempts=0)
    assert len(hung) == 2  # per_endpoint: two attempts hung, the rest waited unclaimed
    assert {(d.status, d.error) for d in hung} == {("pending", "timeout")}
    assert await WebhookDelivery.filter(endpoint_id=2, status="delivered").count() == 12


async def test_timeouts_free_the_slots_and_are_retried(store: str, receiver: Receiver) -> None:
    receiver.hang = True
    await endpoint(receiver.url)
    for member_id in range(1, 5):
        await emit("voucher.issued", member_id, member_id=member_id)
    stats = await worker(timeout_seconds=0.3, per_endpoint=2).run_until_idle()
    assert stats.retried == 4 and stats.delivered == 0
    errors = await WebhookDelivery.all().values_list("error", flat=True)
    assert set(errors) == {"timeout"}


async def test_remove_cancels_pending_deliveries_and_test_sends_one_event(
    store: str, receiver: Receiver, capsys: pytest.CaptureFixture[str]
) -> None:
    added = await endpoint(receiver.url, ("member.joined",))
    code, out = await cli(capsys, "test", str(added.endpoint_id))
    assert code == 0 and "delivered, HTTP 204" in out
    assert receiver.types() == ["webhook.test"]
    assert_body_documented(receiver.got[0].body)
    receiver.statuses = [500]
    code, out = await cli(capsys, "test", str(added.endpoint_id))
    assert code == 1 and "HTTP 500" in out
    await emit("member.joined", 4, member_id=4)
    code, out = await cli(capsys, "remove", str(added.endpoint_id))
    assert code == 0 and "2 pending deliveries cancelled" in out
    await emit("member.joined", 5, member_id=5)
    await worker().run_until_idle()
    assert len(receiver.got) == 2  # the two tests; nothing after the removal
    for action in ("remove", "test"):
        code, out = await cli(capsys, action, str(added.endpoint_id))
        assert code == 1 and "no webhook" in out
    actions = await AuditLog.filter(action__startswith="webhook").values_list("action", flat=True)
    assert sorted(actions) == ["webhook.add", "webhook.remove", "webhook.test", "webhook.test"]
    details = await AuditLog.all().values_list("details", flat=True)
    assert added.secret not in json.dumps(details)


async def test_a_worker_that_died_mid_delivery_is_taken_over_under_the_same_id(
    store: str, receiver: Receiver
) -> None:
    clock.freeze(START)
    await endpoint(receiver.url)
    await emit("purchase.recorded", 1, member_id=1, seq=0)
    await emit("purchase.recorded", 1, member_id=1, seq=1)
    [lost] = await delivery.claim_due(10, timedelta(seconds=60))  # then the process died
    await worker().run_until_idle()
    assert receiver.got == []  # still leased, and seq 1 waits behind it
    clock.advance(timedelta(seconds=61))
    await worker().run_until_idle()
    assert receiver.got[0].msg_id == lost.msg_id
    assert [json.loads(r.body)["data"]["seq"] for r in receiver.got] == [0, 1]


async def test_a_redirect_is_not_followed(store: str, receiver: Receiver) -> None:
    """A receiver cannot bounce the worker to another (private) address with a 3xx."""
    await endpoint(receiver.url)
    receiver.statuses = [307]
    await emit("tier.changed", 1, member_id=1)
    stats = await worker().run_until_idle()
    assert stats.retried == 1 and len(receiver.got) == 1
    assert (await WebhookDelivery.get()).error == "HTTP 307"


async def test_the_worker_task_started_beside_the_sender_delivers_and_stops(
    store: str, receiver: Receiver
) -> None:
    await endpoint(receiver.url)
    handle = start_worker(hook_settings())
    try:
        await emit("member.joined", 1, member_id=1)
        handle.worker.wake()
        async with asyncio.timeout(10):
            await receiver.wait_for(1)
    finally:
        await handle.stop()
    assert handle.task.done() and not handle.task.cancelled()
    assert (await WebhookDelivery.get()).status == "delivered"


async def test_two_workers_share_the_work_without_a_duplicate_or_disorder(
    store: str, receiver: Receiver
) -> None:
    """Two instances claim from one table: every event once, each member's in order."""
    await endpoint(receiver.url)
    for n in range(6):
        for member_id in range(1, 6):
            await emit("purchase.recorded", member_id, member_id=member_id, seq=n)
    first, second = worker(per_endpoint=3), worker(per_endpoint=3)
    a, b = await asyncio.gather(first.run_until_idle(), second.run_until_idle())
    ids = [r.msg_id for r in receiver.got]
    assert len(ids) == len(set(ids)) == 30 == a.delivered + b.delivered
    for member_id in range(1, 6):
        seqs = [
            json.loads(r.body)["data"]["seq"]
            for r in receiver.got
            if json.loads(r.body)["data"]["member_id"] == member_id
        ]
        assert seqs == list(range(6))
