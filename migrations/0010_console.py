from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0009_marketing_consent')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ConsoleLogin',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('telegram_id', fields.BigIntField(db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'console_login', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A one-time login link ``/console/login?token=…`` (``/console`` in chat).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ConsoleSession',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('telegram_id', fields.BigIntField(db_index=True)),
                ('via', fields.CharField(description='link | telegram (the Mini App)', max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_seen_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'console_session', 'app': 'models', 'pk_attr': 'id', 'table_description': "A console session (the cookie's hash), checked on every request."},
            bases=['Model'],
        ),
        ops.AddIndex(
            model_name='AuditLog',
            index=Index(fields=['target', 'created_at']),
        ),
        ops.AddIndex(
            model_name='Member',
            index=Index(fields=['balance', 'id']),
        ),
        ops.AddIndex(
            model_name='Member',
            index=Index(fields=['last_purchase_at', 'id']),
        ),
        ops.AddIndex(
            model_name='Member',
            index=Index(fields=['first_name', 'id']),
        ),
    ]
