"""Stamp cards: a card type a marketer sets up, a member's cards, and the stamps on them.

``stamp`` rows are the facts (append-only, one per card a purchase or a refund touched,
keyed so a retry writes nothing twice); ``stamp_card.stamps`` is their sum, materialized
and checked by ``jifen doctor`` (see :mod:`models.stamps`).
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class CardTypeStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"


class CardState(StrEnum):
    """A card's life. "Redeemed" is not a state here: it is the card's voucher's own state
    (the till's one conditional update on the voucher), read through ``voucher_id``."""

    COLLECTING = "collecting"
    FILLED = "filled"
    EXPIRED = "expired"
    CLOSED = "closed"
    """Emptied by a refund onto the member's newer card (see ``models.stamps.refunds``)."""


class StampCardType(Model):
    """What earns a stamp, how many fill a card, what a full card gives, how long it lives."""

    id = fields.BigIntField(primary_key=True)
    names = fields.JSONField(description="per language")
    icon = fields.CharField(max_length=8, default="☕", description="one filled cup")
    stamps_needed = fields.IntField()
    min_amount_minor = fields.BigIntField(default=0, description="a purchase at or above")
    category = fields.CharField(max_length=64, null=True, description="only this category")
    sku = fields.CharField(max_length=64, null=True, description="only this SKU")
    per_item = fields.BooleanField(default=False, description="a stamp per item, else per purchase")
    reward = fields.ForeignKeyField("models.Reward", related_name="stamp_card_types", null=True)
    reward_points = fields.BigIntField(default=0, description="points a full card gives instead")
    lifetime_days = fields.IntField(null=True, description="a card in progress expires after")
    daily_limit = fields.IntField(null=True, description="stamps per member per shop day")
    status = fields.CharEnumField(CardTypeStatus, max_length=16, default=CardTypeStatus.ACTIVE)
    created_by = fields.BigIntField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "stamp_card_type"


class StampCard(Model):
    """A card of one type held by one member, numbered by seq among that member and type."""

    id = fields.BigIntField(primary_key=True)
    member = fields.ForeignKeyField("models.Member", related_name="stamp_cards")
    card_type = fields.ForeignKeyField("models.StampCardType", related_name="cards")
    seq = fields.IntField()
    stamps = fields.IntField(default=0, description="SUM(stamp.stamps) of this card")
    state = fields.CharEnumField(CardState, max_length=16, default=CardState.COLLECTING)
    started_at = fields.DatetimeField()
    expires_at = fields.DatetimeField(null=True)
    filled_at = fields.DatetimeField(null=True)
    voucher = fields.ForeignKeyField("models.Voucher", related_name="stamp_cards", null=True)
    reward_entry_key = fields.CharField(max_length=128, null=True, description="points given")

    class Meta:
        table = "stamp_card"
        unique_together = (("member_id", "card_type_id", "seq"),)
        indexes = (("member_id", "state"),)


class Stamp(Model):
    """Stamps added to (or, negative, taken from) one card by one purchase or refund."""

    id = fields.BigIntField(primary_key=True)
    card = fields.ForeignKeyField("models.StampCard", related_name="stamp_rows")
    member = fields.ForeignKeyField("models.Member", related_name="stamps")
    card_type = fields.ForeignKeyField("models.StampCardType", related_name="stamps")
    stamps = fields.IntField()
    purchase = fields.ForeignKeyField("models.Purchase", related_name="stamps", null=True)
    refund = fields.ForeignKeyField("models.Refund", related_name="stamps", null=True)
    idempotency_key = fields.CharField(max_length=160, unique=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "stamp"
        indexes = (("member_id", "card_type_id", "created_at"), ("purchase_id",))
