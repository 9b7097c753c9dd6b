"""Report roll-ups: the figures of closed local days, kept so a dashboard does not rescan
a year of ledger to show a week (see :mod:`models.reports.rollup`).

A row is a cache of what the journal, purchases and tier changes already say, never a
fact of its own: deleting every row loses nothing (the next report computes them again).
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class ReportDay(Model):
    """One closed local day in one time zone: points per kind, purchases and sales per
    location, and (once a report asked) liability and members per tier at its end."""

    id = fields.BigIntField(primary_key=True)
    tz = fields.CharField(max_length=64, description="the IANA zone its day is local to")
    day = fields.CharField(max_length=10, description="YYYY-MM-DD, local")
    figures = fields.JSONField(description='{"points": {kind: n}, "sales": [[loc, n, minor]]}')
    liability = fields.BigIntField(null=True, description="at the day's end, once asked")
    tiers = fields.JSONField(null=True, description="members per tier at its end, once asked")
    created_at = fields.DatetimeField()

    class Meta:
        table = "report_day"
        unique_together = (("tz", "day"),)


class ReportWatermark(Model):
    """Per zone, the last row id of each source table the roll-up has been checked against:
    a later row dated inside a rolled day (an import, a test's clock) drops those days."""

    id = fields.BigIntField(primary_key=True)
    tz = fields.CharField(max_length=64, unique=True)
    ledger_entry_id = fields.BigIntField(default=0)
    purchase_id = fields.BigIntField(default=0)
    tier_change_id = fields.BigIntField(default=0)
    member_id = fields.BigIntField(default=0)

    class Meta:
        table = "report_watermark"
