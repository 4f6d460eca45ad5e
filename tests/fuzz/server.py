"""The server a fuzz run talks to: the real app, as `civicgraph serve` runs it, in its own
process, with rate limiting off (a fuzz run sends far more than any caller may)."""

from __future__ import annotations

import contextlib
import dataclasses
import sys
from collections.abc import Iterator
from pathlib import Path

from starlette.types import ASGIApp

from core.infra.settings import get_settings
from schema.http import serving
from tests.servers import in_subprocess


def create() -> ASGIApp:
    from schema.http.app import create_app

    return create_app(limits=dataclasses.replace(get_settings().limits, rate_per_second=0))


@contextlib.contextmanager
def running(database_url: str, log: Path) -> Iterator[str]:
    """A server on 127.0.0.1 for the database; its base URL. Its output goes to `log`."""
    command = [sys.executable, "-m", "tests.fuzz.server"]
    with in_subprocess(command, log, {"CIVICGRAPH_DATABASE_URL": database_url}) as base:
        yield base


if __name__ == "__main__":  # python -m tests.fuzz.server --port N
    serving.run("tests.fuzz.server:create", "127.0.0.1", int(sys.argv[2]), 1, log_level="warning")
