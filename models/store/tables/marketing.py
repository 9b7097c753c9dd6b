"""Campaigns (double-points days, multipliers, bonuses) and broadcasts."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class CampaignKind(StrEnum):
    MULTIPLIER = "multiplier"
    BONUS = "bonus"


class CampaignStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    ENDED = "ended"


class Campaign(Model):
    """A time-boxed earning boost, empty filter lists mean "all"."""

    id = fields.BigIntField(primary_key=True)
    names = fields.JSONField(description="per language")
    kind = fields.CharEnumField(CampaignKind, max_length=16)
    multiplier = fields.CharField(max_length=16, default="1", description="decimal as text")
    bonus_points = fields.BigIntField(default=0)
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    weekdays = fields.JSONField(default=list, description="0=Mon..6=Sun, empty = every day")
    hours = fields.JSONField(default=list, description="[start_hour, end_hour) local, empty = all")
    categories = fields.JSONField(default=list)
    skus = fields.JSONField(default=list)
    tiers = fields.JSONField(default=list)
    channels = fields.JSONField(default=list)
    announce = fields.BooleanField(default=True)
    status = fields.CharEnumField(CampaignStatus, max_length=16, default=CampaignStatus.ACTIVE)
    created_by = fields.BigIntField(null=True)
    created_at = fields.DatetimeField()
    announced_at = fields.DatetimeField(null=True)
    end_reminded_at = fields.DatetimeField(null=True)
    audience = fields.JSONField(
        null=True, description="null = everyone, see models.marketing.audiences"
    )

    class Meta:
        table = "campaign"


class BroadcastStatus(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    DONE = "done"
    CANCELLED = "cancelled"


class Broadcast(Model):
    """A marketing message to an audience, its deliveries are outbox rows."""

    id = fields.BigIntField(primary_key=True)
    created_by = fields.BigIntField()
    text = fields.TextField()
    texts = fields.JSONField(
        null=True, description="versions by language (a member without one gets text)"
    )
    photo_file_id = fields.CharField(max_length=255, null=True)
    button = fields.JSONField(null=True, description="button text and url")
    audience = fields.JSONField(default=dict)
    status = fields.CharEnumField(BroadcastStatus, max_length=16, default=BroadcastStatus.DRAFT)
    scheduled_at = fields.DatetimeField(null=True)
    total = fields.IntField(default=0)
    progress_chat_id = fields.BigIntField(null=True)
    progress_message_id = fields.BigIntField(null=True)
    progress_buttons = fields.JSONField(null=True, description="kept on the progress message")
    created_at = fields.DatetimeField()
    started_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "broadcast"
