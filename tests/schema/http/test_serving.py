"""The listening socket `civicgraph serve` binds (schema/http/serving.py): every accepted
connection gets TCP_NODELAY, for one worker or many, so no response waits ~40 ms for a
delayed ACK. Checked on a real connection over 127.0.0.1."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from schema.http.serving import listening_socket

ROOT = Path(__file__).resolve().parents[3]


async def test_connections_accepted_on_the_served_socket_keep_tcp_nodelay() -> None:
    sock = listening_socket("127.0.0.1", 0)
    assert sock.proto == socket.IPPROTO_TCP  # what asyncio looks at before setting NODELAY
    assert sock.get_inheritable()  # handed to uvicorn's worker processes
    accepted: asyncio.Queue[asyncio.StreamWriter] = asyncio.Queue()

    async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await accepted.put(writer)

    server = await asyncio.start_server(on_connect, sock=sock)
    async with server:
        port = sock.getsockname()[1]
        _, client = await asyncio.open_connection("127.0.0.1", port)
        writer = await asyncio.wait_for(accepted.get(), 10)
        server_side = writer.get_extra_info("socket")
        assert server_side.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
        client.close()
        writer.close()


async def test_a_socket_bound_without_the_protocol_is_what_loses_nodelay() -> None:
    # The control: uvicorn's own `socket.socket(family=...)`, protocol 0, as --workers binds.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    accepted: asyncio.Queue[asyncio.StreamWriter] = asyncio.Queue()

    async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await accepted.put(writer)

    server = await asyncio.start_server(on_connect, sock=sock)
    async with server:
        _, client = await asyncio.open_connection("127.0.0.1", sock.getsockname()[1])
        writer = await asyncio.wait_for(accepted.get(), 10)
        assert (
            writer.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
        )
        client.close()
        writer.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_access_log_of_civicgraph_serve_has_no_query_string(
    database_url: str, tmp_path: Path
) -> None:
    """A token (or anything else) in a URL's query reaches no log line the server writes."""
    port = _free_port()
    secret = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0.c2lnbmF0dXJl"
    env = {**os.environ, "CIVICGRAPH_DATABASE_URL": database_url}
    log_path = tmp_path / "server.log"
    with open(log_path, "w") as log:
        command = [sys.executable, "-c", "from schema.cli.main import app; app()", "serve"]
        proc = subprocess.Popen(
            [*command, "--port", str(port)], env=env, cwd=ROOT, stdout=log, stderr=log
        )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            pytest.fail("server did not start: " + log_path.read_text())
        assert httpx.get(f"{base}/healthz?token={secret}").status_code == 200
        assert httpx.get(f"{base}/admin/dongguan?token={secret}&lang=en").status_code == 401
        assert httpx.get(f"{base}/graphql/dongguan?query={{city{{slug}}}}&token={secret}")
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    written = log_path.read_text()
    assert '"GET /healthz HTTP/1.1" 200' in written  # the access log is on, path kept
    assert '"GET /admin/dongguan HTTP/1.1" 401' in written
    assert secret not in written and "?" not in written.split("GraphiQL")[-1], written
