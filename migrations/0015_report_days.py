from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0014_stamps')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ReportDay',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tz', fields.CharField(description='the IANA zone its day is local to', max_length=64)),
                ('day', fields.CharField(description='YYYY-MM-DD, local', max_length=10)),
                ('figures', fields.JSONField(description='{"points": {kind: n}, "sales": [[loc, n, minor]]}', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('liability', fields.BigIntField(null=True, description="at the day's end, once asked")),
                ('tiers', fields.JSONField(null=True, description='members per tier at its end, once asked', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'report_day', 'app': 'models', 'unique_together': (('tz', 'day'),), 'pk_attr': 'id', 'table_description': 'One closed local day in one time zone: points per kind, purchases and sales per'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ReportWatermark',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('tz', fields.CharField(unique=True, max_length=64)),
                ('ledger_entry_id', fields.BigIntField(default=0)),
                ('purchase_id', fields.BigIntField(default=0)),
                ('tier_change_id', fields.BigIntField(default=0)),
                ('member_id', fields.BigIntField(default=0)),
            ],
            options={'table': 'report_watermark', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Per zone, the last row id of each source table the roll-up has been checked against:'},
            bases=['Model'],
        ),
        ops.AddIndex(
            model_name='Member',
            index=Index(fields=['created_at', 'enrolled']),
        ),
        ops.AddIndex(
            model_name='Member',
            index=Index(fields=['tier', 'enrolled', 'deleted_at', 'created_at']),
        ),
        ops.AddIndex(
            model_name='Voucher',
            index=Index(fields=['issued_at', 'reward_id', 'cost_points']),
        ),
    ]
