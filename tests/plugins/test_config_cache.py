"""A city's plugin configuration is cached per process only while a change is sure to be
heard (core/plugins/watch.py): the PostgreSQL trigger's NOTIFY, a LISTEN connection that
is up, and the writing process forgetting at once. PostgreSQL only: SQLite never caches."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from types import ModuleType

import asyncpg
import httpx
import pytest

from core.infra import db
from core.infra.enums import Role
from core.infra.settings import get_settings
from core.plugins.watch import watch
from schema.http.app import create_app
from tests.conftest import ON_POSTGRES, GraphQLClient, token

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="the watch needs PostgreSQL's NOTIFY")

GREETING = "{ sampleGreeting { text } }"
CONFIG_READS = "plugin_configurations"


async def _until(condition, what: str, seconds: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    pytest.fail(f"timed out waiting for {what}")


@pytest.fixture
async def served(sample: ModuleType) -> AsyncIterator[GraphQLClient]:
    """The real app with its lifespan running (so the watch runs), over ASGI."""
    unlimited = dataclasses.replace(get_settings().limits, rate_per_second=0)
    app = create_app(manage_db=False, limits=unlimited)
    async with app.router.lifespan_context(app):
        await _until(lambda: watch.live, "the LISTEN connection")
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://cache.test") as http:
            yield GraphQLClient(http)
    assert not watch.live  # the app's end closes the watch


async def _config_reads(gql: GraphQLClient, query: str = GREETING) -> tuple[str, int]:
    with db.StatementCounter() as counter:
        body = await gql(query)
    reads = sum(CONFIG_READS in sql for sql in counter.statements)
    return body["data"]["sampleGreeting"]["text"], reads


async def _write_elsewhere(database_url: str, sql: str) -> None:
    """A change made outside this process's code: a second connection, as psql would."""
    conn = await asyncpg.connect(database_url.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def test_a_live_watch_reads_the_configuration_once_not_per_request(served):
    assert await _config_reads(served) == ("你好", 1)
    assert await _config_reads(served) == ("你好", 0)
    assert await _config_reads(served) == ("你好", 0)


async def test_a_change_made_elsewhere_is_heard_through_the_trigger(served, database_url):
    assert await _config_reads(served) == ("你好", 1)
    before = watch.generation
    await _write_elsewhere(
        database_url,
        'UPDATE plugin_configurations SET settings = settings || \'{"greeting": "晚上好"}\' '
        "WHERE plugin = 'sample' AND city_id = 'dongguan'",
    )
    # Delivered as the writer commits, to this process's LISTEN connection.
    await _until(lambda: watch.generation > before, "the NOTIFY")
    assert await _config_reads(served) == ("晚上好", 1)
    assert await _config_reads(served) == ("晚上好", 0)


async def test_the_admins_own_process_sees_the_change_on_the_very_next_request(served):
    await _config_reads(served)
    admin = token("dongguan", Role.CITY_ADMIN)
    changed = await served(
        'mutation($s: JSON!) { updatePluginSettings(plugin: "sample", settings: $s) '
        "{ errors { code } } }",
        {"s": {"greeting": "早上好"}},
        auth=admin,
    )
    assert changed["data"]["updatePluginSettings"]["errors"] == []
    # No waiting for the notification: the writing process forgot its cache on commit.
    assert (await _config_reads(served))[0] == "早上好"
    off = await served(
        'mutation { disablePlugin(plugin: "sample") { errors { code } } }', auth=admin
    )
    assert off["data"]["disablePlugin"]["errors"] == []
    gone = await served(GREETING, expect_errors=True)
    assert "sampleGreeting" in gone["errors"][0]["message"]


async def test_without_its_listen_connection_the_process_reads_every_request(served, database_url):
    await _config_reads(served)
    assert await _config_reads(served) == ("你好", 0)
    pid = watch.backend_pid()
    await _write_elsewhere(database_url, f"SELECT pg_terminate_backend({pid})")
    await _until(lambda: not watch.live, "the watch to notice its lost connection")
    # Deaf now: a change could go unheard, so nothing cached is used.
    assert await _config_reads(served) == ("你好", 1)
    assert await _config_reads(served) == ("你好", 1)
    await _until(lambda: watch.live, "the watch to reconnect")
    assert watch.backend_pid() != pid
    assert await _config_reads(served) == ("你好", 1)  # started empty: changes meanwhile unheard
    assert await _config_reads(served) == ("你好", 0)
