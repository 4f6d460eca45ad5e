"""Shared fixtures: a real database (SQLite file, or PostgreSQL from CIVICGRAPH_DATABASE_URL),
migrated with the real migrations, and an HTTP client for the real app."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from core.infra import db
from core.infra.cities import ensure_cities
from core.infra.enums import Role
from core.infra.settings import get_settings
from core.security.auth import CITY_WIDE, Scope, mint_token
from core.security.rls import SQLITE_AUDIT_TRIGGERS, sqlite_audit_sql

POSTGRES_URL = os.environ.get("CIVICGRAPH_DATABASE_URL", "")
ON_POSTGRES = POSTGRES_URL.startswith("postgres")


def pytest_report_header() -> str:
    return f"civicgraph database: {'PostgreSQL ' + POSTGRES_URL if ON_POSTGRES else 'SQLite'}"


async def reset_postgres_schema(url: str) -> None:
    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


@pytest.fixture(scope="session")
async def database_url(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """One migrated database for the session; tests reset its rows, not its schema."""
    if ON_POSTGRES:
        url = POSTGRES_URL
        await reset_postgres_schema(url)
    else:
        url = f"sqlite://{tmp_path_factory.mktemp('db') / 'civicgraph.sqlite3'}"
    await db.migrate(url)
    await db.close()
    await db.init(url)
    yield url
    await db.close()


_state: dict[str, bool] = {"demo_loaded": False}


async def truncate_all() -> None:
    tables = [t for t in await _tables() if t != "tortoise_migrations"]
    conn = db.connection()
    if db.dialect() == "postgres":
        await conn.execute_script(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    else:
        # The audit log's append-only triggers (core/security/rls.py) are lifted for the reset only.
        await conn.execute_script(
            "PRAGMA foreign_keys = OFF;"
            + "".join(f"DROP TRIGGER IF EXISTS {name};" for name in SQLITE_AUDIT_TRIGGERS)
            + "".join(f"DELETE FROM {t};" for t in tables)
            + "DELETE FROM sqlite_sequence; PRAGMA foreign_keys = ON;"
        )
        for sql in sqlite_audit_sql():
            await conn.execute_query(sql)
    _state["demo_loaded"] = False


async def _tables() -> list[str]:
    if db.dialect() == "postgres":
        rows = await db.fetch("SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'")
    else:
        rows = await db.fetch(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    return [r["name"] for r in rows]


@pytest.fixture
async def empty_db(database_url: str) -> str:
    """No rows but the configured cities; for tests that write."""
    await truncate_all()
    await ensure_cities()
    return database_url


@pytest.fixture
async def demo_db(database_url: str) -> str:
    """The demo data of both cities, loaded once and shared by tests that only read."""
    if not _state["demo_loaded"]:
        from core.devdata.demo import load_demo

        await truncate_all()
        await ensure_cities()
        await load_demo()
        _state["demo_loaded"] = True
    return database_url


@pytest.fixture
async def writable_demo_db(demo_db: str) -> AsyncIterator[str]:
    """The demo data, for a test that writes: the next reader gets a fresh load."""
    yield demo_db
    _state["demo_loaded"] = False


@pytest.fixture
async def client(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    from schema.http.app import create_app

    # Rate limiting off: a test sends requests faster than any caller should.
    # tests/schema/http/test_rate_limits.py builds its own app with limits on.
    unlimited = dataclasses.replace(get_settings().limits, rate_per_second=0)
    app = create_app(manage_db=False, limits=unlimited)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://civicgraph.test") as c:
        yield c


def token(city: str, role: Role, scope: Scope = CITY_WIDE, **kw: Any) -> str:
    return mint_token(city, role, scope, **kw)


class GraphQLClient:
    """Posts GraphQL to /graphql/{city} as a given caller."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def __call__(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        city: str = "dongguan",
        auth: str | None = None,
        lang: str | None = None,
        expect_errors: bool = False,
    ) -> dict[str, Any]:
        headers = {}
        if auth:
            headers["Authorization"] = f"Bearer {auth}"
        if lang:
            headers["Accept-Language"] = lang
        response = await self.http.post(
            f"/graphql/{city}", json={"query": query, "variables": variables or {}}, headers=headers
        )
        body: dict[str, Any] = response.json()
        if not expect_errors:
            assert response.status_code == 200, body
            assert "errors" not in body, body["errors"]
        return body


@pytest.fixture
def gql(client: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(client)


@pytest.fixture
def project_root() -> Path:
    return Path(__file__).resolve().parent.parent
