"""Run the application as it runs in production on PostgreSQL: as civicgraph_app, the role
that is neither owner nor superuser, so row-level security applies to every statement."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlencode, urlsplit, urlunsplit

import asyncpg

from core.infra import db
from core.security.rls import APP_ROLE


def as_role(url: str, role: str = APP_ROLE, **params: object) -> str:
    """The same database URL, signed in as `role` (trust auth in tests and CI)."""
    parts = urlsplit(url)
    netloc = f"{role}@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    query = urlencode({k: str(v) for k, v in params.items()})
    return urlunsplit(parts._replace(netloc=netloc, query=query))


def asyncpg_url(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


async def raw_connection(url: str, role: str = APP_ROLE) -> asyncpg.Connection:
    return await asyncpg.connect(asyncpg_url(as_role(url, role)))


@asynccontextmanager
async def app_serving_as_app_role(url: str, **params: object) -> AsyncIterator[str]:
    """Point tortoise at the database as civicgraph_app for the block, then back."""
    await db.close()
    app_url = as_role(url, **params)
    await db.init(app_url)
    try:
        yield app_url
    finally:
        await db.close()
        await db.init(url)
