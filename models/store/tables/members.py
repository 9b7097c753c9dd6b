"""People: members, staff roles and invites, API keys, tier history."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class Member(Model):
    """Everyone who has started the bot (staff too), with a materialized point balance.

    Only ``enrolled`` rows are members: reports, segments and audiences count them alone.

    ``balance`` is changed only by ledger operations, in the same transaction as the
    entry, by a conditional update. Deleting an account anonymises the personal fields
    (``deleted_at`` set) and keeps the row so the books still add up.
    """

    id = fields.BigIntField(primary_key=True)
    telegram_id = fields.BigIntField(unique=True, null=True)
    external_id = fields.CharField(
        max_length=64, unique=True, null=True, description="id in the shop's old system or web shop"
    )
    code = fields.CharField(max_length=16, unique=True, description="human member code")
    first_name = fields.CharField(max_length=128, default="")
    last_name = fields.CharField(max_length=128, default="")
    username = fields.CharField(max_length=64, null=True)
    phone = fields.CharField(max_length=32, null=True, db_index=True)
    birthday = fields.DateField(null=True)
    language = fields.CharField(max_length=8, default="en")
    marketing_opt_in = fields.BooleanField(default=False)
    marketing_consent_at = fields.DatetimeField(
        null=True, description="when the member last answered whether they want offers"
    )
    notifications_enabled = fields.BooleanField(default=True)
    reachable = fields.BooleanField(default=True, description="false after Telegram said 403")
    card_token = fields.CharField(max_length=32, unique=True, description="m- QR payload")
    referral_code = fields.CharField(max_length=16, unique=True)
    referred_by: fields.ForeignKeyNullableRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="referrals", null=True, on_delete=fields.SET_NULL
    )
    referral_rewarded_at = fields.DatetimeField(null=True)
    referral_bonus_points = fields.IntField(
        null=True, description="bonus promised to the referrer when the referrer was attached"
    )
    tier = fields.CharField(max_length=32, default="member")
    tier_since = fields.DatetimeField(null=True)
    tier_up_unseen = fields.CharField(
        max_length=32, null=True, description="a tier reached that the Mini App has not shown"
    )
    balance = fields.BigIntField(default=0)
    created_at = fields.DatetimeField()
    last_seen_at = fields.DatetimeField(null=True)
    last_purchase_at = fields.DatetimeField(null=True)
    deleted_at = fields.DatetimeField(null=True)
    enrolled = fields.BooleanField(
        default=True,
        db_default=True,  # rows inserted by SQL (imports, benchmarks) are members
        description="joined as a member (staff are not until they choose to join as one)",
    )

    class Meta:
        table = "member"
        # the console's member list sorts by these, a page at a time (keyset on the id)
        indexes = (
            ("balance", "id"),
            ("last_purchase_at", "id"),
            ("first_name", "id"),
            ("created_at", "enrolled"),  # new members in a report period
            ("tier", "enrolled", "deleted_at", "created_at"),  # members per tier, covered
        )

    @property
    def display_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p) or self.code


class Role(StrEnum):
    ADMIN = "admin"
    MARKETER = "marketer"
    STAFF = "staff"


class StaffRole(Model):
    """A Telegram user's role, one row per user, revoked by clearing ``active``."""

    id = fields.BigIntField(primary_key=True)
    telegram_id = fields.BigIntField(unique=True)
    role = fields.CharEnumField(Role, max_length=16)
    location = fields.CharField(max_length=64, null=True)
    active = fields.BooleanField(default=True)
    weekly_report = fields.BooleanField(default=False)
    granted_by = fields.BigIntField(null=True)
    granted_at = fields.DatetimeField()
    revoked_by = fields.BigIntField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "staff_role"


class StaffInvite(Model):
    """A one-time invite (deep link ``s-<token>``) that grants a role to whoever opens it."""

    id = fields.BigIntField(primary_key=True)
    token = fields.CharField(max_length=32, unique=True)
    role = fields.CharEnumField(Role, max_length=16)
    location = fields.CharField(max_length=64, null=True)
    created_by = fields.BigIntField()
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    used_by = fields.BigIntField(null=True)
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "staff_invite"


class ApiKey(Model):
    """A POS / web-shop credential, only a hash of the secret is stored."""

    id = fields.BigIntField(primary_key=True)
    name = fields.CharField(max_length=64)
    prefix = fields.CharField(max_length=16, unique=True)
    key_hash = fields.CharField(max_length=128)
    location = fields.CharField(max_length=64, null=True)
    created_by = fields.BigIntField(null=True)
    created_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)
    last_used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_key"


class TierChange(Model):
    """History of a member's tier (upgrades on earn, downgrades at review)."""

    id = fields.BigIntField(primary_key=True)
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="tier_changes"
    )
    from_tier = fields.CharField(max_length=32)
    to_tier = fields.CharField(max_length=32)
    reason = fields.CharField(max_length=16, description="earn | review | admin")
    created_at = fields.DatetimeField()

    class Meta:
        table = "tier_change"
        # a member's tier at a past instant (reports.tiers_at) walks their changes since
        indexes = (("member_id", "created_at"),)
