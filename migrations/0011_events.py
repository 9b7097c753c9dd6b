from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.store.tables.events import EventStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0010_console')]

    initial = False

    operations = [
        ops.CreateModel(
            name='MemberEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.CASCADE)),
                ('api_key', fields.ForeignKeyField('models.ApiKey', source_field='api_key_id', null=True, db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.RESTRICT)),
                ('event_key', fields.CharField(unique=True, description='<key prefix>:<id>', max_length=128)),
                ('event_id', fields.CharField(description="the caller's own event id", max_length=64)),
                ('type', fields.CharField(max_length=64)),
                ('data', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('channel', fields.CharField(default='api', max_length=16)),
                ('status', fields.CharEnumField(description='AWARDED: awarded\nNO_RULE: no_rule\nCAPPED: capped', enum_type=EventStatus, max_length=16)),
                ('points', fields.BigIntField(default=0)),
                ('rule_version_id', fields.BigIntField(null=True)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'member_event', 'app': 'models', 'indexes': [Index(fields=['member_id', 'type', 'received_at']), Index(fields=['type', 'status', 'received_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
