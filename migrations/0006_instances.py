from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0005_purchase_api_key')]

    initial = False

    operations = [
        ops.CreateModel(
            name='InboxUpdate',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('update_id', fields.BigIntField(unique=True)),
                ('chat_key', fields.CharField(max_length=32)),
                ('payload', fields.TextField(unique=False)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('claimed_by', fields.CharField(null=True, max_length=128)),
                ('claimed_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('attempts', fields.IntField(default=0)),
                ('done_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'inbox_update', 'app': 'models', 'indexes': [Index(fields=['done_at', 'update_id']), Index(fields=['chat_key', 'done_at', 'update_id'])], 'pk_attr': 'id', 'table_description': 'A Telegram update, stored before it is acknowledged and processed by any instance.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SendPace',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=32)),
                ('tat', fields.FloatField(default=0)),
                ('reply_at', fields.FloatField(default=0)),
            ],
            options={'table': 'send_pace', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The Bot API send budget of all instances together (virtual scheduling, GCRA).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SharedSecret',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=64)),
                ('value', fields.CharField(max_length=256)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'shared_secret', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A secret generated once by whichever instance starts first (insert-if-absent).'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='OutboxMessage',
            name='claimed_by',
            field=fields.CharField(null=True, description='the claiming instance', max_length=128),
        ),
    ]
