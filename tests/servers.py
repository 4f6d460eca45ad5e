"""Real servers on 127.0.0.1 for the tests: uvicorn configured as `civicgraph serve` configures
it (schema/http/serving.py), in this process and event loop, or a command in a process of its
own (`civicgraph serve`, `uvicorn --factory`) whose output goes to a log file."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from core.infra.settings import PROJECT_ROOT, ApiLimits
from schema.http import serving

# `civicgraph serve` as a process; add "--port" and the port.
SERVE = [sys.executable, "-c", "from schema.cli.main import app; app()", "serve"]
# `uvicorn --factory` on the app, as a deployment might start it without our CLI.
UVICORN = [sys.executable, "-m", "uvicorn", "schema.http.app:create_app", "--factory"]
UVICORN += ["--host", "127.0.0.1"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.asynccontextmanager
async def in_process(
    app: Any, limits: ApiLimits | None = None, port: int | None = None, **options: Any
) -> AsyncIterator[str]:
    """`app` served on `port` (a free one by default) until the block ends; yields
    "127.0.0.1:port"."""
    port = port or free_port()
    settings = {"log_level": "warning", "lifespan": "off", **options}
    server = uvicorn.Server(serving.config(app, "127.0.0.1", port, limits=limits, **settings))
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:  # uvicorn exposes a flag, not an event
            if task.done():
                task.result()  # raises what stopped it
                raise RuntimeError("uvicorn stopped before it started")
            await asyncio.sleep(0.02)
        yield f"127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@contextlib.contextmanager
def in_subprocess(
    command: list[str], log: Path, env: dict[str, str] | None = None, port: int | None = None
) -> Iterator[str]:
    """`command --port N` run from the project's root with `env` added to this process's
    environment, until /healthz answers 200; yields "http://127.0.0.1:N" and stops it after.
    A server that exits while starting, or is not up within 2 minutes, raises with its log."""
    port = port or free_port()
    with open(log, "w") as out:
        process = subprocess.Popen(
            [*command, "--port", str(port)],
            env={**os.environ, **(env or {})}, cwd=PROJECT_ROOT, stdout=out, stderr=out,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120  # seconds; minutes on a busy machine (2 cores, shared)
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    f"the server exited with {process.returncode}: {log.read_text()}"
                )
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start in 2 minutes: {log.read_text()}")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
