from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0006_instances')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CampaignMember',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('campaign', fields.ForeignKeyField('models.Campaign', source_field='campaign_id', db_constraint=True, to_field='id', related_name='audience_rows', on_delete=OnDelete.CASCADE)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='campaign_rows', on_delete=OnDelete.CASCADE)),
                ('window', fields.IntField(default=0)),
                ('control', fields.BooleanField(default=False)),
                ('added_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('used_key', fields.CharField(null=True, description='purchase idempotency key', max_length=160)),
            ],
            options={'table': 'campaign_member', 'app': 'models', 'unique_together': (('campaign', 'member', 'window'),), 'pk_attr': 'id', 'table_description': "One member of a targeted campaign's audience (``models.marketing.audiences``)."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Campaign',
            name='audience',
            field=fields.JSONField(null=True, description='null = everyone, see models.marketing.audiences', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
    ]
