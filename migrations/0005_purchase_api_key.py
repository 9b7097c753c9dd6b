from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0004_webhooks')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Purchase',
            name='api_key',
            field=fields.ForeignKeyField('models.ApiKey', source_field='api_key_id', null=True, description="the HTTP API key that recorded it: its order ids are that key's alone", db_constraint=True, to_field='id', related_name='purchases', on_delete=OnDelete.RESTRICT),
        ),
        ops.AddIndex(
            model_name='Purchase',
            index=Index(fields=['api_key_id', 'order_id']),
        ),
        # Purchases the API recorded before this column existed: their ledger key is
        # ``api:<key prefix>:<Idempotency-Key>``, so the key that recorded them is known.
        ops.RunSQL(
            "UPDATE purchase SET api_key_id = (SELECT k.id FROM api_key k"
            " WHERE purchase.idempotency_key LIKE 'api:' || k.prefix || ':%')"
            " WHERE channel = 'api' AND api_key_id IS NULL",
            reverse_sql="SELECT 1",
        ),
    ]
