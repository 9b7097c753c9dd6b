"""Events other systems report about members (a review written, a class attended).

Each row is one event as the caller sent it, kept whether or not a rule priced it, so a
rule added later can be applied to the past (``jifen events replay``). ``event_key`` is
the caller's event id scoped to its API key: one event earns once, however often it is
sent. ``status`` moves only from ``no_rule`` to a decided state, by a conditional update.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class EventStatus(StrEnum):
    AWARDED = "awarded"
    NO_RULE = "no_rule"
    """No rule for the type (or none in force at the event's time): may be replayed."""
    CAPPED = "capped"
    """A rule applied but the member's caps were reached: nothing was awarded."""


class MemberEvent(Model):
    id = fields.BigIntField(primary_key=True)
    member: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Member", related_name="events"
    )
    api_key: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.ApiKey", related_name="events", null=True, on_delete=fields.RESTRICT
    )
    event_key = fields.CharField(max_length=128, unique=True, description="<key prefix>:<id>")
    event_id = fields.CharField(max_length=64, description="the caller's own event id")
    type = fields.CharField(max_length=64)
    data = fields.JSONField(default=dict)
    channel = fields.CharField(max_length=16, default="api")
    status = fields.CharEnumField(EventStatus, max_length=16)
    points = fields.BigIntField(default=0)
    rule_version_id = fields.BigIntField(null=True)
    received_at = fields.DatetimeField()
    decided_at = fields.DatetimeField(null=True)

    class Meta:
        table = "member_event"
        indexes = (("member_id", "type", "received_at"), ("type", "status", "received_at"))
