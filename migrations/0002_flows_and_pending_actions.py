from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.store.tables.flows import ActionState
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [("models", "0001_initial")]

    initial = False

    operations = [
        ops.CreateModel(
            name="ChatFlow",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("telegram_id", fields.BigIntField(unique=True)),
                (
                    "state",
                    fields.JSONField(
                        default=dict,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                ("version", fields.IntField(default=1)),
                ("updated_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                (
                    "expires_at",
                    fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False),
                ),
            ],
            options={
                "table": "chat_flow",
                "app": "models",
                "pk_attr": "id",
                "table_description": "One person's flow state (awaited input, button step, drafts), one row at most.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="PendingAction",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("actor_telegram_id", fields.BigIntField(db_index=True)),
                ("chat_id", fields.BigIntField()),
                (
                    "message_id",
                    fields.BigIntField(null=True, description="the message it is bound to"),
                ),
                ("kind", fields.CharField(max_length=32)),
                (
                    "payload",
                    fields.JSONField(
                        default=dict,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                (
                    "state",
                    fields.CharEnumField(
                        default=ActionState.PENDING,
                        description="PENDING: pending\nCONFIRMING: confirming\nDONE: done\nCANCELLED: cancelled\nEXPIRED: expired",
                        enum_type=ActionState,
                        max_length=16,
                    ),
                ),
                (
                    "result",
                    fields.JSONField(
                        null=True,
                        description="the outcome shown on Confirm",
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("claimed_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                (
                    "finished_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                (
                    "expires_at",
                    fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False),
                ),
            ],
            options={
                "table": "pending_action",
                "app": "models",
                "pk_attr": "id",
                "table_description": "A confirm step: what Confirm will do, for whom, shown on which message.",
            },
            bases=["Model"],
        ),
    ]
