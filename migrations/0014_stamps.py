from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.store.tables.stamps import CardState, CardTypeStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0013_audit_search')]

    initial = False

    operations = [
        ops.CreateModel(
            name='StampCardType',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('names', fields.JSONField(description='per language', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('icon', fields.CharField(default='☕', description='one filled cup', max_length=8)),
                ('stamps_needed', fields.IntField()),
                ('min_amount_minor', fields.BigIntField(default=0, description='a purchase at or above')),
                ('category', fields.CharField(null=True, description='only this category', max_length=64)),
                ('sku', fields.CharField(null=True, description='only this SKU', max_length=64)),
                ('per_item', fields.BooleanField(default=False, description='a stamp per item, else per purchase')),
                ('reward', fields.ForeignKeyField('models.Reward', source_field='reward_id', null=True, db_constraint=True, to_field='id', related_name='stamp_card_types', on_delete=OnDelete.CASCADE)),
                ('reward_points', fields.BigIntField(default=0, description='points a full card gives instead')),
                ('lifetime_days', fields.IntField(null=True, description='a card in progress expires after')),
                ('daily_limit', fields.IntField(null=True, description='stamps per member per shop day')),
                ('status', fields.CharEnumField(default=CardTypeStatus.ACTIVE, description='ACTIVE: active\nPAUSED: paused', enum_type=CardTypeStatus, max_length=16)),
                ('created_by', fields.BigIntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'stamp_card_type', 'app': 'models', 'pk_attr': 'id', 'table_description': 'What earns a stamp, how many fill a card, what a full card gives, how long it lives.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StampCard',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='stamp_cards', on_delete=OnDelete.CASCADE)),
                ('card_type', fields.ForeignKeyField('models.StampCardType', source_field='card_type_id', db_constraint=True, to_field='id', related_name='cards', on_delete=OnDelete.CASCADE)),
                ('seq', fields.IntField()),
                ('stamps', fields.IntField(default=0, description='SUM(stamp.stamps) of this card')),
                ('state', fields.CharEnumField(default=CardState.COLLECTING, description='COLLECTING: collecting\nFILLED: filled\nEXPIRED: expired\nCLOSED: closed', enum_type=CardState, max_length=16)),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('filled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('voucher', fields.ForeignKeyField('models.Voucher', source_field='voucher_id', null=True, db_constraint=True, to_field='id', related_name='stamp_cards', on_delete=OnDelete.CASCADE)),
                ('reward_entry_key', fields.CharField(null=True, description='points given', max_length=128)),
            ],
            options={'table': 'stamp_card', 'app': 'models', 'unique_together': (('member_id', 'card_type_id', 'seq'),), 'indexes': [Index(fields=['member_id', 'state'])], 'pk_attr': 'id', 'table_description': 'A card of one type held by one member, numbered by seq among that member and type.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Stamp',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('card', fields.ForeignKeyField('models.StampCard', source_field='card_id', db_constraint=True, to_field='id', related_name='stamp_rows', on_delete=OnDelete.CASCADE)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='stamps', on_delete=OnDelete.CASCADE)),
                ('card_type', fields.ForeignKeyField('models.StampCardType', source_field='card_type_id', db_constraint=True, to_field='id', related_name='stamps', on_delete=OnDelete.CASCADE)),
                ('stamps', fields.IntField()),
                ('purchase', fields.ForeignKeyField('models.Purchase', source_field='purchase_id', null=True, db_constraint=True, to_field='id', related_name='stamps', on_delete=OnDelete.CASCADE)),
                ('refund', fields.ForeignKeyField('models.Refund', source_field='refund_id', null=True, db_constraint=True, to_field='id', related_name='stamps', on_delete=OnDelete.CASCADE)),
                ('idempotency_key', fields.CharField(unique=True, max_length=160)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'stamp', 'app': 'models', 'indexes': [Index(fields=['member_id', 'card_type_id', 'created_at']), Index(fields=['purchase_id'])], 'pk_attr': 'id', 'table_description': 'Stamps added to (or, negative, taken from) one card by one purchase or refund.'},
            bases=['Model'],
        ),
    ]
