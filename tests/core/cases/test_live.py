"""The LISTEN connection behind subscriptions (PostgreSQL only)."""

from __future__ import annotations

import pytest

from core.cases.live import hub
from core.infra import db
from tests.app_role import raw_connection
from tests.conftest import ON_POSTGRES

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="LISTEN is PostgreSQL's")

APPLICATION = "civicgraph-listen-test"


async def test_the_listen_connection_is_opened_with_the_pools_settings(database_url) -> None:
    watcher = await raw_connection(database_url, "postgres")
    await db.close()
    await db.init(f"{database_url}?application_name={APPLICATION}&timeout=2")
    try:
        async with hub.subscribe():
            names = await watcher.fetch(
                "SELECT application_name FROM pg_stat_activity "
                "WHERE datname = current_database() AND query LIKE 'LISTEN %'"
            )
    finally:
        await db.close()
        await db.init(database_url)
        await watcher.close()
    # The pool's name (and with it its connect timeout), not asyncpg's defaults.
    assert [r["application_name"] for r in names] == [APPLICATION]
