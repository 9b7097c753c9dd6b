"""Webhooks out: endpoints, the events that happened, and one delivery per (event, endpoint).

An event row and its deliveries are written in the same transaction as their cause (see
:mod:`models.delivery.webhooks`); the body is serialized once, so every retry sends the same bytes
under the same ``webhook-id`` (``WebhookEvent.msg_id``).
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class WebhookEndpoint(Model):
    """A receiver registered with ``jifen webhook add`` (removing it keeps the row)."""

    id = fields.BigIntField(primary_key=True)
    url = fields.CharField(max_length=2048)
    secret = fields.CharField(max_length=128, description="whsec_<base64>, kept to sign")
    events = fields.CharField(
        max_length=1024, null=True, description="subscribed types as ,a,b, (NULL: every type)"
    )
    created_at = fields.DatetimeField()
    removed_at = fields.DatetimeField(null=True)
    failure_notified_at = fields.DatetimeField(
        null=True, description="admins were told of a failure (cleared by the next success)"
    )

    class Meta:
        table = "webhook_endpoint"


class WebhookEvent(Model):
    """Something that happened, as it is sent: ``body`` is the exact JSON text."""

    id = fields.BigIntField(primary_key=True)
    msg_id = fields.CharField(max_length=64, unique=True, description="webhook-id header")
    type = fields.CharField(max_length=32)
    member_id = fields.BigIntField(null=True, description="orders deliveries per member")
    body = fields.TextField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "webhook_event"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"
    CANCELLED = "cancelled"


class WebhookDelivery(Model):
    """One event for one endpoint, claimed with a lease like the outbox."""

    id = fields.BigIntField(primary_key=True)
    event: fields.ForeignKeyRelation[WebhookEvent] = fields.ForeignKeyField(
        "models.WebhookEvent", related_name="deliveries"
    )
    endpoint: fields.ForeignKeyRelation[WebhookEndpoint] = fields.ForeignKeyField(
        "models.WebhookEndpoint", related_name="deliveries"
    )
    member_id = fields.BigIntField(null=True, description="copied from the event for ordering")
    status = fields.CharEnumField(DeliveryStatus, max_length=16, default=DeliveryStatus.PENDING)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    claimed_until = fields.DatetimeField(null=True)
    last_status = fields.IntField(null=True, description="HTTP status of the last attempt")
    error = fields.TextField(null=True)
    delivered_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "webhook_delivery"
        indexes = (("status", "next_attempt_at"), ("endpoint_id", "member_id", "status"))
