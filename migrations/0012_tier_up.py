from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0011_events')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Member',
            name='tier_up_unseen',
            field=fields.CharField(null=True, description='a tier reached that the Mini App has not shown', max_length=32),
        ),
    ]
