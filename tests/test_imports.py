"""Entry points import on their own, in a fresh interpreter, with no side effect such as
loading the plugins (tests/test_import_graph.py checks there is no import cycle at all)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from tortoise.cli.utils import get_tortoise_config, tortoise_orm_config

from core.infra.settings import PROJECT_ROOT

ENTRY_POINTS = [
    "core.plugins.calls",
    "core.plugins.config",
    "core.plugins.watch",
    "core.infra.db",
    "core.infra.tortoise_orm",
    "schema.api.build",
    "schema.http.app",
    "schema.cli.main",
    # The plugin door and the bundled plugins' hooks modules import their names at the top.
    "schema.plugin_api",
    "plugins.firm_blacklist",
    "plugins.dongguan_assessment.plugin",
    "plugins.dongguan_donghong.plugin",
    "plugins.dongguan_purchasing.plugin",
    "plugins.points_credit.plugin",
    "plugins.zhuhai_purchasing.plugin",
]


@pytest.mark.parametrize("module", ENTRY_POINTS)
def test_the_module_imports_first(module: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", f"import {module}"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_importing_the_database_module_loads_no_plugin() -> None:
    probe = (
        "import sys, core.infra.db, core.infra.tortoise_orm; "
        "print(sorted(m for m in sys.modules if m.startswith('plugins')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "[]"


def test_tortoise_reads_its_config_on_first_access() -> None:
    pyproject = PROJECT_ROOT / "pyproject.toml"  # [tool.tortoise]
    config = get_tortoise_config(tortoise_orm_config(str(pyproject)))
    assert "models" in config.apps
