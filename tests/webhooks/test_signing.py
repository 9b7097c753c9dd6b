"""Signatures exactly per Standard Webhooks: the specification's test vector, and secrets."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from models.delivery import webhooks
from scheduler.webhooks import sign

# The example of the Standard Webhooks specification (and its reference libraries' tests).
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_TIMESTAMP = 1614265330
SPEC_BODY = '{"test": 2432232314}'
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_headers_match_the_specification_test_vector() -> None:
    at = datetime.fromtimestamp(SPEC_TIMESTAMP, UTC)
    assert sign(SPEC_SECRET, SPEC_ID, at, SPEC_BODY) == {
        "webhook-id": SPEC_ID,
        "webhook-timestamp": str(SPEC_TIMESTAMP),
        "webhook-signature": SPEC_SIGNATURE,
    }


def test_a_tampered_body_or_other_secret_does_not_verify() -> None:
    now = datetime.now(UTC)
    headers = sign(SPEC_SECRET, SPEC_ID, now, SPEC_BODY)
    Webhook(SPEC_SECRET).verify(SPEC_BODY, headers)  # the untouched one does
    with pytest.raises(WebhookVerificationError):
        Webhook(SPEC_SECRET).verify(SPEC_BODY.replace("2", "3"), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(webhooks.new_secret()).verify(SPEC_BODY, headers)


def test_secrets_are_whsec_base64_of_32_random_bytes() -> None:
    first, second = webhooks.new_secret(), webhooks.new_secret()
    assert first != second
    assert first.startswith("whsec_")
    assert len(base64.b64decode(first.removeprefix("whsec_"))) == 32


def test_body_is_type_timestamp_data_without_spaces() -> None:
    at = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)
    text = webhooks.body("points.adjusted", {"member_id": 7, "points": -20}, at)
    assert text == (
        '{"type":"points.adjusted","timestamp":"2025-03-03T10:00:00Z",'
        '"data":{"member_id":7,"points":-20}}'
    )
