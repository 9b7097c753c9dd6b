"""Who did what (audit), idempotent API answers, and the scheduler's bookkeeping."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class AuditLog(Model):
    """Every privileged action: role changes, adjustments, rule edits, broadcasts, exports."""

    id = fields.BigIntField(primary_key=True)
    actor_telegram_id = fields.BigIntField(null=True)
    actor_kind = fields.CharField(max_length=16, description="telegram | api | cli | system")
    action = fields.CharField(max_length=64, db_index=True)
    target = fields.CharField(max_length=128, null=True)
    details = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "audit_log"
        # a member's trail in the console (target "member:<id>"), newest first; what one
        # person did, newest first (the console's audit search, keyset by id)
        indexes = (("target", "created_at"), ("actor_telegram_id", "id"))


class IdempotencyRecord(Model):
    """The first answer to an externally keyed request, returned again on retry."""

    id = fields.BigIntField(primary_key=True)
    key = fields.CharField(max_length=160, unique=True)
    operation = fields.CharField(max_length=64)
    response = fields.JSONField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "idempotency_record"


class JobRun(Model):
    """One run of a scheduled job for one period, the unique key makes reruns no-ops."""

    id = fields.BigIntField(primary_key=True)
    job = fields.CharField(max_length=64)
    run_key = fields.CharField(max_length=128, unique=True)
    started_at = fields.DatetimeField()
    finished_at = fields.DatetimeField(null=True)
    result = fields.JSONField(default=dict)

    class Meta:
        table = "job_run"


class SchedulerLease(Model):
    """With several bot instances, the holder of this lease runs the jobs."""

    id = fields.BigIntField(primary_key=True)
    name = fields.CharField(max_length=64, unique=True)
    holder = fields.CharField(max_length=128)
    expires_at = fields.DatetimeField()

    class Meta:
        table = "scheduler_lease"
