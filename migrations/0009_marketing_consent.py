from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0008_enrolled_members_and_broadcast_versions')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Member',
            name='marketing_consent_at',
            field=fields.DatetimeField(null=True, description='when the member last answered whether they want offers', auto_now=False, auto_now_add=False),
        ),
        # Existing rows: members who joined in Telegram were asked at joining (its time is not
        # kept; the row's creation stands in), except those who took over their membership by
        # a join link with a phone on file (that path skipped the question): they are asked
        # at their next /start, unless they had said yes.
        ops.RunSQL(
            "UPDATE member SET marketing_consent_at = created_at"
            " WHERE telegram_id IS NOT NULL AND deleted_at IS NULL AND enrolled = TRUE"
            " AND (marketing_opt_in = TRUE OR NOT EXISTS (SELECT 1 FROM join_link j"
            " WHERE j.member_id = member.id AND j.used_at IS NOT NULL))",
            reverse_sql="SELECT 1",
        ),
    ]
