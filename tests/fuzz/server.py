"""The server a fuzz run talks to: the real app, as `civicgraph serve` runs it, in its own
process, with rate limiting off (a fuzz run sends far more than any caller may)."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
from starlette.types import ASGIApp

from core.infra.settings import PROJECT_ROOT, get_settings
from schema.http import serving


def create() -> ASGIApp:
    from schema.http.app import create_app

    return create_app(limits=dataclasses.replace(get_settings().limits, rate_per_second=0))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def running(database_url: str, log: Path) -> Iterator[str]:
    """A server on 127.0.0.1 for the database; its base URL. Its output goes to `log`."""
    port = _free_port()
    env = {**os.environ, "CIVICGRAPH_DATABASE_URL": database_url}
    with open(log, "w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.fuzz.server", str(port)],
            env=env, cwd=PROJECT_ROOT, stdout=out, stderr=out,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            if process.poll() is not None:
                raise RuntimeError(f"the fuzz server stopped: {log.read_text()}")
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"the fuzz server did not start: {log.read_text()}")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


if __name__ == "__main__":
    serving.run("tests.fuzz.server:create", "127.0.0.1", int(sys.argv[1]), 1, log_level="warning")
