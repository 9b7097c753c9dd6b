"""The journal: entries, point lots and what they came from. Append-only.

Invariant (checked by ``jifen doctor``): for every member,
``member.balance == sum(entry.points) == sum(lot.remaining) + negative carry``.
Rows here are never updated in place except ``PointLot.remaining`` (consumed by spends
and expiry, recorded by ``LotDraw`` rows) and the refund counters on ``Purchase``.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class EntryKind(StrEnum):
    EARN = "earn"
    BONUS = "bonus"
    REDEEM = "redeem"
    EXPIRE = "expire"
    ADJUST = "adjust"
    REVERSE = "reverse"
    OPENING = "opening"
    """A balance brought over from another system (``jifen import members``), once per member."""


class RuleVersion(Model):
    """A snapshot of the rules in force (a dump of ``models.ledger.config.RuleSet``)."""

    id = fields.BigIntField(primary_key=True)
    rules = fields.JSONField()
    digest = fields.CharField(max_length=64, db_index=True)
    source = fields.CharField(max_length=16, description="config | chat")
    created_by = fields.BigIntField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "rule_version"


class Purchase(Model):
    """A recorded sale, ``idempotency_key`` is the POS order id or the chat confirmation."""

    id = fields.BigIntField(primary_key=True)
    member: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Member", related_name="purchases"
    )
    receipt_code = fields.CharField(max_length=16, unique=True)
    order_id = fields.CharField(max_length=64, null=True, db_index=True)
    idempotency_key = fields.CharField(max_length=128, unique=True)
    amount_minor = fields.BigIntField()
    currency = fields.CharField(max_length=3)
    category = fields.CharField(max_length=64, null=True)
    items = fields.JSONField(default=list)
    location = fields.CharField(max_length=64, null=True)
    channel = fields.CharField(max_length=16, default="telegram")
    staff_telegram_id = fields.BigIntField(null=True)
    api_key: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.ApiKey",
        related_name="purchases",
        null=True,
        on_delete=fields.RESTRICT,
        description="the HTTP API key that recorded it: its order ids are that key's alone",
    )
    points_awarded = fields.BigIntField(default=0)
    refunded_minor = fields.BigIntField(default=0)
    points_reversed = fields.BigIntField(default=0)
    created_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "purchase"
        # Covering indexes for models/reports.py (sales by period, location) and
        # models/segments.py (RFM per member): the aggregates never touch the table rows.
        indexes = (
            ("created_at", "location", "amount_minor", "refunded_minor", "member_id"),
            ("member_id", "created_at", "amount_minor", "refunded_minor"),
            ("api_key_id", "order_id"),
        )


class LedgerEntry(Model):
    """One change of one member's balance, with what caused it and how it was computed."""

    id = fields.BigIntField(primary_key=True)
    member: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Member", related_name="entries"
    )
    kind = fields.CharEnumField(EntryKind, max_length=16)
    points = fields.BigIntField(description="signed")
    balance_after = fields.BigIntField()
    idempotency_key = fields.CharField(max_length=128, unique=True, null=True)
    purchase: fields.ForeignKeyNullableRelation[Purchase] = fields.ForeignKeyField(
        "models.Purchase", related_name="entries", null=True
    )
    voucher: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Voucher", related_name="entries", null=True
    )
    reverses: fields.ForeignKeyNullableRelation[LedgerEntry] = fields.ForeignKeyField(
        "models.LedgerEntry", related_name="reversals", null=True
    )
    rule_version: fields.ForeignKeyNullableRelation[RuleVersion] = fields.ForeignKeyField(
        "models.RuleVersion", related_name="entries", null=True
    )
    breakdown = fields.JSONField(default=dict, description="how the points were computed")
    reason = fields.TextField(null=True)
    actor_telegram_id = fields.BigIntField(null=True)
    channel = fields.CharField(max_length=16, default="telegram")
    created_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "ledger_entry"
        indexes = (
            ("member_id", "created_at"),
            # covering index for models/reports.py: points per kind and day, liability walk-back
            ("created_at", "kind", "points", "member_id"),
        )


class PointLot(Model):
    """Points earned together that expire together, spends draw earliest-expiry first."""

    id = fields.BigIntField(primary_key=True)
    member: fields.ForeignKeyRelation = fields.ForeignKeyField("models.Member", related_name="lots")
    entry: fields.ForeignKeyRelation[LedgerEntry] = fields.ForeignKeyField(
        "models.LedgerEntry", related_name="lots"
    )
    points = fields.BigIntField()
    remaining = fields.BigIntField()
    expires_at = fields.DatetimeField(null=True, description="null = never")
    created_at = fields.DatetimeField()

    class Meta:
        table = "point_lot"
        indexes = (("member_id", "expires_at"), ("expires_at", "remaining"))


class LotDraw(Model):
    """How many points an entry took from (negative) or gave back to (positive) a lot."""

    id = fields.BigIntField(primary_key=True)
    entry: fields.ForeignKeyRelation[LedgerEntry] = fields.ForeignKeyField(
        "models.LedgerEntry", related_name="draws"
    )
    lot: fields.ForeignKeyRelation[PointLot] = fields.ForeignKeyField(
        "models.PointLot", related_name="draws"
    )
    points = fields.BigIntField()

    class Meta:
        table = "lot_draw"


class Refund(Model):
    """A full or partial refund of a purchase and the points it reversed."""

    id = fields.BigIntField(primary_key=True)
    purchase: fields.ForeignKeyRelation[Purchase] = fields.ForeignKeyField(
        "models.Purchase", related_name="refunds"
    )
    amount_minor = fields.BigIntField()
    points_reversed = fields.BigIntField()
    idempotency_key = fields.CharField(max_length=128, unique=True)
    staff_telegram_id = fields.BigIntField(null=True)
    channel = fields.CharField(max_length=16, default="telegram")
    created_at = fields.DatetimeField()

    class Meta:
        table = "refund"
