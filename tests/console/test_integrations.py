"""Integrations in the console: API keys (the secret shown once, never again), webhook
endpoints (URLs checked, nothing written for a bad one), the delivery log and its
resend (pressed twice, queued once); admins only, audited."""

from __future__ import annotations

from models.access import api_keys
from models.delivery import webhooks
from models.store.tables import (
    ApiKey,
    AuditLog,
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
)
from tests.console.conftest import ADMIN, MARKETER, Console, new_member, written

KEYS = "/console/api/api-keys"
HOOKS = "/console/api/webhooks"
PUBLIC = "https://93.184.216.34/hooks/jifen"
"""A public address written as an IP: checked without asking DNS."""


async def test_an_api_key_secret_is_shown_once_only(console: Console) -> None:
    admin = await console.log_in(ADMIN)
    body = {"name": "Front till", "location": "Main St"}
    status, made, _ = await console.call("POST", KEYS, as_=admin, json=body, idem="key1")
    assert status == 201, made
    secret = made["key"]
    assert secret.startswith(f"jf_{made['prefix']}_")
    assert (await api_keys.verify(secret)) is not None
    # a retry (a double click, a reload) gets the first answer without the secret
    status, again, headers = await console.call("POST", KEYS, as_=admin, json=body, idem="key1")
    assert status == 200 and headers.get("Idempotent-Replayed") == "true"
    assert again["key"] is None and again["prefix"] == made["prefix"]
    status, listed, _ = await console.call("GET", KEYS, as_=admin)
    status, page, _ = await console.call("GET", "/console/integrations", as_=admin)
    secret_part = secret.rsplit("_", 1)[1]
    assert secret_part not in str(listed) and secret_part not in page
    row = next(k for k in listed["keys"] if k["prefix"] == made["prefix"])
    assert row["created_by"] == str(ADMIN)  # no member row: the id
    assert row["last_used_at"] is not None  # verify() above used it
    audit = await AuditLog.get(action="api_key.create", target=f"api_key:{made['prefix']}")
    assert (audit.actor_kind, audit.actor_telegram_id) == ("console", ADMIN)
    # revoking stops it at once; a second revoke is refused, writing nothing
    url = f"{KEYS}/{made['prefix']}/revoke"
    assert (await console.call("POST", url, as_=admin, json={}, idem="rv1"))[0] == 200
    assert (await api_keys.verify(secret)) is None
    before = await written()
    status, got, _ = await console.call("POST", url, as_=admin, json={}, idem="rv2")
    assert (status, got["error"]["code"]) == (404, "key_not_found")
    assert await written() == before


async def test_bad_key_requests_write_nothing(console: Console) -> None:
    admin, marketer = await console.log_in(ADMIN), await console.log_in(MARKETER)
    keys = await ApiKey.all().count()
    before = await written()
    cases = [
        (marketer, KEYS, {"name": "x"}, 403, "admins_only"),
        (admin, KEYS, {"name": ""}, 422, "invalid_field"),
        (admin, KEYS, {"name": "x" * 65}, 422, "invalid_field"),
        (admin, KEYS, {"name": "x", "secret": "mine"}, 422, "invalid_field"),
        (admin, KEYS, {"name": "x", "location": False}, 422, "invalid_field"),  # schemathesis
        (admin, f"{KEYS}/ZZZZ/revoke", {}, 422, "invalid_field"),
        (admin, f"{KEYS}/0badc0de/revoke", {}, 404, "key_not_found"),
    ]
    for i, (caller, url, body, status, code) in enumerate(cases):
        got = await console.call("POST", url, as_=caller, json=body, idem=f"b{i}")
        assert (got[0], got[1]["error"]["code"]) == (status, code), (url, body, got[1])
    assert await written() == before and await ApiKey.all().count() == keys


async def test_a_bad_webhook_url_is_refused_naming_why(console: Console) -> None:
    admin = await console.log_in(ADMIN)
    before = await written()
    cases = {
        "ftp://93.184.216.34/x": "scheme",
        "https://user:pw@93.184.216.34/x": "credentials",
        "https://127.0.0.1/hook": "private",
        "https://10.1.2.3/hook": "private",
        "https://[::1]/hook": "private",
        "https:///nohost": "host",
    }
    for i, (url, reason) in enumerate(cases.items()):
        status, got, _ = await console.call(
            "POST", HOOKS, as_=admin, json={"url": url}, idem=f"u{i}"
        )
        assert (status, got["error"]["code"], got["error"].get("reason")) == (
            422,
            "invalid_webhook_url",
            reason,
        ), (url, got)
        assert "Nothing was saved" in got["error"]["message"]
    status, got, _ = await console.call(
        "POST", HOOKS, as_=admin, json={"url": PUBLIC, "events": "nope.never"}, idem="ev"
    )
    assert (status, got["error"]["code"]) == (422, "invalid_field")
    assert await written() == before and await WebhookEndpoint.all().count() == 0
    await new_member(ADMIN, language="zh-Hans")
    chinese = await console.log_in(ADMIN)
    status, got, _ = await console.call(
        "POST", HOOKS, as_=chinese, json={"url": "https://127.0.0.1/"}, idem="zh"
    )
    assert "私有或本地地址" in got["error"]["message"]


async def _failed_delivery(console: Console, admin: object) -> tuple[int, int, str]:
    status, made, _ = await console.call(
        "POST", HOOKS, as_=admin, json={"url": PUBLIC, "events": "points.adjusted"}, idem="h1"
    )
    assert status == 201, made
    assert made["secret"].startswith("whsec_")
    again = await console.call(
        "POST", HOOKS, as_=admin, json={"url": PUBLIC, "events": "points.adjusted"}, idem="h1"
    )
    assert again[1]["secret"] is None  # the signing secret is shown once too
    probe = await webhooks.queue_test(made["id"])
    assert isinstance(probe, webhooks.ProbeQueued)
    await WebhookDelivery.filter(id=probe.delivery_id).update(
        status=DeliveryStatus.FAILED, attempts=8, last_status=503, error="HTTP 503"
    )
    return made["id"], probe.delivery_id, made["url"]


async def test_resend_twice_queues_once(console: Console) -> None:
    admin = await console.log_in(ADMIN)
    endpoint, delivery, _ = await _failed_delivery(console, admin)
    status, log, _ = await console.call("GET", f"{HOOKS}/{endpoint}/deliveries", as_=admin)
    assert status == 200
    [line] = log["deliveries"]
    assert (line["status"], line["attempts"], line["last_status"], line["error"]) == (
        "failed",
        8,
        503,
        "HTTP 503",
    )
    url = f"{HOOKS}/deliveries/{delivery}/resend"
    first = await console.call("POST", url, as_=admin, json={}, idem="rs1")
    second = await console.call("POST", url, as_=admin, json={}, idem="rs2")
    assert first[1] == {"delivery": delivery, "queued": True}
    assert second[1] == {"delivery": delivery, "queued": False}
    row = await WebhookDelivery.get(id=delivery)
    assert (row.status, row.attempts) == (DeliveryStatus.PENDING, 0)
    assert await AuditLog.filter(action="webhook.resend").count() == 1
    assert await WebhookDelivery.all().count() == 1  # the same delivery, not a copy
    status, page, _ = await console.call(
        "GET", f"/console/integrations/webhooks/{endpoint}", as_=admin
    )
    assert status == 200 and "HTTP 503" in page and "webhook.test" in page


async def test_a_disabled_endpoint_sends_nothing_and_cannot_resend(console: Console) -> None:
    admin = await console.log_in(ADMIN)
    endpoint, delivery, _ = await _failed_delivery(console, admin)
    status, got, _ = await console.call(
        "POST", f"{HOOKS}/{endpoint}/disable", as_=admin, json={}, idem="d1"
    )
    assert status == 200 and got["disabled"] == endpoint
    before = await written()
    for url, code in (
        (f"{HOOKS}/deliveries/{delivery}/resend", "delivery_not_found"),
        (f"{HOOKS}/deliveries/999999/resend", "delivery_not_found"),
        (f"{HOOKS}/{endpoint}/disable", "webhook_not_found"),
    ):
        status, got, _ = await console.call("POST", url, as_=admin, json={}, idem="x-" + url)
        assert (status, got["error"]["code"]) == (404, code), url
    assert await written() == before
    status, got, _ = await console.call("GET", f"{HOOKS}/999/deliveries", as_=admin)
    assert (status, got["error"]["code"]) == (404, "webhook_not_found")
    status, got, _ = await console.call("GET", f"{HOOKS}/{endpoint}/deliveries?before=x", as_=admin)
    assert (status, got["error"]["code"]) == (422, "invalid_field")
