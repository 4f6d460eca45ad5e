"""Database faults on a real PostgreSQL: outages, stalls and killed connections.

A real server (a subprocess, as deployed) reaches PostgreSQL through a small TCP proxy that
this test controls: cutting the proxy is an outage, stalling it is a network that swallows
packets. Backends are killed with pg_terminate_backend, found by the server's
application_name, so the test session's own connections are never touched.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest

from core.infra.enums import Role
from core.infra.tenancy import in_city
from core.models import Case, CaseTransition, Compound
from schema.api.ids import to_global_id
from tests.conftest import ON_POSTGRES, POSTGRES_URL, token
from tests.factories import build_town
from tests.servers import SERVE, in_subprocess

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="faults are tested on PostgreSQL")

APPLICATION = "civicgraph-faults"
# Bounds for the test only: no request may take longer than this, outage or not.
HANG = 15.0


class Proxy:
    """Forwards 127.0.0.1:port to PostgreSQL; can be cut (refuse) or stalled (swallow)."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self.stalled = False
        self._server: asyncio.Server | None = None
        self._links: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._link, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        """Refuse new connections and drop the open ones, as a database host going down."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._links):
            writer.transport.abort()
        self._links.clear()

    async def _link(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        self._links.add(client_w)
        if self.stalled:
            await client_r.read()  # accept and answer nothing until the client gives up
            client_w.transport.abort()
            return
        try:
            server_r, server_w = await asyncio.open_connection(*self.target)
        except OSError:
            client_w.transport.abort()
            return
        self._links.add(server_w)

        async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError, asyncio.CancelledError):
                while data := await reader.read(65536):
                    writer.write(data)
                    await writer.drain()
            writer.transport.abort()

        await asyncio.gather(pipe(client_r, server_w), pipe(server_r, client_w))
        self._links.discard(client_w)
        self._links.discard(server_w)


def _through(url: str, port: int) -> str:
    """The test database's URL, reached through the proxy, with the server's name on it."""
    parts = urlsplit(url)
    user = parts.netloc.rpartition("@")[0]
    netloc = f"{user}@127.0.0.1:{port}" if user else f"127.0.0.1:{port}"
    query = f"application_name={APPLICATION}&timeout=1&command_timeout=10"
    return urlunsplit(parts._replace(netloc=netloc, query=query))


@pytest.fixture(scope="module")
async def proxy() -> AsyncIterator[Proxy]:
    parts = urlsplit(POSTGRES_URL)
    running = Proxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    await running.start()
    yield running
    await running.cut()


@pytest.fixture(scope="module")
def server(
    proxy: Proxy, database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    log = tmp_path_factory.mktemp("faults") / "server.log"
    env = {"CIVICGRAPH_DATABASE_URL": _through(POSTGRES_URL, proxy.port)}
    with in_subprocess(SERVE, log, env) as base:
        yield base


@pytest.fixture
async def http(server: str, proxy: Proxy) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server, timeout=HANG) as client:
        yield client
    proxy.stalled = False
    if proxy._server is None:
        await proxy.start()


@pytest.fixture
async def compound(empty_db: str) -> Compound:
    town = await build_town("dongguan", compounds=2, cases_each=1)
    return town.compounds[0]


ADMIN = token("dongguan", Role.CITY_ADMIN)
READ = {"query": "{ compounds(first: 5) { totalCount nodes { name } } }"}


def _file(compound: Compound) -> dict[str, Any]:
    return {
        "query": """mutation($c: ID!) { fileCase(input: {kind: PROPERTY_DISPUTE,
                    title: "电梯故障", compoundId: $c}) { case { id } errors { code } } }""",
        "variables": {"c": to_global_id("Compound", compound.id)},
    }


async def _post(http: httpx.AsyncClient, payload: dict[str, Any]) -> httpx.Response:
    return await http.post(
        "/graphql/dongguan", json=payload, headers={"Authorization": f"Bearer {ADMIN}"}
    )


def _assert_retryable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"] == "1"
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "DATABASE_UNAVAILABLE"
    assert error["extensions"]["retryable"] is True


async def _until_ready(http: httpx.AsyncClient) -> None:
    for _ in range(100):
        if (await http.get("/readyz")).status_code == 200:
            return
        await asyncio.sleep(0.1)
    pytest.fail("/readyz never recovered")


async def test_an_outage_is_reported_and_recovered_from_without_a_restart(http, proxy, compound):
    assert (await _post(http, READ)).json()["data"]["compounds"]["totalCount"] == 2
    await proxy.cut()
    ready = await http.get("/readyz")
    assert ready.status_code == 503 and ready.json()["ready"] is False
    _assert_retryable(await _post(http, READ))
    _assert_retryable(await _post(http, _file(compound)))
    await proxy.start()
    await _until_ready(http)
    assert (await _post(http, READ)).json()["data"]["compounds"]["totalCount"] == 2
    body = (await _post(http, _file(compound))).json()
    assert body["data"]["fileCase"]["errors"] == []


async def test_a_stalled_network_fails_fast_instead_of_hanging(http, proxy, compound):
    await proxy.cut()  # drop the pooled connections: new ones must be opened
    proxy.stalled = True
    await proxy.start()
    # Bounded by the connect timeout (1 s in the URL), well within the HANG bound.
    _assert_retryable(await _post(http, READ))
    assert (await http.get("/readyz")).status_code == 503
    await proxy.cut()
    proxy.stalled = False
    await proxy.start()
    await _until_ready(http)
    assert (await _post(http, READ)).status_code == 200


async def _server_backends(conn: asyncpg.Connection) -> list[int]:
    rows = await conn.fetch(
        "SELECT pid FROM pg_stat_activity WHERE application_name = $1", APPLICATION
    )
    return [r["pid"] for r in rows]


async def _connect() -> asyncpg.Connection:
    return await asyncpg.connect(POSTGRES_URL.replace("postgres://", "postgresql://", 1))


async def _counts() -> tuple[int, int]:
    with in_city("dongguan"):
        return await Case.all().count(), await CaseTransition.all().count()


async def test_a_mutation_killed_midway_writes_nothing_and_can_be_retried(http, compound):
    assert (await _post(http, READ)).status_code == 200
    before = await _counts()
    conn = await _connect()
    try:
        # Hold the table that filing writes second: the case row is inserted, then the
        # mutation waits on the lock, inside its transaction, until its backend is killed.
        locker = conn.transaction()
        await locker.start()
        await conn.execute("LOCK TABLE case_transitions IN ACCESS EXCLUSIVE MODE")
        request = asyncio.create_task(_post(http, _file(compound)))
        waiting: list[int] = []
        for _ in range(200):
            waiting = [
                r["pid"]
                for r in await conn.fetch(
                    "SELECT pid FROM pg_stat_activity WHERE application_name = $1"
                    " AND wait_event_type = 'Lock'",
                    APPLICATION,
                )
            ]
            if waiting:
                break
            await asyncio.sleep(0.02)
        assert waiting, "the mutation never reached the locked table"
        await conn.fetchval("SELECT pg_terminate_backend($1)", waiting[0])
        await locker.rollback()
        _assert_retryable(await request)
    finally:
        await conn.close()
    assert await _counts() == before  # neither the case nor its timeline entry
    body = (await _post(http, _file(compound))).json()  # the client retries: it works
    assert body["data"]["fileCase"]["errors"] == []
    cases, transitions = await _counts()
    assert (cases, transitions) == (before[0] + 1, before[1] + 1)


async def test_backends_killed_under_load_never_answer_500(http, compound):
    conn = await _connect()
    try:
        assert (await _post(http, READ)).status_code == 200
        before = await _counts()

        async def kill_repeatedly() -> None:
            for _ in range(5):
                for pid in await _server_backends(conn):
                    await conn.fetchval("SELECT pg_terminate_backend($1)", pid)
                await asyncio.sleep(0.01)

        requests = [_post(http, READ) for _ in range(20)] + [
            _post(http, _file(compound)) for _ in range(10)
        ]
        *responses, _ = await asyncio.gather(*requests, kill_repeatedly())
    finally:
        await conn.close()
    filed = 0
    for response in responses:
        if response.status_code == 503:
            _assert_retryable(response)
            continue
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body
        if "fileCase" in body["data"]:
            filed += 1
    cases, transitions = await _counts()
    # Every filing either happened whole or not at all.
    assert (cases - before[0], transitions - before[1]) == (filed, filed)
    assert (await _post(http, READ)).status_code == 200
