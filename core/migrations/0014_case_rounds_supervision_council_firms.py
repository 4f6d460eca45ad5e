"""Each round of a reopened case needs its own executor, progress and supervision (issue 16):
executor assignments and progress reports carry the case's round (rows already there are
round 1), and a progress report may name its supervisor, the body other than the executor
that gave the supervision feedback. A council participant may be a property firm. The new
foreign keys are made same-city like the others."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

from core.security.rls import secure_city_tables


class Migration(migrations.Migration):
    dependencies = [("models", "0013_audit_entries_written_now")]

    initial = False

    operations = [
        ops.AddField(
            model_name="ExecutorAssignment",
            name="round",
            field=fields.IntField(default=1),
        ),
        ops.AddField(
            model_name="ProgressReport",
            name="round",
            field=fields.IntField(default=1),
        ),
        ops.AddField(
            model_name="ProgressReport",
            name="supervisor",
            field=fields.ForeignKeyField(
                "models.Organisation",
                source_field="supervisor_id",
                null=True,
                db_constraint=True,
                to_field="id",
                related_name=False,
                on_delete=OnDelete.RESTRICT,
            ),
        ),
        ops.AddField(
            model_name="CouncilParticipant",
            name="firm",
            field=fields.ForeignKeyField(
                "models.Firm",
                source_field="firm_id",
                null=True,
                db_constraint=True,
                to_field="id",
                related_name=False,
                on_delete=OnDelete.RESTRICT,
            ),
        ),
        ops.RunPython(secure_city_tables, reverse_code=ops.RunPython.noop),
    ]
