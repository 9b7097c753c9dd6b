from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0007_audiences')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Broadcast',
            name='texts',
            field=fields.JSONField(null=True, description='versions by language (a member without one gets text)', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='Member',
            name='enrolled',
            field=fields.BooleanField(default=True, description='joined as a member (staff are not until they choose to join as one)', db_default=True),
        ),
        # Existing rows: people with an active role who never earned, spent or shared a
        # phone were enrolled only because /start used to enroll everyone: staff, not members.
        ops.RunSQL(
            "UPDATE member SET enrolled = FALSE WHERE phone IS NULL AND balance = 0"
            " AND last_purchase_at IS NULL"
            " AND telegram_id IN (SELECT telegram_id FROM staff_role WHERE active = TRUE)"
            " AND NOT EXISTS (SELECT 1 FROM ledger_entry e WHERE e.member_id = member.id)",
            reverse_sql="SELECT 1",
        ),
    ]
