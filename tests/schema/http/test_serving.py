"""The listening socket `civicgraph serve` binds (schema/http/serving.py): every accepted
connection gets TCP_NODELAY, for one worker or many, so no response waits ~40 ms for a
delayed ACK. Checked on a real connection over 127.0.0.1. And `civicgraph serve` as a process:
its access log keeps no query string, and its workers refuse a head trickled past its deadline."""

from __future__ import annotations

import asyncio
import re
import shutil
import socket
from pathlib import Path

import httpx

from schema.http.serving import listening_socket
from tests.servers import SERVE, in_subprocess

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


def test_the_access_log_of_civicgraph_serve_has_no_query_string(
    database_url: str, tmp_path: Path
) -> None:
    """A token (or anything else) in a URL's query reaches no log line the server writes."""
    secret = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0.c2lnbmF0dXJl"
    log_path = tmp_path / "server.log"
    with in_subprocess(SERVE, log_path, {"CIVICGRAPH_DATABASE_URL": database_url}) as base:
        assert httpx.get(f"{base}/healthz?token={secret}").status_code == 200
        assert httpx.get(f"{base}/admin/dongguan?token={secret}&lang=en").status_code == 401
        assert httpx.get(f"{base}/graphql/dongguan?query={{city{{slug}}}}&token={secret}")
    written = log_path.read_text()
    assert '"GET /healthz HTTP/1.1" 200' in written  # the access log is on, path kept
    assert '"GET /admin/dongguan HTTP/1.1" 401' in written
    assert secret not in written and "?" not in written.split("GraphiQL")[-1], written


def test_civicgraph_serve_closes_a_trickled_head_with_every_worker(
    database_url: str, tmp_path: Path
) -> None:
    """The head deadline of `[api] header_timeout_seconds` reaches uvicorn's worker processes
    (its protocol is pickled for them), configured as a deployment configures it."""
    config = tmp_path / "config"
    shutil.copytree(ROOT / "config", config)
    toml = config / "civicgraph.toml"
    toml.write_text(
        re.sub(r"(?m)^header_timeout_seconds = .*$", "header_timeout_seconds = 1", toml.read_text())
    )
    env = {"CIVICGRAPH_DATABASE_URL": database_url, "CIVICGRAPH_CONFIG_DIR": str(config)}
    head = b"GET /healthz HTTP/1.1\r\nHost: t\r\n" + b"X-Padding: " + b"x" * 200
    with in_subprocess([*SERVE, "--workers", "2"], tmp_path / "server.log", env) as base:
        for _ in range(2):  # two connections: most likely one per worker
            with socket.create_connection(("127.0.0.1", int(base.rsplit(":", 1)[1]))) as conn:
                conn.settimeout(0.3)
                answer, sent = b"", 0
                while not answer and sent < len(head):  # a byte every 0.3 s: 60 s in all
                    conn.sendall(head[sent : sent + 1])
                    sent += 1
                    try:
                        answer = conn.recv(4096)
                    except TimeoutError:
                        continue
            assert sent < len(head) and answer.startswith(b"HTTP/1.1 408"), answer
        assert httpx.get(f"{base}/healthz").status_code == 200
