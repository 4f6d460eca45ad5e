"""Every change to plugin_configurations announces itself (PostgreSQL), so that server
processes may cache a city's plugin configuration and drop it when it changes
(core/plugins/watch.py). A trigger, not the application, sends the NOTIFY: a change made
with the CLI or psql is heard as well as one made through the API."""

from tortoise import migrations
from tortoise.migrations import operations as ops

from core.plugins.watch import CHANNEL
from core.security.rls import execute_all

_FUNCTION = f"""
CREATE OR REPLACE FUNCTION civicgraph_plugin_config_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('{CHANNEL}', '');
    RETURN NULL;
END $$"""

POSTGRES_SQL = [
    _FUNCTION,
    "DROP TRIGGER IF EXISTS plugin_configurations_changed ON plugin_configurations",
    "CREATE TRIGGER plugin_configurations_changed AFTER INSERT OR UPDATE OR DELETE "
    "ON plugin_configurations FOR EACH STATEMENT "
    "EXECUTE FUNCTION civicgraph_plugin_config_changed()",
    "DROP TRIGGER IF EXISTS plugin_configurations_truncated ON plugin_configurations",
    "CREATE TRIGGER plugin_configurations_truncated AFTER TRUNCATE "
    "ON plugin_configurations FOR EACH STATEMENT "
    "EXECUTE FUNCTION civicgraph_plugin_config_changed()",
]


async def announce_changes(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    if schema_editor.client.capabilities.dialect == "postgres":
        await execute_all(schema_editor, POSTGRES_SQL)
    # SQLite: nothing is cached there, so nothing needs telling (core/plugins/watch.py).


class Migration(migrations.Migration):
    dependencies = [("models", "0010_purchases")]

    initial = False

    operations = [ops.RunPython(announce_changes, reverse_code=ops.RunPython.noop)]
