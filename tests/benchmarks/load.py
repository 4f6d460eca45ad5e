"""A bounded load generator: keep-alive HTTP/1.1 over asyncio streams, a fixed number of
concurrent connections, stopping at a request count or a time limit, whichever comes first.

Hand-rolled rather than httpx: on a 2-core machine the client shares the CPU with the server,
and a lighter client leaves more of it to what is measured.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class Run:
    latencies: list[float] = field(default_factory=list)  # seconds
    elapsed: float = 0.0
    failures: int = 0


def request_bytes(port: int, path: str, body: bytes, headers: dict[str, str]) -> bytes:
    lines = [
        f"POST {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, raw: bytes
) -> Answer:
    writer.write(raw)
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        if line:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
    if headers.get("transfer-encoding") == "chunked":
        chunks = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                break
            chunks.append(chunk[:-2])
        body = b"".join(chunks)
    else:
        body = await reader.readexactly(int(headers.get("content-length", "0")))
    return Answer(int(status_line.split()[1]), headers, body)


async def one(port: int, raw: bytes) -> Answer:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        return await _exchange(reader, writer, raw)
    finally:
        writer.close()


async def drive(
    port: int, raw: bytes, concurrency: int, max_requests: int, max_seconds: float
) -> Run:
    """Send `raw` over `concurrency` connections until max_requests or max_seconds."""
    run = Run()
    started = time.perf_counter()
    deadline = started + max_seconds
    remaining = [max_requests]

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while remaining[0] > 0 and time.perf_counter() < deadline:
                remaining[0] -= 1
                t0 = time.perf_counter()
                answer = await _exchange(reader, writer, raw)
                run.latencies.append(time.perf_counter() - t0)
                if answer.status != 200:
                    run.failures += 1
        finally:
            writer.close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    run.elapsed = time.perf_counter() - started
    return run
