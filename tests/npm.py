"""Node and the pinned npm packages of a folder (tests/clients/, docs/examples/typescript/)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest


def installed(folder: Path) -> str:
    """node, with `folder`'s package-lock.json installed (npm ci) when node_modules is missing
    or older than the lock file (npm ci writes node_modules/.package-lock.json).
    Without node: skipped here, a failure in CI (which has Node 20 and npm)."""
    path = shutil.which("node")
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"node is missing in CI: {folder.name} needs Node 20 and npm")
        pytest.skip("node is not installed here: the npm packages cannot run")
    done = folder / "node_modules" / ".package-lock.json"
    if not done.is_file() or done.stat().st_mtime < (folder / "package-lock.json").stat().st_mtime:
        subprocess.run(
            ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
            cwd=folder, check=True, capture_output=True, timeout=400,
        )  # fmt: skip
    return path
