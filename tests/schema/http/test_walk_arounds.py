"""Limits that could be walked around (issue 17, findings 4 and 8), through a real uvicorn
server on 127.0.0.1 configured as `civicgraph serve` configures it (schema/http/serving.py):
forged X-Forwarded-For, heads and bodies trickled a byte at a time, and WebSocket floods."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
import websockets

from core.infra.cities import ensure_cities
from core.infra.settings import ApiLimits
from schema.http.app import create_app
from tests.servers import in_process

QUERY = {"query": "{ city { slug } }"}
Serve = Callable[[ApiLimits], Any]


@pytest.fixture
async def serve(database_url: str) -> AsyncIterator[Serve]:
    """Start the real app with the given limits; each server stops after the test."""
    await ensure_cities()
    async with contextlib.AsyncExitStack() as servers:

        async def start(limits: ApiLimits) -> str:
            app = create_app(manage_db=False, limits=limits)
            return await servers.enter_async_context(in_process(app, limits))

        yield start


async def test_a_forged_forwarded_for_does_not_make_a_new_caller(serve):
    # uvicorn believes X-Forwarded-For from 127.0.0.1 by default: each request named a new
    # address and got a full bucket.
    base = await serve(ApiLimits(rate_per_second=0.01, rate_burst=3))
    statuses = []
    async with httpx.AsyncClient(base_url=f"http://{base}") as client:
        for i in range(6):
            forged = {"X-Forwarded-For": f"203.0.113.{i + 1}"}
            response = await client.post("/graphql/dongguan", json=QUERY, headers=forged)
            statuses.append(response.status_code)
    assert statuses == [200, 200, 200, 429, 429, 429]


async def test_a_body_trickled_a_byte_at_a_time_is_answered_408(serve):
    base = await serve(ApiLimits(read_timeout_seconds=0.5))
    host, port = base.split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    body = json.dumps(QUERY).encode()
    writer.write(
        b"POST /graphql/dongguan HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
    )
    answer = b""
    for byte in body:  # one byte every 0.2 s: 5 s for the body, were it read to the end
        writer.write(bytes([byte]))
        await writer.drain()
        try:
            answer += await asyncio.wait_for(reader.read(4096), timeout=0.2)
        except TimeoutError:
            continue
        if answer:
            break
    writer.close()
    assert answer.startswith(b"HTTP/1.1 408"), answer
    assert b'"REQUEST_TIMEOUT"' in answer


async def test_a_body_sent_in_time_in_pieces_is_answered(serve):
    base = await serve(ApiLimits(read_timeout_seconds=5))
    host, port = base.split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    body = json.dumps(QUERY).encode()
    writer.write(
        b"POST /graphql/dongguan HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
    )
    for i in range(0, len(body), 4):
        writer.write(body[i : i + 4])
        await writer.drain()
        await asyncio.sleep(0.01)
    answer = await asyncio.wait_for(reader.read(), timeout=10)
    writer.close()
    assert answer.startswith(b"HTTP/1.1 200"), answer


HEAD = b"GET /healthz HTTP/1.1\r\nHost: t\r\nAccept-Language: en\r\nX-Padding: " + b"x" * 60
HEAD += b"\r\n\r\n"


async def _response(reader: asyncio.StreamReader) -> bytes:
    """One HTTP response read off the connection: its head and its Content-Length body."""
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=10)
    length = next(
        int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(
            b"content-length:")
    )  # fmt: skip
    return head + await asyncio.wait_for(reader.readexactly(length), timeout=10)


async def _trickle(
    writer: asyncio.StreamWriter, reader: asyncio.StreamReader, at_once: int = 0
) -> tuple[int, bytes]:
    """HEAD's first `at_once` bytes, then a byte every 0.2 s (~16 s in all), until the server
    closes the connection: the bytes sent, and what it answered."""
    writer.write(HEAD[:at_once])
    for sent in range(at_once, len(HEAD)):
        try:
            writer.write(HEAD[sent : sent + 1])
            await writer.drain()
            answer = await asyncio.wait_for(reader.read(), timeout=0.2)
        except TimeoutError:
            continue
        except ConnectionError:
            return sent, b""
        return sent + 1, answer  # read() returned: the server closed the connection
    return len(HEAD), b""


async def test_a_head_trickled_a_byte_at_a_time_is_answered_408_and_closed(serve):
    # uvicorn's h11 protocol has no deadline for a head: it held the connection for as long
    # as a byte came every few seconds.
    base = await serve(ApiLimits(header_timeout_seconds=0.5))
    host, port = base.split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    sent, answer = await _trickle(writer, reader, at_once=HEAD.index(b"X-Padding"))
    writer.close()
    assert sent < len(HEAD), "the server waited for the whole trickled head"
    assert answer.startswith(b"HTTP/1.1 408"), answer
    body = json.loads(answer.partition(b"\r\n\r\n")[2])
    assert body["errors"][0]["extensions"] == {"code": "REQUEST_TIMEOUT", "limit": 0.5}
    # In the language of the head's Accept-Language, which arrived before the deadline.
    assert body["errors"][0]["message"] == "the request headers did not arrive within 0.5 seconds"


async def test_a_connection_that_sends_nothing_is_closed_without_an_answer(serve):
    base = await serve(ApiLimits(header_timeout_seconds=0.5))
    host, port = base.split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    assert await asyncio.wait_for(reader.read(), timeout=10) == b""  # closed, nothing to answer
    writer.close()


async def test_the_head_deadline_spares_bodies_kept_alive_connections_and_fresh_ones(serve):
    base = await serve(ApiLimits(header_timeout_seconds=0.5, read_timeout_seconds=10))
    host, port = base.split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    body = json.dumps(QUERY).encode()
    writer.write(
        b"POST /graphql/dongguan HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
    )
    for i in range(0, len(body), 8):  # the body takes longer than the head's deadline
        writer.write(body[i : i + 8])
        await writer.drain()
        await asyncio.sleep(0.3)
    assert (await _response(reader)).startswith(b"HTTP/1.1 200")
    for _ in range(2):  # kept alive: more requests on the same connection, each head in time
        writer.write(HEAD)
        assert (await _response(reader)).startswith(b"HTTP/1.1 200")
    # A head trickled on a kept-alive connection has the deadline too.
    sent, answer = await _trickle(writer, reader)
    writer.close()
    assert sent < len(HEAD) and answer.startswith(b"HTTP/1.1 408"), answer
    # And the next connection is served as usual.
    async with httpx.AsyncClient(base_url=f"http://{base}") as client:
        assert (await client.post("/graphql/dongguan", json=QUERY)).status_code == 200


class Socket:
    """A graphql-transport-ws client."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws

    @classmethod
    async def open(cls, base: str) -> Socket:
        ws = await websockets.connect(
            f"ws://{base}/graphql/dongguan",
            subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
        )
        socket_ = cls(ws)
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        return socket_

    async def start(self, query: str) -> str:
        op = uuid.uuid4().hex
        await self.ws.send(json.dumps({"id": op, "type": "subscribe", "payload": {"query": query}}))
        return op

    async def outcome(self, op: str) -> tuple[str, Any]:
        """The operation's first `next` or `error` (its `complete` skipped)."""
        while True:
            message = json.loads(await asyncio.wait_for(self.ws.recv(), timeout=10))
            if message.get("id") == op and message["type"] in ("next", "error"):
                return message["type"], message["payload"]


def _code(kind: str, payload: Any) -> str | None:
    errors = payload if kind == "error" else payload.get("errors") or []
    return errors[0]["extensions"]["code"] if errors else None


async def test_websocket_operations_spend_the_callers_bucket(serve):
    # One socket ran 1,246 operations in 8 s; HTTP allows 10 a second.
    base = await serve(ApiLimits(rate_per_second=0.01, rate_burst=4))
    client = await Socket.open(base)  # the connection itself spends one token, as over HTTP
    codes = []
    for _ in range(5):
        codes.append(_code(*await client.outcome(await client.start(QUERY["query"]))))
    await client.ws.close()
    assert codes == [None, None, None, "RATE_LIMITED", "RATE_LIMITED"]
    # The same bucket as HTTP: the address is out of tokens there too.
    async with httpx.AsyncClient(base_url=f"http://{base}") as http:
        assert (await http.post("/graphql/dongguan", json=QUERY)).status_code == 429


async def test_a_socket_has_a_cap_on_operations_in_flight(serve):
    base = await serve(ApiLimits(rate_per_second=0, max_socket_operations=2))
    client = await Socket.open(base)
    subscription = "subscription { caseUpdated { change } }"
    await client.start(subscription)
    await client.start(subscription)
    kind, payload = await client.outcome(await client.start(subscription))
    await client.ws.close()
    assert kind == "error" and _code(kind, payload) == "TOO_MANY_IN_FLIGHT"
    assert payload[0]["extensions"]["limit"] == 2


async def test_websocket_queries_run_within_the_timeout(serve):
    base = await serve(ApiLimits(rate_per_second=0, timeout_seconds=1e-6))
    client = await Socket.open(base)
    kind, payload = await client.outcome(
        await client.start("{ compounds(first: 5) { totalCount nodes { name } } }")
    )
    await client.ws.close()
    assert (kind, _code(kind, payload)) == ("error", "TIMEOUT")
