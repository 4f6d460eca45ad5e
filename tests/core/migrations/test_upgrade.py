"""A database made before core/ and schema/ were split by domain (b43fd88: its migrations, its
demo data) migrates to this code, and its data reads back through the API.

Runs the commands a deployment runs, as subprocesses of this checkout: `civicgraph migrate`,
`tortoise migrate --dry-run` (what [tool.tortoise] in pyproject.toml points at) and the server.
"""

from __future__ import annotations

import gzip
import os
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest

from core.security.rls import postgres_role_sql
from tests.conftest import ON_POSTGRES, POSTGRES_URL
from tests.servers import UVICORN, in_subprocess

ROOT = Path(__file__).resolve().parents[3]
DUMPS = Path(__file__).with_name("b43fd88")
YAYUAN = "雅园新村"
DONGHONG = "广东东鸿物业发展有限公司"


def _copy_name() -> str:
    return f"{urlsplit(POSTGRES_URL).path.lstrip('/')}_b43fd88"


async def _admin(*statements: str) -> None:
    conn = await asyncpg.connect(POSTGRES_URL.replace("postgres://", "postgresql://", 1))
    try:
        for sql in statements:
            await conn.execute(sql)
    finally:
        await conn.close()


async def _postgres_copy() -> str:
    """A new database beside the session's, named after it, holding b43fd88's dump."""
    name = _copy_name()
    await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    url = urlsplit(POSTGRES_URL)._replace(path=f"/{name}").geturl()
    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute(postgres_role_sql()[0])  # the dump grants to civicgraph_app
        text = gzip.decompress((DUMPS / "postgres.sql.gz").read_bytes()).decode()
        # psql's meta-commands (\restrict, \unrestrict) are not SQL.
        await conn.execute("\n".join(x for x in text.splitlines() if not x.startswith("\\")))
    finally:
        await conn.close()
    return url


def _sqlite_copy(folder: Path) -> str:
    path = folder / "b43fd88.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.executescript(gzip.decompress((DUMPS / "sqlite.sql.gz").read_bytes()).decode())
    conn.close()
    return f"sqlite://{path}"


@pytest.fixture
async def old_database(tmp_path: Path) -> AsyncIterator[str]:
    if not ON_POSTGRES:
        yield _sqlite_copy(tmp_path)
        return
    yield await _postgres_copy()
    await _admin(f'DROP DATABASE IF EXISTS "{_copy_name()}" WITH (FORCE)')


def _run(url: str, *command: str) -> str:
    env = {**os.environ, "CIVICGRAPH_DATABASE_URL": url}
    env.pop("TORTOISE_ORM", None)
    result = subprocess.run(
        [sys.executable, *command], env=env, cwd=ROOT, capture_output=True, text=True, timeout=240
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    return result.stdout


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """Starts the real server on a database; stopped after the test."""
    with ExitStack() as stack:

        def start(url: str) -> str:
            env = {"CIVICGRAPH_DATABASE_URL": url}
            return stack.enter_context(in_subprocess(UVICORN, tmp_path / "server.log", env))

        yield start


COMPOUNDS = """{
  all: compounds(first: 1) { totalCount }
  yayuan: compounds(first: 5, filter: {nameContains: "雅园"}) {
    nodes { name homes community { name street { name } } firm { name isStateOwned } }
  }
}"""


def test_a_database_of_b43fd88_migrates_and_reads_back(
    old_database: str, serve: Callable[[str], str]
) -> None:
    migrated = _run(old_database, "-c", "from schema.cli.main import app; app()", "migrate")
    assert "migrated; cities: dongguan, zhuhai" in migrated

    plan = _run(old_database, "-m", "tortoise", "migrate", "--dry-run")
    assert "No migrations to apply" in plan and "APPLY" not in plan, plan

    base = serve(old_database)
    response = httpx.post(f"{base}/graphql/dongguan", json={"query": COMPOUNDS}, timeout=30)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    assert body["data"]["all"]["totalCount"] > 1
    [yayuan] = [c for c in body["data"]["yayuan"]["nodes"] if c["name"] == YAYUAN]
    assert yayuan["firm"] == {"name": DONGHONG, "isStateOwned": True}
    assert yayuan["community"]["street"]["name"]
