"""Fixtures of the HTTP tests: the real npm clients (tests/clients/)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

CLIENTS = Path(__file__).resolve().parents[2] / "clients"


@pytest.fixture(scope="session")
def node() -> str:
    """node, with tests/clients' pinned packages installed (npm ci) when they are missing or
    older than the lock file."""
    path = shutil.which("node")
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("node is missing in CI: the client tests need Node 20 and npm")
        pytest.skip("node is not installed here: the npm clients cannot run")
    installed = CLIENTS / "node_modules" / ".package-lock.json"  # written by npm ci
    lock = CLIENTS / "package-lock.json"
    if not installed.is_file() or installed.stat().st_mtime < lock.stat().st_mtime:
        subprocess.run(
            ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
            cwd=CLIENTS, check=True, capture_output=True, timeout=240,
        )  # fmt: skip
    return path
