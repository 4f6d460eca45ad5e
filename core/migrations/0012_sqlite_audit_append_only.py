"""The audit log is append-only on SQLite too: triggers refuse UPDATE, and DELETE of an
entry younger than the retention period (PostgreSQL has had both since 0006/0007)."""

from tortoise import migrations
from tortoise.migrations import operations as ops

from core.rls import sqlite_audit_sql


async def append_only(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    if schema_editor.client.capabilities.dialect == "postgres":
        return  # core/rls.py postgres_audit_sql, applied by secure_city_tables
    for sql in sqlite_audit_sql():
        if schema_editor.collect_sql:
            schema_editor.collected_sql.append(sql)
        else:
            # Not _run_sql: it would split the trigger body on ";".
            await schema_editor.client.execute_query(sql)


class Migration(migrations.Migration):
    dependencies = [("models", "0011_plugin_config_notify")]

    initial = False

    operations = [ops.RunPython(append_only, reverse_code=ops.RunPython.noop)]
