"""The audit log is append-only on SQLite too: triggers refuse UPDATE, and DELETE of an
entry younger than the retention period (PostgreSQL has had both since 0006/0007)."""

from tortoise import migrations
from tortoise.migrations import operations as ops

from core.security.rls import execute_all, sqlite_audit_sql


async def append_only(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    if schema_editor.client.capabilities.dialect != "postgres":
        await execute_all(schema_editor, sqlite_audit_sql())
    # PostgreSQL: core/security/rls.py postgres_audit_sql, applied by secure_city_tables.


class Migration(migrations.Migration):
    dependencies = [("models", "0011_plugin_config_notify")]

    initial = False

    operations = [ops.RunPython(append_only, reverse_code=ops.RunPython.noop)]
