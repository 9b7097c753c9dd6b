from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.store.tables.catalogue import VoucherStatus
from models.store.tables.ledger import EntryKind
from models.store.tables.marketing import BroadcastStatus, CampaignKind, CampaignStatus
from models.store.tables.members import Role
from models.store.tables.outbox import OutboxStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name="ApiKey",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("name", fields.CharField(max_length=64)),
                ("prefix", fields.CharField(unique=True, max_length=16)),
                ("key_hash", fields.CharField(max_length=128)),
                ("location", fields.CharField(null=True, max_length=64)),
                ("created_by", fields.BigIntField(null=True)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("revoked_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                (
                    "last_used_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
            ],
            options={
                "table": "api_key",
                "app": "models",
                "pk_attr": "id",
                "table_description": "A POS / web-shop credential, only a hash of the secret is stored.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="AuditLog",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("actor_telegram_id", fields.BigIntField(null=True)),
                (
                    "actor_kind",
                    fields.CharField(description="telegram | api | cli | system", max_length=16),
                ),
                ("action", fields.CharField(db_index=True, max_length=64)),
                ("target", fields.CharField(null=True, max_length=128)),
                (
                    "details",
                    fields.JSONField(
                        default=dict,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                (
                    "created_at",
                    fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False),
                ),
            ],
            options={
                "table": "audit_log",
                "app": "models",
                "pk_attr": "id",
                "table_description": "Every privileged action: role changes, adjustments, rule edits, broadcasts, exports.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Broadcast",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("created_by", fields.BigIntField()),
                ("text", fields.TextField(unique=False)),
                ("photo_file_id", fields.CharField(null=True, max_length=255)),
                (
                    "button",
                    fields.JSONField(
                        null=True,
                        description="button text and url",
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                (
                    "audience",
                    fields.JSONField(
                        default=dict,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                (
                    "status",
                    fields.CharEnumField(
                        default=BroadcastStatus.DRAFT,
                        description="DRAFT: draft\nSCHEDULED: scheduled\nSENDING: sending\nDONE: done\nCANCELLED: cancelled",
                        enum_type=BroadcastStatus,
                        max_length=16,
                    ),
                ),
                (
                    "scheduled_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                ("total", fields.IntField(default=0)),
                ("progress_chat_id", fields.BigIntField(null=True)),
                ("progress_message_id", fields.BigIntField(null=True)),
                (
                    "progress_buttons",
                    fields.JSONField(
                        null=True,
                        description="kept on the progress message",
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("started_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                (
                    "finished_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
            ],
            options={
                "table": "broadcast",
                "app": "models",
                "pk_attr": "id",
                "table_description": "A marketing message to an audience, its deliveries are outbox rows.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Campaign",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "names",
                    fields.JSONField(
                        description="per language",
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                (
                    "kind",
                    fields.CharEnumField(
                        description="MULTIPLIER: multiplier\nBONUS: bonus",
                        enum_type=CampaignKind,
                        max_length=16,
                    ),
                ),
                (
                    "multiplier",
                    fields.CharField(default="1", description="decimal as text", max_length=16),
                ),
                ("bonus_points", fields.BigIntField(default=0)),
                ("starts_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("ends_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                (
                    "weekdays",
                    fields.JSONField(
                        default=list,
                        description="0=Mon..6=Sun, empty = every day",
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                (
                    "hours",
                    fields.JSONField(
                        default=list,
                        description="[start_hour, end_hour) local, empty = all",
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                (
                    "categories",
                    fields.JSONField(
                        default=list,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                (
                    "skus",
                    fields.JSONField(
                        default=list,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                (
                    "tiers",
                    fields.JSONField(
                        default=list,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                (
                    "channels",
                    fields.JSONField(
                        default=list,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                ("announce", fields.BooleanField(default=True)),
                (
                    "status",
                    fields.CharEnumField(
                        default=CampaignStatus.ACTIVE,
                        description="ACTIVE: active\nPAUSED: paused\nENDED: ended",
                        enum_type=CampaignStatus,
                        max_length=16,
                    ),
                ),
                ("created_by", fields.BigIntField(null=True)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                (
                    "announced_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                (
                    "end_reminded_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
            ],
            options={
                "table": "campaign",
                "app": "models",
                "pk_attr": "id",
                "table_description": 'A time-boxed earning boost, empty filter lists mean "all".',
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="IdempotencyRecord",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("key", fields.CharField(unique=True, max_length=160)),
                ("operation", fields.CharField(max_length=64)),
                (
                    "response",
                    fields.JSONField(
                        encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "idempotency_record",
                "app": "models",
                "pk_attr": "id",
                "table_description": "The first answer to an externally keyed request, returned again on retry.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="JobRun",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("job", fields.CharField(max_length=64)),
                ("run_key", fields.CharField(unique=True, max_length=128)),
                ("started_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                (
                    "finished_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                (
                    "result",
                    fields.JSONField(
                        default=dict,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
            ],
            options={
                "table": "job_run",
                "app": "models",
                "pk_attr": "id",
                "table_description": "One run of a scheduled job for one period, the unique key makes reruns no-ops.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Member",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("telegram_id", fields.BigIntField(null=True, unique=True)),
                (
                    "code",
                    fields.CharField(unique=True, description="human member code", max_length=16),
                ),
                ("first_name", fields.CharField(default="", max_length=128)),
                ("last_name", fields.CharField(default="", max_length=128)),
                ("username", fields.CharField(null=True, max_length=64)),
                ("phone", fields.CharField(null=True, db_index=True, max_length=32)),
                ("birthday", fields.DateField(null=True)),
                ("language", fields.CharField(default="en", max_length=8)),
                ("marketing_opt_in", fields.BooleanField(default=False)),
                ("notifications_enabled", fields.BooleanField(default=True)),
                (
                    "reachable",
                    fields.BooleanField(default=True, description="false after Telegram said 403"),
                ),
                (
                    "card_token",
                    fields.CharField(unique=True, description="m- QR payload", max_length=32),
                ),
                ("referral_code", fields.CharField(unique=True, max_length=16)),
                (
                    "referred_by",
                    fields.ForeignKeyField(
                        "models.Member",
                        source_field="referred_by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="referrals",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                (
                    "referral_rewarded_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                (
                    "referral_bonus_points",
                    fields.IntField(
                        null=True,
                        description="bonus promised to the referrer when the referrer was attached",
                    ),
                ),
                ("tier", fields.CharField(default="member", max_length=32)),
                ("tier_since", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("balance", fields.BigIntField(default=0)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                (
                    "last_seen_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                (
                    "last_purchase_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                ("deleted_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "member",
                "app": "models",
                "pk_attr": "id",
                "table_description": "Everyone who has started the bot (staff too), with a materialized point balance.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="OutboxMessage",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("chat_id", fields.BigIntField()),
                (
                    "member",
                    fields.ForeignKeyField(
                        "models.Member",
                        source_field="member_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="outbox",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "kind",
                    fields.CharField(
                        description="receipt|reminder|alert|broadcast|notice", max_length=16
                    ),
                ),
                ("template", fields.CharField(description="locale key", max_length=64)),
                (
                    "args",
                    fields.JSONField(
                        default=dict,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                ("language", fields.CharField(null=True, max_length=8)),
                ("photo_file_id", fields.CharField(null=True, max_length=255)),
                (
                    "buttons",
                    fields.JSONField(
                        null=True,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                (
                    "broadcast",
                    fields.ForeignKeyField(
                        "models.Broadcast",
                        source_field="broadcast_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="deliveries",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("dedupe_key", fields.CharField(null=True, unique=True, max_length=128)),
                (
                    "status",
                    fields.CharEnumField(
                        default=OutboxStatus.PENDING,
                        description="PENDING: pending\nSENT: sent\nFAILED: failed\nBLOCKED: blocked\nCANCELLED: cancelled",
                        enum_type=OutboxStatus,
                        max_length=16,
                    ),
                ),
                ("attempts", fields.IntField(default=0)),
                ("next_attempt_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                (
                    "claimed_until",
                    fields.DatetimeField(
                        null=True,
                        description="a sender's lease on the row",
                        auto_now=False,
                        auto_now_add=False,
                    ),
                ),
                ("sent_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("telegram_message_id", fields.BigIntField(null=True)),
                ("error", fields.TextField(null=True, unique=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "outbox_message",
                "app": "models",
                "indexes": [
                    Index(fields=["status", "next_attempt_at"]),
                    Index(fields=["broadcast_id", "status"]),
                ],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Purchase",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "member",
                    fields.ForeignKeyField(
                        "models.Member",
                        source_field="member_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="purchases",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("receipt_code", fields.CharField(unique=True, max_length=16)),
                ("order_id", fields.CharField(null=True, db_index=True, max_length=64)),
                ("idempotency_key", fields.CharField(unique=True, max_length=128)),
                ("amount_minor", fields.BigIntField()),
                ("currency", fields.CharField(max_length=3)),
                ("category", fields.CharField(null=True, max_length=64)),
                (
                    "items",
                    fields.JSONField(
                        default=list,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                ("location", fields.CharField(null=True, max_length=64)),
                ("channel", fields.CharField(default="telegram", max_length=16)),
                ("staff_telegram_id", fields.BigIntField(null=True)),
                ("points_awarded", fields.BigIntField(default=0)),
                ("refunded_minor", fields.BigIntField(default=0)),
                ("points_reversed", fields.BigIntField(default=0)),
                (
                    "created_at",
                    fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False),
                ),
            ],
            options={
                "table": "purchase",
                "app": "models",
                "indexes": [
                    Index(
                        fields=[
                            "created_at",
                            "location",
                            "amount_minor",
                            "refunded_minor",
                            "member_id",
                        ]
                    ),
                    Index(fields=["member_id", "created_at", "amount_minor", "refunded_minor"]),
                ],
                "pk_attr": "id",
                "table_description": "A recorded sale, ``idempotency_key`` is the POS order id or the chat confirmation.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Refund",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "purchase",
                    fields.ForeignKeyField(
                        "models.Purchase",
                        source_field="purchase_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="refunds",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("amount_minor", fields.BigIntField()),
                ("points_reversed", fields.BigIntField()),
                ("idempotency_key", fields.CharField(unique=True, max_length=128)),
                ("staff_telegram_id", fields.BigIntField(null=True)),
                ("channel", fields.CharField(default="telegram", max_length=16)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "refund",
                "app": "models",
                "pk_attr": "id",
                "table_description": "A full or partial refund of a purchase and the points it reversed.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Reward",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "names",
                    fields.JSONField(
                        description="text per language code",
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                (
                    "descriptions",
                    fields.JSONField(
                        default=dict,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                ("kind", fields.CharField(description="discount | gift | service", max_length=16)),
                ("cost_points", fields.BigIntField()),
                ("discount_minor", fields.BigIntField(null=True)),
                ("discount_percent", fields.IntField(null=True)),
                ("photo_file_id", fields.CharField(null=True, max_length=255)),
                (
                    "photo",
                    fields.BinaryField(
                        null=True, description="original bytes, to re-upload anywhere"
                    ),
                ),
                ("stock", fields.BigIntField(null=True, description="null = unlimited")),
                ("per_member_limit", fields.IntField(null=True)),
                ("min_tier", fields.CharField(null=True, max_length=32)),
                (
                    "voucher_validity_days",
                    fields.IntField(null=True, description="null = rule default"),
                ),
                (
                    "active_from",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                (
                    "active_until",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                ("archived", fields.BooleanField(default=False)),
                ("sort_order", fields.IntField(default=0)),
                ("created_by", fields.BigIntField(null=True)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "reward",
                "app": "models",
                "pk_attr": "id",
                "table_description": "A catalogue item, names and descriptions are data in every language.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="CouponBatch",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("name", fields.CharField(max_length=128)),
                (
                    "reward",
                    fields.ForeignKeyField(
                        "models.Reward",
                        source_field="reward_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="coupon_batches",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("size", fields.IntField()),
                (
                    "valid_until",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                ("created_by", fields.BigIntField(null=True)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "coupon_batch",
                "app": "models",
                "pk_attr": "id",
                "table_description": "N single-use coupon codes generated together for one reward.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="RuleVersion",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "rules",
                    fields.JSONField(
                        encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads
                    ),
                ),
                ("digest", fields.CharField(db_index=True, max_length=64)),
                ("source", fields.CharField(description="config | chat", max_length=16)),
                ("created_by", fields.BigIntField(null=True)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "rule_version",
                "app": "models",
                "pk_attr": "id",
                "table_description": "A snapshot of the rules in force (a dump of ``models.ledger.config.RuleSet``).",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="SchedulerLease",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("name", fields.CharField(unique=True, max_length=64)),
                ("holder", fields.CharField(max_length=128)),
                ("expires_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "scheduler_lease",
                "app": "models",
                "pk_attr": "id",
                "table_description": "With several bot instances, the holder of this lease runs the jobs.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="StaffInvite",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("token", fields.CharField(unique=True, max_length=32)),
                (
                    "role",
                    fields.CharEnumField(
                        description="ADMIN: admin\nMARKETER: marketer\nSTAFF: staff",
                        enum_type=Role,
                        max_length=16,
                    ),
                ),
                ("location", fields.CharField(null=True, max_length=64)),
                ("created_by", fields.BigIntField()),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("expires_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("used_by", fields.BigIntField(null=True)),
                ("used_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "staff_invite",
                "app": "models",
                "pk_attr": "id",
                "table_description": "A one-time invite (deep link ``s-<token>``) that grants a role to whoever opens it.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="StaffRole",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("telegram_id", fields.BigIntField(unique=True)),
                (
                    "role",
                    fields.CharEnumField(
                        description="ADMIN: admin\nMARKETER: marketer\nSTAFF: staff",
                        enum_type=Role,
                        max_length=16,
                    ),
                ),
                ("location", fields.CharField(null=True, max_length=64)),
                ("active", fields.BooleanField(default=True)),
                ("weekly_report", fields.BooleanField(default=False)),
                ("granted_by", fields.BigIntField(null=True)),
                ("granted_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("revoked_by", fields.BigIntField(null=True)),
                ("revoked_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "staff_role",
                "app": "models",
                "pk_attr": "id",
                "table_description": "A Telegram user's role, one row per user, revoked by clearing ``active``.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="TierChange",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "member",
                    fields.ForeignKeyField(
                        "models.Member",
                        source_field="member_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="tier_changes",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("from_tier", fields.CharField(max_length=32)),
                ("to_tier", fields.CharField(max_length=32)),
                ("reason", fields.CharField(description="earn | review | admin", max_length=16)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "tier_change",
                "app": "models",
                "indexes": [Index(fields=["member_id", "created_at"])],
                "pk_attr": "id",
                "table_description": "History of a member's tier (upgrades on earn, downgrades at review).",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Voucher",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "token",
                    fields.CharField(unique=True, description="v- QR payload", max_length=32),
                ),
                (
                    "code",
                    fields.CharField(
                        unique=True, description="human code K7QM-4PXD", max_length=16
                    ),
                ),
                (
                    "member",
                    fields.ForeignKeyField(
                        "models.Member",
                        source_field="member_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="vouchers",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "reward",
                    fields.ForeignKeyField(
                        "models.Reward",
                        source_field="reward_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="vouchers",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "status",
                    fields.CharEnumField(
                        default=VoucherStatus.ISSUED,
                        description="ISSUED: issued\nREDEEMED: redeemed\nEXPIRED: expired\nVOIDED: voided",
                        enum_type=VoucherStatus,
                        max_length=16,
                    ),
                ),
                ("cost_points", fields.BigIntField(default=0)),
                ("idempotency_key", fields.CharField(null=True, unique=True, max_length=128)),
                ("issued_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("valid_until", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                (
                    "redeemed_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                (
                    "redeemed_by",
                    fields.BigIntField(null=True, description="staff telegram id or api key id"),
                ),
                ("redeemed_channel", fields.CharField(null=True, max_length=16)),
                ("redeemed_location", fields.CharField(null=True, max_length=64)),
                ("voided_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("void_reason", fields.TextField(null=True, unique=False)),
            ],
            options={
                "table": "voucher",
                "app": "models",
                "indexes": [Index(fields=["member_id", "status"])],
                "pk_attr": "id",
                "table_description": "A member's right to one reward, redeemed by one conditional update issued→redeemed.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Coupon",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "batch",
                    fields.ForeignKeyField(
                        "models.CouponBatch",
                        source_field="batch_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="coupons",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("code", fields.CharField(unique=True, max_length=16)),
                ("token", fields.CharField(unique=True, max_length=32)),
                (
                    "claimed_by",
                    fields.ForeignKeyField(
                        "models.Member",
                        source_field="claimed_by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="coupons",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("claimed_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                (
                    "voucher",
                    fields.ForeignKeyField(
                        "models.Voucher",
                        source_field="voucher_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="coupon",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
            ],
            options={
                "table": "coupon",
                "app": "models",
                "pk_attr": "id",
                "table_description": "One claimable code (deep link ``c-<token>`` or typed ``code``) → a voucher.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="LedgerEntry",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "member",
                    fields.ForeignKeyField(
                        "models.Member",
                        source_field="member_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="entries",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "kind",
                    fields.CharEnumField(
                        description="EARN: earn\nBONUS: bonus\nREDEEM: redeem\nEXPIRE: expire\nADJUST: adjust\nREVERSE: reverse",
                        enum_type=EntryKind,
                        max_length=16,
                    ),
                ),
                ("points", fields.BigIntField(description="signed")),
                ("balance_after", fields.BigIntField()),
                ("idempotency_key", fields.CharField(null=True, unique=True, max_length=128)),
                (
                    "purchase",
                    fields.ForeignKeyField(
                        "models.Purchase",
                        source_field="purchase_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="entries",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "voucher",
                    fields.ForeignKeyField(
                        "models.Voucher",
                        source_field="voucher_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="entries",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "reverses",
                    fields.ForeignKeyField(
                        "models.LedgerEntry",
                        source_field="reverses_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="reversals",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "rule_version",
                    fields.ForeignKeyField(
                        "models.RuleVersion",
                        source_field="rule_version_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="entries",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "breakdown",
                    fields.JSONField(
                        default=dict,
                        description="how the points were computed",
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                ("reason", fields.TextField(null=True, unique=False)),
                ("actor_telegram_id", fields.BigIntField(null=True)),
                ("channel", fields.CharField(default="telegram", max_length=16)),
                (
                    "created_at",
                    fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False),
                ),
            ],
            options={
                "table": "ledger_entry",
                "app": "models",
                "indexes": [
                    Index(fields=["member_id", "created_at"]),
                    Index(fields=["created_at", "kind", "points", "member_id"]),
                ],
                "pk_attr": "id",
                "table_description": "One change of one member's balance, with what caused it and how it was computed.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="PointLot",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "member",
                    fields.ForeignKeyField(
                        "models.Member",
                        source_field="member_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="lots",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "entry",
                    fields.ForeignKeyField(
                        "models.LedgerEntry",
                        source_field="entry_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="lots",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("points", fields.BigIntField()),
                ("remaining", fields.BigIntField()),
                (
                    "expires_at",
                    fields.DatetimeField(
                        null=True, description="null = never", auto_now=False, auto_now_add=False
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "point_lot",
                "app": "models",
                "indexes": [
                    Index(fields=["member_id", "expires_at"]),
                    Index(fields=["expires_at", "remaining"]),
                ],
                "pk_attr": "id",
                "table_description": "Points earned together that expire together, spends draw earliest-expiry first.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="LotDraw",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "entry",
                    fields.ForeignKeyField(
                        "models.LedgerEntry",
                        source_field="entry_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="draws",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "lot",
                    fields.ForeignKeyField(
                        "models.PointLot",
                        source_field="lot_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="draws",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("points", fields.BigIntField()),
            ],
            options={
                "table": "lot_draw",
                "app": "models",
                "pk_attr": "id",
                "table_description": "How many points an entry took from (negative) or gave back to (positive) a lot.",
            },
            bases=["Model"],
        ),
    ]
