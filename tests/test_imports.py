"""Entry points import on their own, in a fresh interpreter: an import cycle shows up here
(core.infra.db reads the installed plugins at import, so core modules that
core.plugins.calls imports must not import core.infra.db at module level)."""

from __future__ import annotations

import subprocess
import sys

import pytest

ENTRY_POINTS = [
    "core.plugins.calls",
    "core.plugins.config",
    "core.plugins.watch",
    "core.infra.db",
    "schema.api.build",
    "schema.http.app",
    "schema.cli.main",
]


@pytest.mark.parametrize("module", ENTRY_POINTS)
def test_the_module_imports_first(module: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", f"import {module}"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
