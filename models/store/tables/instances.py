"""What several bot instances share through the store: the inbox, secrets, the send pace."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class InboxUpdate(Model):
    """A Telegram update, stored before it is acknowledged and processed by any instance.

    ``update_id`` is Telegram's (unique, so a redelivery is a no-op insert); ``chat_key``
    orders processing: one chat's updates are claimed one at a time, oldest first.
    ``payload`` is the update's JSON text as Telegram sent it.
    """

    id = fields.BigIntField(primary_key=True)
    update_id = fields.BigIntField(unique=True)
    chat_key = fields.CharField(max_length=32)
    payload = fields.TextField()
    received_at = fields.DatetimeField()
    claimed_by = fields.CharField(max_length=128, null=True)
    claimed_until = fields.DatetimeField(null=True)
    attempts = fields.IntField(default=0)
    done_at = fields.DatetimeField(null=True)

    class Meta:
        table = "inbox_update"
        indexes = (("done_at", "update_id"), ("chat_key", "done_at", "update_id"))


class SharedSecret(Model):
    """A secret generated once by whichever instance starts first (insert-if-absent)."""

    id = fields.BigIntField(primary_key=True)
    name = fields.CharField(max_length=64, unique=True)
    value = fields.CharField(max_length=256)
    created_at = fields.DatetimeField()

    class Meta:
        table = "shared_secret"


class SendPace(Model):
    """The Bot API send budget of all instances together (virtual scheduling, GCRA).

    ``tat`` is the next free send slot and ``reply_at`` the last time an interactive reply
    booked one, both as Unix seconds (instances' clocks are assumed NTP-synchronized).
    """

    id = fields.BigIntField(primary_key=True)
    name = fields.CharField(max_length=32, unique=True)
    tat = fields.FloatField(default=0)
    reply_at = fields.FloatField(default=0)

    class Meta:
        table = "send_pace"
