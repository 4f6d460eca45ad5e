"""Entry points import on their own, in a fresh interpreter: an import cycle shows up here
(core.db reads the installed plugins at import, so core modules that core.plugins imports
must not import core.db at module level)."""

from __future__ import annotations

import subprocess
import sys

import pytest

ENTRY_POINTS = [
    "core.plugins",
    "core.plugin_config",
    "core.config_watch",
    "core.db",
    "schema.build",
    "schema.app",
    "schema.cli",
]


@pytest.mark.parametrize("module", ENTRY_POINTS)
def test_the_module_imports_first(module: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", f"import {module}"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
