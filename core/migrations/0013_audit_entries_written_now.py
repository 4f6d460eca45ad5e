"""An audit entry is dated when it is written: the database refuses one dated otherwise
(more than AUDIT_CLOCK_MARGIN_SECONDS from its clock), for every role, so that no entry can
be back-dated into the purge's reach (issue 17, finding 9). PostgreSQL: a column default and
a BEFORE INSERT trigger; SQLite: a BEFORE INSERT trigger beside 0012's two."""

from tortoise import migrations
from tortoise.migrations import operations as ops

from core.security.rls import execute_all, postgres_audit_written_now_sql, sqlite_audit_sql


async def written_now(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    if schema_editor.client.capabilities.dialect == "postgres":
        await execute_all(schema_editor, postgres_audit_written_now_sql())
    else:
        await execute_all(schema_editor, sqlite_audit_sql())  # IF NOT EXISTS: adds the third


class Migration(migrations.Migration):
    dependencies = [("models", "0012_sqlite_audit_append_only")]

    initial = False

    operations = [ops.RunPython(written_now, reverse_code=ops.RunPython.noop)]
