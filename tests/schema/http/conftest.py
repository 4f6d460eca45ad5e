"""Fixtures of the HTTP tests: the real npm clients (tests/clients/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.npm import installed

CLIENTS = Path(__file__).resolve().parents[2] / "clients"


@pytest.fixture(scope="session")
def node() -> str:
    """node, with tests/clients' pinned packages installed (npm ci) when they are missing or
    older than the lock file."""
    return installed(CLIENTS)
