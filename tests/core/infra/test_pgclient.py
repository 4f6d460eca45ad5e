"""Pooled connections whose backend was terminated while idle (PostgreSQL only).

A terminated backend sends its FATAL ErrorResponse and then closes the socket. Between the
two, asyncpg counts the connection as open but refuses any statement on it
(core.infra.pgclient.refused_unsent). Between the app and PostgreSQL sits a proxy in the test
that delivers the FATAL message at once and the close only when told, as a slow network
or a connection pooler does: the window stays open, so each case below happens every run.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
from tortoise.transactions import in_transaction

from core.infra import db
from core.infra.enums import Role
from core.infra.tenancy import in_city
from core.models import Case
from tests.app_role import as_role, raw_connection
from tests.conftest import ON_POSTGRES, token
from tests.factories import build_town

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not ON_POSTGRES, reason="pg_terminate_backend is PostgreSQL's"),
]

APPLICATION = "civicgraph-late-close"
READ = "{ compounds(first: 5) { totalCount } }"


class LateCloseProxy:
    """Forwards to PostgreSQL; passes on everything the server sends, its close only later."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = 0
        self.closed_by_server = 0
        self._server_closed = asyncio.Condition()
        self._deliver = asyncio.Event()
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._link, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    def deliver_closes(self) -> None:
        """From now on pass closes on at once (the app's own closing waits for them)."""
        self._deliver.set()

    async def stop(self) -> None:
        self.deliver_closes()
        if self._server is not None:
            self._server.close()

    async def closes_arrived(self, count: int) -> None:
        """Wait until the server has closed `count` links, all it sent being forwarded."""
        async with self._server_closed:
            await self._server_closed.wait_for(lambda: self.closed_by_server >= count)
        # The client reads what was forwarded on its next turns of the event loop, once the
        # bytes are in its socket. On a loaded machine the kernel may hand loopback delivery to
        # ksoftirqd, so the bytes can arrive after a few turns: a statement sent before asyncpg
        # read the backend's farewell would go into the proxy's held link and wait forever (a
        # CI run hung here while other work loaded both cores). A pause makes that unlikely.
        for _ in range(3):
            await asyncio.sleep(0)
        await asyncio.sleep(0.1)

    async def _link(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        server_r, server_w = await asyncio.open_connection(*self.target)

        async def upstream() -> None:
            with suppress(OSError):
                while data := await client_r.read(65536):
                    server_w.write(data)
            server_w.close()

        async def downstream() -> None:
            with suppress(OSError):
                while data := await server_r.read(65536):
                    client_w.write(data)
                    await client_w.drain()
            async with self._server_closed:
                self.closed_by_server += 1
                self._server_closed.notify_all()
            await self._deliver.wait()
            client_w.close()

        await asyncio.gather(upstream(), downstream(), return_exceptions=True)


@pytest.fixture
async def proxy(database_url: str) -> AsyncIterator[LateCloseProxy]:
    parts = urlsplit(database_url)
    running = LateCloseProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    await running.start()
    yield running
    await running.stop()


@pytest.fixture
async def killer(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await raw_connection(database_url, "postgres")
    yield conn
    await conn.close()


@asynccontextmanager
async def serving_through(proxy: LateCloseProxy, url: str) -> AsyncIterator[None]:
    """The app as civicgraph_app through the proxy, with one pooled connection: a connection
    the pool lost for good would leave every later statement waiting."""
    parts = urlsplit(url)
    netloc = parts.netloc.replace(f"{parts.hostname}:{parts.port}", f"127.0.0.1:{proxy.port}")
    through = urlunsplit(parts._replace(netloc=netloc))
    await db.close()
    await db.init(as_role(through, min_size=1, max_size=1, application_name=APPLICATION))
    try:
        yield
    finally:
        proxy.deliver_closes()
        await db.close()
        await db.init(url)


async def kill_the_app_backends(killer: asyncpg.Connection, proxy: LateCloseProxy) -> None:
    killed = await killer.fetchval(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1",
        APPLICATION,
    )
    assert killed == 1, "the app should hold exactly one connection"
    await proxy.closes_arrived(proxy.closed_by_server + 1)


def refusals(caplog: pytest.LogCaptureFixture) -> int:
    return sum("refused on a dead connection" in r.getMessage() for r in caplog.records)


async def test_requests_after_an_idle_connection_was_killed_are_served(
    empty_db, proxy, killer, gql, caplog
) -> None:
    await build_town("dongguan", compounds=2, cases_each=0)
    caplog.set_level(logging.INFO, logger="civicgraph.pgclient")
    async with serving_through(proxy, empty_db):
        reader = token("dongguan", Role.CITY_ADMIN)
        assert (await gql(READ, auth=reader))["data"]["compounds"]["totalCount"] == 2
        for city, expected in (("dongguan", 2), ("zhuhai", 0), ("dongguan", 2)):
            await kill_the_app_backends(killer, proxy)
            before = refusals(caplog)
            body = await gql(READ, city=city, auth=token(city, Role.CITY_ADMIN))
            assert body["data"]["compounds"]["totalCount"] == expected
            assert refusals(caplog) == before + 1  # the dead connection was met, and passed


async def test_a_transaction_begun_on_an_idle_killed_connection_runs_on_a_new_one(
    empty_db, proxy, killer, caplog
) -> None:
    caplog.set_level(logging.INFO, logger="civicgraph.pgclient")
    async with serving_through(proxy, empty_db):
        with in_city("dongguan"):
            assert await Case.all().count() == 0
            await kill_the_app_backends(killer, proxy)
            async with in_transaction():
                assert await Case.all().count() == 0
            assert refusals(caplog) == 1
            # The one pooled connection went back to the pool: this does not wait forever.
            assert await Case.all().count() == 0


async def test_work_done_before_the_backend_died_is_not_reported_as_failed(
    empty_db, proxy, killer
) -> None:
    async with serving_through(proxy, empty_db):
        assert await db.fetch("SELECT 1 AS one") == [{"one": 1}]  # opens the pool
        pool = db.connection()._pool  # type: ignore[attr-defined]
        conn = await pool.acquire()
        assert await conn.fetchval("SELECT 1") == 1
        await kill_the_app_backends(killer, proxy)
        # Its reset statement is refused: the connection is discarded, the caller's work kept.
        await pool.release(conn)
        with in_city("dongguan"):
            assert await Case.all().count() == 0


async def test_a_released_connection_costs_no_statement_and_keeps_its_city(empty_db: str):
    # asyncpg's default reset (RESET ALL and more) cost a round trip per pooled statement.
    pool = db.connection()._pool
    with in_city("zhuhai"):
        conn = await pool.acquire()
        sent: list[str] = []
        conn.add_query_logger(lambda record: sent.append(record.query))
        await conn.fetchval("SELECT 1")
        await pool.release(conn)
        assert sent == ["SELECT 1"]  # nothing on release
        again = await pool.acquire()
        try:
            assert await again.fetchval("SELECT current_setting('civicgraph.city')") == "zhuhai"
        finally:
            await pool.release(again)
