"""Tenancy in depth: the database itself keeps each city's rows apart.

CityManager scopes every ORM query to the city in scope; this module adds the walls that
hold even when application code is wrong:

- every foreign key between city-owned tables also carries the city, so a row cannot point
  into another city (PostgreSQL: UNIQUE (city_id, id) on the parent and a composite foreign
  key (city_id, <fk>_id); SQLite: triggers that refuse the same rows);
- on PostgreSQL, row-level security, enabled and forced on every city-owned table, lets a
  statement see and write only rows of the city its connection serves
  (`civicgraph.city`, set by core.infra.pgclient whenever a connection is handed out);
- the application connects as `civicgraph_app`, neither owner nor superuser, with DML rights
  only, and no UPDATE or DELETE on the audit log.

The SQL is generated from the tortoise model metadata, and every statement is idempotent.
A migration runs it with `ops.RunPython(rls.secure_city_tables)`; after adding a city-owned
model, add a migration with that one operation (tests/core/security/test_rls.py fails until then).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

APP_ROLE = "civicgraph_app"
CITY_SETTING = "civicgraph.city"
POLICY = "city_isolation"
# The audit log keeps entries this long (docs/privacy.md); the trigger lets only older rows go.
AUDIT_RETENTION_DAYS = 1095


@dataclass(frozen=True)
class CityTable:
    table: str
    # (column, parent table) for each foreign key to another city-owned table.
    foreign_keys: tuple[tuple[str, str], ...]


def _is_city_owned(model: Any) -> bool:
    field = model._meta.fields_map.get("city")
    return field is not None and "city" in model._meta.fk_fields and _target(field) == "City"


def _target(field: Any) -> str:
    # `model_name` is "models.Compound" in live and historical (migration state) models alike.
    return str(field.model_name).rpartition(".")[2]


def city_tables(models: Iterable[Any]) -> list[CityTable]:
    """The city-owned tables among `models` and their foreign keys to each other."""
    owned = {m.__name__: m for m in models if _is_city_owned(m)}
    tables = []
    for model in sorted(owned.values(), key=lambda m: m._meta.db_table):
        fks = []
        for name in sorted(model._meta.fk_fields | model._meta.o2o_fields):
            field = model._meta.fields_map[name]
            parent = owned.get(_target(field))
            if name != "city" and parent is not None:
                column = getattr(field, "source_field", None) or f"{name}_id"
                fks.append((column, parent._meta.db_table))
        tables.append(CityTable(model._meta.db_table, tuple(fks)))
    return tables


def fk_name(table: str, column: str) -> str:
    return f"{table}_{column}_same_city"[:63]


def _unless_constraint(name: str, ddl: str) -> str:
    return (
        f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = '{name}') "
        f"THEN {ddl}; END IF; END $$;"
    )


def postgres_key_sql(t: CityTable) -> list[str]:
    """UNIQUE (city_id, id): what a composite foreign key into this table refers to."""
    return [f"CREATE UNIQUE INDEX IF NOT EXISTS {t.table}_city_id_id ON {t.table} (city_id, id)"]


def postgres_table_sql(t: CityTable) -> list[str]:
    city = f"current_setting('{CITY_SETTING}', true)"
    sql = []
    for column, parent in t.foreign_keys:
        # NO ACTION: the single-column key keeps its own ON DELETE (SET NULL, RESTRICT);
        # this one only refuses a pointer whose city differs.
        name = fk_name(t.table, column)
        sql.append(
            _unless_constraint(
                name,
                f"ALTER TABLE {t.table} ADD CONSTRAINT {name} FOREIGN KEY (city_id, {column}) "
                f"REFERENCES {parent} (city_id, id)",
            )
        )
    sql += [
        f"ALTER TABLE {t.table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {t.table} FORCE ROW LEVEL SECURITY",
        f"DROP POLICY IF EXISTS {POLICY} ON {t.table}",
        f"CREATE POLICY {POLICY} ON {t.table} "
        f"USING (city_id = {city}) WITH CHECK (city_id = {city})",
    ]
    return sql


def postgres_role_sql() -> list[str]:
    """The application role and its rights: DML on every table, no more."""
    return [
        # Roles are cluster-wide: another database may have created it, or a DBA (when the
        # migration role may not create roles); either way the grants below still apply.
        f"DO $$ BEGIN CREATE ROLE {APP_ROLE} LOGIN; "
        "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; "
        "WHEN insufficient_privilege THEN "
        f"RAISE NOTICE 'create role {APP_ROLE} as a superuser'; END $$;",
        f"DO $$ BEGIN EXECUTE format('GRANT USAGE ON SCHEMA %I TO {APP_ROLE}', "
        "current_schema()); END $$;",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {APP_ROLE}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {APP_ROLE}",
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {APP_ROLE}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {APP_ROLE}",
        f"REVOKE INSERT, UPDATE, DELETE ON tortoise_migrations FROM {APP_ROLE}",
    ]


def postgres_audit_sql() -> list[str]:
    """The audit log is append-only: no rights for the app, a trigger for everyone else."""
    return [
        f"REVOKE UPDATE, DELETE, TRUNCATE ON audit_entries FROM {APP_ROLE}",
        "CREATE OR REPLACE FUNCTION civicgraph_audit_append_only() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_OP = 'DELETE' AND OLD.created_at < now() - "
        f"interval '{AUDIT_RETENTION_DAYS} days' THEN RETURN OLD; END IF; "
        "RAISE EXCEPTION 'audit_entries is append-only' USING ERRCODE = 'insufficient_privilege'; "
        "END $$",
        "DROP TRIGGER IF EXISTS audit_entries_append_only ON audit_entries",
        "CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries "
        "FOR EACH ROW EXECUTE FUNCTION civicgraph_audit_append_only()",
    ]


def sqlite_table_sql(t: CityTable) -> list[str]:
    """SQLite has no composite keys to spare here nor RLS: triggers refuse cross-city rows."""
    sql = []
    for column, parent in t.foreign_keys:
        check = (
            f"WHEN NEW.{column} IS NOT NULL AND "
            f"(SELECT city_id FROM {parent} WHERE id = NEW.{column}) IS NOT NEW.city_id "
            f"BEGIN SELECT RAISE(ABORT, 'cross-city reference: {t.table}.{column}'); END"
        )
        name = fk_name(t.table, column)
        sql.append(
            f"CREATE TRIGGER IF NOT EXISTS {name}_ins BEFORE INSERT ON {t.table} "
            f"FOR EACH ROW {check}"
        )
        sql.append(
            f"CREATE TRIGGER IF NOT EXISTS {name}_upd BEFORE UPDATE OF city_id, {column} "
            f"ON {t.table} FOR EACH ROW {check}"
        )
    return sql


def statements(dialect: str, tables: list[CityTable], names: set[str]) -> list[str]:
    if dialect == "postgres":
        sql = [s for t in tables for s in postgres_key_sql(t)]
        sql += [s for t in tables for s in postgres_table_sql(t)]
        sql += postgres_role_sql()
        if "audit_entries" in names:
            sql += postgres_audit_sql()
        return sql
    sql = [s for t in tables for s in sqlite_table_sql(t)]
    if "audit_entries" in names:
        sql += sqlite_audit_sql()
    return sql


# An audit entry is written when it happens: one dated further from the database's clock
# than this is refused, so nobody can insert an entry old enough for the purge to delete
# (or one from the future, which no purge would reach). The margin is clock skew between
# the application and the database, far below any retention period.
AUDIT_CLOCK_MARGIN_SECONDS = 300
_WRITTEN_NOW = "audit entries are written when they happen"


def sqlite_audit_sql() -> list[str]:
    """SQLite has no roles, but the same triggers: no UPDATE, no DELETE before retention,
    no INSERT dated other than now."""
    refuse = "BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only'); END"
    young = f"julianday(OLD.created_at) >= julianday('now', '-{AUDIT_RETENTION_DAYS} days')"
    margin = AUDIT_CLOCK_MARGIN_SECONDS / 86400
    not_now = (
        "NEW.created_at IS NULL OR julianday(NEW.created_at) IS NULL OR "
        f"abs(julianday(NEW.created_at) - julianday('now')) > {margin!r}"
    )
    return [
        "CREATE TRIGGER IF NOT EXISTS audit_entries_no_update BEFORE UPDATE ON audit_entries "
        f"FOR EACH ROW {refuse}",
        "CREATE TRIGGER IF NOT EXISTS audit_entries_no_delete BEFORE DELETE ON audit_entries "
        f"FOR EACH ROW WHEN {young} {refuse}",
        "CREATE TRIGGER IF NOT EXISTS audit_entries_written_now BEFORE INSERT ON audit_entries "
        f"FOR EACH ROW WHEN {not_now} BEGIN SELECT RAISE(ABORT, '{_WRITTEN_NOW}'); END",
    ]


SQLITE_AUDIT_TRIGGERS = (
    "audit_entries_no_update",
    "audit_entries_no_delete",
    "audit_entries_written_now",
)


def postgres_audit_written_now_sql() -> list[str]:
    """PostgreSQL: `created_at` defaults to the time of the insert, and a trigger refuses,
    for every role, an entry dated further than the margin from the database's clock."""
    margin = f"interval '{AUDIT_CLOCK_MARGIN_SECONDS} seconds'"
    return [
        "ALTER TABLE audit_entries ALTER COLUMN created_at SET DEFAULT clock_timestamp()",
        "CREATE OR REPLACE FUNCTION civicgraph_audit_written_now() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        # clock_timestamp(), not now(): now() is when the mutation's transaction began.
        f"IF NEW.created_at IS NULL OR NEW.created_at < clock_timestamp() - {margin} "
        f"OR NEW.created_at > clock_timestamp() + {margin} THEN "
        f"RAISE EXCEPTION '{_WRITTEN_NOW}' USING ERRCODE = 'check_violation'; END IF; "
        "RETURN NEW; END $$",
        "DROP TRIGGER IF EXISTS audit_entries_written_now ON audit_entries",
        "CREATE TRIGGER audit_entries_written_now BEFORE INSERT ON audit_entries "
        "FOR EACH ROW EXECUTE FUNCTION civicgraph_audit_written_now()",
    ]


async def secure_city_tables(apps: Any, schema_editor: Any) -> None:
    """RunPython entry: secure every city-owned table of the migration state (idempotent)."""
    models = [m for app in apps.apps.values() for m in app.values()]
    tables = city_tables(models)
    dialect = "postgres" if schema_editor.client.capabilities.dialect == "postgres" else "sqlite"
    await execute_all(schema_editor, statements(dialect, tables, {t.table for t in tables}))


async def execute_all(schema_editor: Any, sql: list[str]) -> None:
    """Run (or, for `migrate --sql`, collect) a RunPython migration's raw statements."""
    for statement in sql:
        if schema_editor.collect_sql:
            schema_editor.collected_sql.append(statement)
        else:
            # Not _run_sql: it splits on ";", which would cut a trigger or function body.
            await schema_editor.client.execute_query(statement)
