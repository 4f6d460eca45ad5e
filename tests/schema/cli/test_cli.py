"""The `civicgraph` command as a newcomer uses it: help, migrate, demo data, a real server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

CLI = str(Path(sys.executable).parent / "civicgraph")


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *args], capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture(scope="module")
def sqlite_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    path = tmp_path_factory.mktemp("cli") / "demo.sqlite3"
    env = {**os.environ, "CIVICGRAPH_DATABASE_URL": f"sqlite://{path}", "COLUMNS": "200"}
    for step in (("migrate",), ("demo-data",)):
        result = run(*step, env=env)
        assert result.returncode == 0, result.stdout + result.stderr
    return env


def test_every_command_has_help() -> None:
    top = run("--help")
    assert top.returncode == 0
    for command in ("serve", "migrate", "demo-data", "generate", "schema", "token"):
        assert command in top.stdout
        sub = run(command, "--help")
        assert sub.returncode == 0, sub.stderr
        assert "Usage" in sub.stdout


def test_token_refuses_a_scope_the_role_does_not_take() -> None:
    result = run(
        "token",
        "--city",
        "dongguan",
        "--role",
        "RESIDENT",
        "--scope",
        "street:1",
        env={**os.environ, "COLUMNS": "200"},
    )
    assert result.returncode == 2
    assert "role RESIDENT acts within scope compound" in result.stderr


def test_migrate_and_demo_data_run_again_change_nothing(sqlite_env: dict[str, str]) -> None:
    again = run("demo-data", env=sqlite_env)
    assert again.returncode == 0, again.stderr
    assert run("migrate", env=sqlite_env).returncode == 0


def test_schema_export_prints_the_sdl() -> None:
    result = run("schema", "export")
    assert result.returncode == 0
    assert "type Compound implements Node" in result.stdout


def test_schema_export_refuses_an_unknown_city() -> None:
    # It printed the core schema and exited 0: a typo went unnoticed into a frontend's build.
    result = run("schema", "export", "--city", "nowhere", env={**os.environ, "COLUMNS": "200"})
    assert result.returncode != 0 and result.stdout == ""
    assert "unknown city 'nowhere'" in result.stderr and "dongguan" in result.stderr


@pytest.fixture(scope="module")
def server(sqlite_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tmp_path_factory.mktemp("serve") / "server.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [CLI, "serve", "--port", str(port), "--workers", "2"],
            env=sqlite_env,
            stdout=out,
            stderr=out,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("server did not start:\n" + log.read_text())
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_a_real_server_serves_the_demo_city(server: str) -> None:
    query = """{ compounds(filter: {nameContains: "雅园新村"}) { nodes {
        name kind homes residents landArea floorArea
        community { name street { name } } firm { name isStateOwned owningGroup } } } }"""
    response = httpx.post(f"{server}/graphql/dongguan", json={"query": query}, timeout=10)
    assert response.status_code == 200
    (yayuan,) = response.json()["data"]["compounds"]["nodes"]
    assert yayuan["kind"] == "PUBLIC_RENTAL"
    assert (yayuan["homes"], yayuan["landArea"], yayuan["floorArea"]) == (4852, 135000, 400000)
    assert yayuan["community"]["name"] == "宏图社区"
    assert yayuan["firm"]["isStateOwned"] is True
    assert "东鸿" in yayuan["firm"]["name"]
    assert httpx.get(f"{server}/readyz", timeout=5).json() == {"ready": True}
    page = httpx.get(f"{server}/graphql/dongguan", headers={"Accept": "text/html"}, timeout=5)
    assert "graphiql" in page.text.lower()


DASHBOARD = """{ figures { councilCompliance { covered total } partyCoverage { covered total } }
    donghongProjects(first: 50) { totalCount nodes { floorArea } }
    serviceVenues(first: 100) { nodes { venue { name } runBy { kind } } } }"""


def test_the_demo_dashboard_shows_the_source_s_figures(
    server: str, sqlite_env: dict[str, str]
) -> None:
    # What `civicgraph demo-data` loads (core, grassroots and the plugins' demos), as a city
    # admin's dashboard reads it over HTTP.
    admin = run("token", "--city", "dongguan", "--role", "CITY_ADMIN", env=sqlite_env)
    assert admin.returncode == 0, admin.stderr
    response = httpx.post(
        f"{server}/graphql/dongguan",
        json={"query": DASHBOARD},
        headers={"Authorization": f"Bearer {admin.stdout.strip()}"},
        timeout=10,
    )
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    data = body["data"]
    assert data["figures"]["partyCoverage"] == {"covered": 21, "total": 21}
    assert data["figures"]["councilCompliance"] == {"covered": 21, "total": 25}
    projects = data["donghongProjects"]
    assert projects["totalCount"] == 26
    assert sum(p["floorArea"] for p in projects["nodes"]) > 3_000_000
    centres = [v for v in data["serviceVenues"]["nodes"] if v["runBy"]]
    assert len(centres) == 19
    assert {v["runBy"]["kind"] for v in centres} == {"SOCIAL_ORGANISATION"}
