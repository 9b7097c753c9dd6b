"""Rewards, the vouchers members redeem them as, and coupon batches."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class Reward(Model):
    """A catalogue item, names and descriptions are data in every language."""

    id = fields.BigIntField(primary_key=True)
    names = fields.JSONField(description="text per language code")
    descriptions = fields.JSONField(default=dict)
    kind = fields.CharField(max_length=16, description="discount | gift | service")
    cost_points = fields.BigIntField()
    discount_minor = fields.BigIntField(null=True)
    discount_percent = fields.IntField(null=True)
    photo_file_id = fields.CharField(max_length=255, null=True)
    photo = fields.BinaryField(null=True, description="original bytes, to re-upload anywhere")
    stock = fields.BigIntField(null=True, description="null = unlimited")
    per_member_limit = fields.IntField(null=True)
    min_tier = fields.CharField(max_length=32, null=True)
    voucher_validity_days = fields.IntField(null=True, description="null = rule default")
    active_from = fields.DatetimeField(null=True)
    active_until = fields.DatetimeField(null=True)
    archived = fields.BooleanField(default=False)
    sort_order = fields.IntField(default=0)
    created_by = fields.BigIntField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "reward"


class VoucherStatus(StrEnum):
    ISSUED = "issued"
    REDEEMED = "redeemed"
    EXPIRED = "expired"
    VOIDED = "voided"


class Voucher(Model):
    """A member's right to one reward, redeemed by one conditional update issued→redeemed."""

    id = fields.BigIntField(primary_key=True)
    token = fields.CharField(max_length=32, unique=True, description="v- QR payload")
    code = fields.CharField(max_length=16, unique=True, description="human code K7QM-4PXD")
    member: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Member", related_name="vouchers"
    )
    reward: fields.ForeignKeyNullableRelation[Reward] = fields.ForeignKeyField(
        "models.Reward", related_name="vouchers", null=True
    )
    status = fields.CharEnumField(VoucherStatus, max_length=16, default=VoucherStatus.ISSUED)
    cost_points = fields.BigIntField(default=0)
    idempotency_key = fields.CharField(max_length=128, unique=True, null=True)
    issued_at = fields.DatetimeField()
    valid_until = fields.DatetimeField()
    redeemed_at = fields.DatetimeField(null=True)
    redeemed_by = fields.BigIntField(null=True, description="staff telegram id or api key id")
    redeemed_channel = fields.CharField(max_length=16, null=True)
    redeemed_location = fields.CharField(max_length=64, null=True)
    voided_at = fields.DatetimeField(null=True)
    void_reason = fields.TextField(null=True)

    class Meta:
        table = "voucher"
        indexes = (("member_id", "status"), ("issued_at", "reward_id", "cost_points"))


class CouponBatch(Model):
    """N single-use coupon codes generated together for one reward."""

    id = fields.BigIntField(primary_key=True)
    name = fields.CharField(max_length=128)
    reward: fields.ForeignKeyRelation[Reward] = fields.ForeignKeyField(
        "models.Reward", related_name="coupon_batches"
    )
    size = fields.IntField()
    valid_until = fields.DatetimeField(null=True)
    created_by = fields.BigIntField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "coupon_batch"


class Coupon(Model):
    """One claimable code (deep link ``c-<token>`` or typed ``code``) → a voucher."""

    id = fields.BigIntField(primary_key=True)
    batch: fields.ForeignKeyRelation[CouponBatch] = fields.ForeignKeyField(
        "models.CouponBatch", related_name="coupons"
    )
    code = fields.CharField(max_length=16, unique=True)
    token = fields.CharField(max_length=32, unique=True)
    claimed_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Member", related_name="coupons", null=True
    )
    claimed_at = fields.DatetimeField(null=True)
    voucher: fields.ForeignKeyNullableRelation[Voucher] = fields.ForeignKeyField(
        "models.Voucher", related_name="coupon", null=True
    )

    class Meta:
        table = "coupon"
