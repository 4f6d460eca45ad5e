"""`civicgraph sync-state-owned` as an operator runs it, against a fresh SQLite demo database
and the fake feed on 127.0.0.1: unconfigured, an unknown connector, a dry run, a real run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.plugins.dongguan_donghong.feed_server import TOKEN, feed_server

CLI = str(Path(sys.executable).parent / "civicgraph")
CONFIGURE = """
import asyncio, sys
from core.infra import db
from core.plugins import settings as plugin_settings
from core.security.auth import Principal
from core.infra.enums import Role
from core.infra.tenancy import in_city

async def main():
    await db.init(None)
    try:
        with in_city("dongguan"):
            await plugin_settings.update_plugin(
                Principal(city="dongguan", role=Role.CITY_ADMIN, subject="ops"),
                "dongguan_donghong", {"feed_url": sys.argv[1], "token": sys.argv[2]})
    finally:
        await db.close()

asyncio.run(main())
"""
FEED = {
    "company": {"name": "广东东鸿物业发展有限公司", "registration_number": "914419009000000013"},
    "projects": [
        {"project_code": "DH-DG-001", "name": "雅园新村", "street": "南城街道",
         "community": "宏图社区", "kind": "PUBLIC_RENTAL", "homes": 4860,
         "managed_since": "2017-05-01"},
    ],
}  # fmt: skip


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *args], capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    path = tmp_path_factory.mktemp("dh-cli") / "demo.sqlite3"
    env = {**os.environ, "CIVICGRAPH_DATABASE_URL": f"sqlite://{path}", "COLUMNS": "200"}
    for step in (("migrate",), ("demo-data",)):
        result = run(*step, env=env)
        assert result.returncode == 0, result.stdout + result.stderr
    return env


def test_the_sync_command(env: dict[str, str]) -> None:
    unconfigured = run("sync-state-owned", "--city", "dongguan", env=env)
    assert unconfigured.returncode == 1
    assert "ERROR feed_url: not configured" in unconfigured.stderr
    unknown = run("sync-state-owned", "--city", "dongguan", "--connector", "nobody", env=env)
    assert unknown.returncode == 2
    assert "connector does not point to an existing object" in unknown.stderr

    with feed_server() as server:
        server.serve(FEED)
        configured = subprocess.run(
            [sys.executable, "-c", CONFIGURE, server.url, TOKEN],
            capture_output=True, text=True, env=env, timeout=120,
        )  # fmt: skip
        assert configured.returncode == 0, configured.stderr
        dry = run("sync-state-owned", "--city", "dongguan", "--dry-run", env=env)
        real = run("sync-state-owned", "--city", "dongguan", env=env)
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines()[0] == (
        "dongguan_donghong 广东东鸿物业发展有限公司 (dry run, nothing written): "
        "matched 0, created 0, changed 1, ended 0, conflicting 3"
    )
    assert "  CHANGED DH-DG-001 homes 4852 → 4860" in dry.stdout
    assert real.stdout.splitlines()[0] == (
        "dongguan_donghong 广东东鸿物业发展有限公司: "
        "matched 0, created 0, changed 1, ended 0, conflicting 3"
    )
    # The three other compounds Donghong manages in the demo are not in this feed.
    assert real.stdout.count("managed here, not in the feed") == 3
