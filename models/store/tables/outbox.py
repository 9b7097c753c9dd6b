"""Messages the bot starts, written in the same transaction as their cause.

A row holds a locale key and its arguments, not rendered text: the sender renders it in
the recipient's language at delivery time, so ``models/`` never needs the chat layer.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    BLOCKED = "blocked"
    CANCELLED = "cancelled"


class OutboxMessage(Model):
    id = fields.BigIntField(primary_key=True)
    chat_id = fields.BigIntField()
    member: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Member", related_name="outbox", null=True
    )
    kind = fields.CharField(max_length=16, description="receipt|reminder|alert|broadcast|notice")
    template = fields.CharField(max_length=64, description="locale key")
    args = fields.JSONField(default=dict)
    language = fields.CharField(max_length=8, null=True)
    photo_file_id = fields.CharField(max_length=255, null=True)
    buttons = fields.JSONField(null=True)
    broadcast: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Broadcast", related_name="deliveries", null=True
    )
    dedupe_key = fields.CharField(max_length=128, unique=True, null=True)
    status = fields.CharEnumField(OutboxStatus, max_length=16, default=OutboxStatus.PENDING)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    claimed_until = fields.DatetimeField(null=True, description="a sender's lease on the row")
    claimed_by = fields.CharField(max_length=128, null=True, description="the claiming instance")
    sent_at = fields.DatetimeField(null=True)
    telegram_message_id = fields.BigIntField(null=True)
    error = fields.TextField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "outbox_message"
        indexes = (("status", "next_attempt_at"), ("broadcast_id", "status"))
