"""The webhooks plugin installed with pip into a fresh virtualenv, from its own folder.

Slow (pip), so one module and one session fixture. The scenario runs in the venv's python
(webhooks_scenario.py) on a database of its own, since the session's belongs to this
process: a SQLite file, or on PostgreSQL a sibling database named <session db>_venv;
deliveries go to a real HTTP server on 127.0.0.1 run here, which fails the first
post so the retry shows in the delivery log.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import subprocess
import sys
import threading
import tomllib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import asyncpg
import pytest

from tests.conftest import ON_POSTGRES, POSTGRES_URL, reset_postgres_schema

ROOT = Path(__file__).resolve().parents[2]
SECRET = "whsec-0123456789abcdef"


@pytest.fixture(scope="session")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
    pip = [
        str(path / "bin" / "python"),
        "-m",
        "pip",
        "install",
        "-q",
        "--disable-pip-version-check",
    ]
    subprocess.run([*pip, "-e", str(ROOT)], check=True, capture_output=True)
    subprocess.run([*pip, str(ROOT / "plugins" / "webhooks")], check=True, capture_output=True)
    return path


class Receiver(BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append({"headers": dict(self.headers), "body": body})
        # The first post fails: the delivery must be retried.
        self.send_response(500 if len(self.received) == 1 else 200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[str]:
    Receiver.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/civicgraph-hook"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIVICGRAPH_")}
    return {**env, "CIVICGRAPH_WEBHOOKS_POLL_SECONDS": "0.1"}


def _own_database(tmp_path: Path) -> str:
    if not ON_POSTGRES:
        return f"sqlite://{tmp_path / 'civicgraph.sqlite3'}"
    server, _, name = POSTGRES_URL.rpartition("/")
    url = f"{server}/{name}_venv"

    async def create() -> None:
        conn = await asyncpg.connect(POSTGRES_URL.replace("postgres://", "postgresql://", 1))
        try:
            await conn.execute(f'CREATE DATABASE "{name}_venv"')
        except asyncpg.DuplicateDatabaseError:
            pass
        finally:
            await conn.close()
        await reset_postgres_schema(url)

    asyncio.run(create())
    return url


def test_installed_from_its_folder_it_serves_one_city_and_delivers_signed_events(
    venv: Path, receiver: str, tmp_path: Path
) -> None:
    database = _own_database(tmp_path)
    python = str(venv / "bin" / "python")
    script = str(ROOT / "tests" / "plugins" / "webhooks_scenario.py")
    run = subprocess.run(
        [python, script, str(ROOT), receiver, database, SECRET],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=180,
        cwd=ROOT,
    )
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout.strip().splitlines()[-1])

    # Discovered through its entry point, from its own distribution.
    assert {"firm_blacklist", "webhooks"} <= set(seen["installed"])  # bundled, and its own
    assert seen["version"] == "0.1.0"
    assert {"case_filed", "register_schema", "register_models", "register_workers"} <= set(
        seen["hooks"]
    )
    assert seen["module"].startswith(str(venv)), "imported from the venv, not the repo"
    # Enabled for Dongguan only: Zhuhai neither runs it nor sees its fields.
    assert "webhooks" in seen["enabled"]["dongguan"]
    assert "webhooks" not in seen["enabled"]["zhuhai"]
    assert seen["zhuhai_log"]["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION"
    for city in ("dongguan", "zhuhai"):
        assert seen[f"filed_{city}"]["data"]["fileCase"]["errors"] == []

    # One delivery, failed once and retried, signed with the city's secret.
    [delivery] = seen["dongguan_log"]["data"]["webhookDeliveries"]
    assert (delivery["event"], delivery["url"], delivery["status"]) == (
        "case.filed",
        receiver,
        "DELIVERED",
    )
    assert (delivery["attempts"], delivery["lastStatusCode"]) == (2, 200)
    assert len(Receiver.received) == 2
    for post in Receiver.received:
        headers, body = post["headers"], post["body"]
        signed = headers["X-Civicgraph-Timestamp"].encode() + b"." + body
        expected = "sha256=" + hmac.new(SECRET.encode(), signed, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(headers["X-Civicgraph-Signature"], expected)
        assert headers["X-Civicgraph-Event"] == "case.filed"
        assert headers["X-Civicgraph-Delivery"] == delivery["id"]
        payload = json.loads(body)
        assert (payload["event"], payload["city"], payload["title"]) == (
            "case.filed",
            "dongguan",
            "dongguan 电梯故障",
        )

    # `civicgraph plugins` in that environment.
    listing = subprocess.run(
        [str(venv / "bin" / "civicgraph"), "plugins", "--database-url", database],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=60,
        cwd=ROOT,
    )
    assert listing.returncode == 0, listing.stderr
    block = listing.stdout[listing.stdout.index("webhooks 0.1.0") :].split("\n")[:3]
    assert block[1].split(":", 1)[1].split(", ")[0].strip() == "case_filed"
    assert block[2] == "  cities: dongguan"


def test_the_core_distribution_leaves_the_plugin_out() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "plugins.webhooks*" in config["tool"]["setuptools"]["packages"]["find"]["exclude"]
    assert not (ROOT / "plugins" / "webhooks" / "__init__.py").exists()
