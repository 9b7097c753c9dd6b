"""Who a targeted campaign (or a personal offer) is for: its materialized audience."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class CampaignMember(Model):
    """One member of a targeted campaign's audience (``models.marketing.audiences``).

    ``control`` members are the held-out share: in the audience for the report, never
    boosted nor messaged. ``window`` tells repeated personal offers apart (the win-back
    window number; 0 for ordinary campaigns). ``expires_at``/``used_at`` make a row a
    personal single-use offer: it applies to one purchase (``used_key``) before it expires.
    """

    id = fields.BigIntField(primary_key=True)
    campaign = fields.ForeignKeyField(
        "models.Campaign", related_name="audience_rows", on_delete=fields.CASCADE
    )
    member = fields.ForeignKeyField(
        "models.Member", related_name="campaign_rows", on_delete=fields.CASCADE
    )
    window = fields.IntField(default=0)
    control = fields.BooleanField(default=False)
    added_at = fields.DatetimeField()
    expires_at = fields.DatetimeField(null=True)
    used_at = fields.DatetimeField(null=True)
    used_key = fields.CharField(max_length=160, null=True, description="purchase idempotency key")

    class Meta:
        table = "campaign_member"
        unique_together = (("campaign", "member", "window"),)
