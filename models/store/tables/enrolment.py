"""Join links: a member enrolled elsewhere (web shop, POS, import) links their Telegram."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class JoinLink(Model):
    """A one-time ``j-<token>`` deep link that makes whoever opens it this member.

    Kept after use (``used_at``/``used_by``) so a second opening is told it was used,
    not that it never existed.
    """

    id = fields.BigIntField(primary_key=True)
    token = fields.CharField(max_length=32, unique=True)
    member: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Member", related_name="join_links"
    )
    created_by = fields.CharField(max_length=32, description="api:<key prefix> | cli")
    created_at = fields.DatetimeField()
    used_by = fields.BigIntField(null=True, description="the Telegram user who opened it")
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "join_link"
