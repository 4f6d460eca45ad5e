"""The listening socket `civicgraph serve` binds (schema/http/serving.py): every accepted
connection gets TCP_NODELAY, for one worker or many, so no response waits ~40 ms for a
delayed ACK. Checked on a real connection over 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket

from schema.http.serving import listening_socket


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
