from tortoise import migrations
from tortoise.migrations import operations as ops
from models.store.tables.ledger import EntryKind
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0002_flows_and_pending_actions')]

    initial = False

    operations = [
        ops.CreateModel(
            name='JoinLink',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('token', fields.CharField(unique=True, max_length=32)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='join_links', on_delete=OnDelete.CASCADE)),
                ('created_by', fields.CharField(description='api:<key prefix> | cli', max_length=32)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_by', fields.BigIntField(null=True, description='the Telegram user who opened it')),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'join_link', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A one-time ``j-<token>`` deep link that makes whoever opens it this member.'},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='LedgerEntry',
            name='kind',
            field=fields.CharEnumField(description='EARN: earn\nBONUS: bonus\nREDEEM: redeem\nEXPIRE: expire\nADJUST: adjust\nREVERSE: reverse\nOPENING: opening', enum_type=EntryKind, max_length=16),
        ),
        ops.AddField(
            model_name='Member',
            name='external_id',
            field=fields.CharField(null=True, unique=True, description="id in the shop's old system or web shop", max_length=64),
        ),
    ]
