"""Tenancy in depth: the database keeps cities apart even when application code would not.

On PostgreSQL the application signs in as civicgraph_app (neither owner nor superuser), so
row-level security applies; the rest of the suite signs in as the superuser `postgres`.
"""

from __future__ import annotations

import asyncpg
import pytest
from tortoise import Tortoise

from core.infra import db
from core.infra.pgclient import CityPool
from core.infra.tenancy import in_city
from core.models import Building, Compound
from core.security.rls import APP_ROLE, POLICY, city_tables, fk_name
from tests.app_role import app_serving_as_app_role, raw_connection
from tests.conftest import ON_POSTGRES


def live_city_tables():
    return city_tables(m for app in Tortoise.apps.values() for m in app.values())


async def ids_of(model, city: str) -> list[int]:
    with in_city(city):
        return list(await model.all().order_by("id").values_list("id", flat=True))


def test_the_generator_sees_every_city_owned_table_and_its_keys(database_url: str) -> None:
    tables = {t.table: t for t in live_city_tables()}
    assert {"streets", "compounds", "cases", "persons", "audit_entries"} <= set(tables)
    assert "cities" not in tables
    assert ("community_id", "communities") in tables["compounds"].foreign_keys
    assert ("compound_id", "compounds") in tables["cases"].foreign_keys


COMPOSITE_KEYS = (
    "SELECT c.conrelid::regclass::text AS tbl, c.confrelid::regclass::text AS parent, "
    "array(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, i) "
    "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i) AS cols "
    "FROM pg_constraint c WHERE c.contype = 'f'"
)
FORCED_RLS = (
    "SELECT c.relname AS tbl FROM pg_class c JOIN pg_policy p ON p.polrelid = c.oid "
    f"WHERE c.relrowsecurity AND c.relforcerowsecurity AND p.polname = '{POLICY}'"
)


def unguarded(rows: list, secured: list) -> list[str]:
    """What the database lacks: composite keys per city FK, forced RLS per city table."""
    tables = live_city_tables()
    present = {(r["tbl"], tuple(r["cols"]), r["parent"]) for r in rows}
    missing = [
        f"{t.table}.{c} -> {p}"
        for t in tables
        for c, p in t.foreign_keys
        if (t.table, ("city_id", c), p) not in present
    ]
    unsecured = {t.table for t in tables} - {r["tbl"] for r in secured}
    return missing + [f"{t} has no forced row-level security" for t in sorted(unsecured)]


async def test_every_fk_between_city_tables_carries_the_city(database_url: str) -> None:
    """Fails when a new city-owned model lacks its tenancy migration (see core/security/rls.py)."""
    if db.dialect() == "sqlite":
        rows = await db.fetch("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        present = {r["name"] for r in rows}
        missing = [
            f"{t.table}.{c}"
            for t in live_city_tables()
            for c, _ in t.foreign_keys
            if f"{fk_name(t.table, c)}_ins" not in present
        ]
    else:
        missing = unguarded(await db.fetch(COMPOSITE_KEYS), await db.fetch(FORCED_RLS))
    assert not missing, f"add a migration with ops.RunPython(secure_city_tables): {missing}"


@pytest.mark.postgres_only
@pytest.mark.skipif(not ON_POSTGRES, reason="composite keys and RLS are checked on PostgreSQL")
async def test_the_guard_names_a_missing_composite_key(database_url: str) -> None:
    # As if a migration had forgotten one: drop it inside a transaction that rolls back.
    conn = await raw_connection(database_url, "postgres")
    forgotten = conn.transaction()
    await forgotten.start()
    try:
        await conn.execute(f"ALTER TABLE cases DROP CONSTRAINT {fk_name('cases', 'compound_id')}")
        await conn.execute("ALTER TABLE persons NO FORCE ROW LEVEL SECURITY")
        missing = unguarded(await conn.fetch(COMPOSITE_KEYS), await conn.fetch(FORCED_RLS))
        assert missing == [
            "cases.compound_id -> compounds",
            "persons has no forced row-level security",
        ]
    finally:
        await forgotten.rollback()
        await conn.close()
    assert unguarded(await db.fetch(COMPOSITE_KEYS), await db.fetch(FORCED_RLS)) == []


async def test_a_pointer_into_another_city_is_refused_by_the_database(demo_db: str) -> None:
    zhuhai_compound = (await ids_of(Compound, "zhuhai"))[0]
    # Raw SQL as the superuser (PostgreSQL) or the only user (SQLite): no ORM check helps.
    sql = (
        "INSERT INTO buildings (city_id, compound_id, name, floors, homes, created_at) "
        "VALUES ('dongguan', $1, 'x', 1, 1, CURRENT_TIMESTAMP)"
    )
    with pytest.raises(Exception) as refused:
        await db.fetch(sql, [zhuhai_compound])
    assert "buildings_compound_id_same_city" in str(refused.value) or "cross-city" in str(
        refused.value
    )
    with in_city("dongguan"):
        assert not await Building.filter(compound_id=zhuhai_compound).exists()


@pytest.mark.postgres_only
@pytest.mark.skipif(not ON_POSTGRES, reason="row-level security is PostgreSQL's")
async def test_the_app_role_is_neither_owner_nor_superuser(database_url: str) -> None:
    conn = await raw_connection(database_url)
    try:
        assert await conn.fetchval("SELECT current_user") == APP_ROLE
        assert not await conn.fetchval(
            "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user"
        )
        owners = await conn.fetch(
            "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'"
        )
        assert APP_ROLE not in {r["tableowner"] for r in owners}
    finally:
        await conn.close()


async def _count(conn: asyncpg.Connection, table: str, city: str | None = None) -> int:
    where = "" if city is None else f" WHERE city_id = '{city}'"
    return int(await conn.fetchval(f"SELECT count(*) FROM {table}{where}"))


@pytest.mark.postgres_only
@pytest.mark.skipif(not ON_POSTGRES, reason="row-level security is PostgreSQL's")
async def test_raw_sql_as_the_app_role_sees_only_the_city_it_set(demo_db: str) -> None:
    dongguan_compounds = await ids_of(Compound, "dongguan")
    zhuhai_compounds = await ids_of(Compound, "zhuhai")
    assert dongguan_compounds and zhuhai_compounds
    conn = await raw_connection(demo_db)
    try:
        # No city set: every city-owned table reads as empty.
        for table in ("compounds", "cases", "streets", "persons"):
            assert await _count(conn, table) == 0, table
        await conn.execute("SELECT set_config('civicgraph.city', '', false)")
        assert await _count(conn, "compounds") == 0
        await conn.execute("SELECT set_config('civicgraph.city', 'dongguan', false)")
        assert await _count(conn, "compounds") == len(dongguan_compounds)
        assert await _count(conn, "compounds", "zhuhai") == 0
        # Writes cannot reach another city's rows, nor create rows for it.
        other = zhuhai_compounds[0]
        assert await conn.execute("UPDATE compounds SET name = 'x' WHERE id = $1", other) == (
            "UPDATE 0"
        )
        assert await conn.execute("DELETE FROM cases WHERE compound_id = $1", other) == "DELETE 0"
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="row-level security"):
            await conn.execute(
                "INSERT INTO streets (city_id, name, created_at) VALUES ('zhuhai', 'x', now())"
            )
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="row-level security"):
            await conn.execute(
                "UPDATE streets SET city_id = 'zhuhai' WHERE id = (SELECT min(id) FROM streets)"
            )
    finally:
        await conn.close()
    with in_city("zhuhai"):
        assert await Compound.filter(id=zhuhai_compounds[0], name="x").count() == 0


@pytest.mark.postgres_only
@pytest.mark.skipif(not ON_POSTGRES, reason="row-level security is PostgreSQL's")
async def test_the_app_serves_each_city_its_own_rows_as_the_app_role(demo_db, gql) -> None:
    query = "{ compounds(first: 50) { totalCount nodes { id } } }"
    expected = {}
    for city in ("dongguan", "zhuhai"):
        expected[city] = len(await ids_of(Compound, city))
    # One pooled connection, so every city switch is visible and countable.
    async with app_serving_as_app_role(demo_db, max_size=1, min_size=1):
        with in_city("dongguan"):
            assert await Compound.all().count() == expected["dongguan"]
        before = CityPool.switches
        for city in ("dongguan", "dongguan", "zhuhai", "zhuhai", "dongguan"):
            body = await gql(query, city=city)
            assert body["data"]["compounds"]["totalCount"] == expected[city]
        # dongguan (already set above), dongguan, zhuhai (switch), zhuhai, dongguan (switch)
        assert CityPool.switches - before == 2
        # With no city in scope the app itself reads nothing, whatever the query says.
        assert await db.fetch("SELECT id FROM compounds") == []
