from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0012_tier_up')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='AuditLog',
            index=Index(fields=['actor_telegram_id', 'id']),
        ),
    ]
