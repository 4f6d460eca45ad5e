"""The city overview page: admin only, token by header, query or cookie; rendered in a real
headless Chromium against a real server (Debian's `chromium`, installed by `make test`)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from core.infra.enums import Role
from core.security.auth import Scope, ScopeKind
from tests.conftest import token
from tests.figures_town import FiguresTown, build_figures_town

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
async def town(empty_db: str) -> FiguresTown:
    return await build_figures_town()


async def test_the_page_needs_an_admin(town: FiguresTown, client: httpx.AsyncClient) -> None:
    assert (await client.get("/admin/dongguan")).status_code == 401
    resident = token("dongguan", Role.RESIDENT, Scope(ScopeKind.COMPOUND, 1))
    assert (await client.get(f"/admin/dongguan?token={resident}")).status_code == 403
    assert (await client.get("/admin/nowhere")).status_code == 404


async def test_a_token_in_the_query_becomes_a_cookie_for_the_exports(
    town: FiguresTown, client: httpx.AsyncClient
) -> None:
    admin = token("dongguan", Role.CITY_ADMIN)
    page = await client.get(f"/admin/dongguan?token={admin}&asOf=2026-06-30")
    assert page.status_code == 200
    assert "HttpOnly" in page.headers["set-cookie"]
    assert "Path=/admin/dongguan" in page.headers["set-cookie"]
    assert admin not in page.text  # the token is not written into the page's links
    link = re.search(r'href="(/admin/dongguan/export/figures\.csv\?[^"]+)"', page.text)
    assert link is not None
    # The client keeps the cookie, as a browser would; no header, no token in the URL.
    export = await client.get(link.group(1).replace("&amp;", "&"))
    assert export.status_code == 200 and "party_coverage,2,3" in export.text


async def test_a_bearer_header_works_too(town: FiguresTown, client: httpx.AsyncClient) -> None:
    admin = token("dongguan", Role.PLATFORM_ADMIN)
    page = await client.get(
        "/admin/dongguan?asOf=2026-06-30", headers={"Authorization": f"Bearer {admin}"}
    )
    assert page.status_code == 200 and "set-cookie" not in page.headers
    assert "66.7 % (2/3)" in page.text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(town: FiguresTown, database_url: str, tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "CIVICGRAPH_DATABASE_URL": database_url}
    with open(tmp_path / "server.log", "w") as log:
        # `python -m uvicorn` from the project root serves this checkout's code.
        command = [sys.executable, "-m", "uvicorn", "schema.http.app:create_app", "--factory"]
        proc = subprocess.Popen(
            [*command, "--host", "127.0.0.1", "--port", str(port)],
            env=env, cwd=ROOT, stdout=log, stderr=log,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            pytest.fail("server did not start: " + (tmp_path / "server.log").read_text())
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is missing in CI: `make test` must install Debian's chromium")
        pytest.skip("Debian's chromium is not installed here (apt-get install -y chromium)")
    return path


def _run_chromium(browser: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    flags = [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}",
    ]  # fmt: skip
    return subprocess.run(
        [browser, *flags, *args], capture_output=True, text=True, timeout=120, check=False
    )


def test_the_overview_renders_in_chromium(server: str, tmp_path: Path) -> None:
    browser = _chromium()
    admin = token("dongguan", Role.CITY_ADMIN)
    url = f"{server}/admin/dongguan?token={admin}&asOf=2026-06-30&lang=zh"
    dom = _run_chromium(browser, tmp_path / "profile", "--dump-dom", url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    html = dom.stdout
    assert "城市治理概览" in html
    # Five coverage bars with their counts; party coverage 2 of 3 mature compounds.
    bars = re.findall(r'class="bar"[^>]*data-covered="(\d+)" data-total="(\d+)"', html)
    assert bars == [("2", "3"), ("3", "5"), ("3", "7"), ("1", "3"), ("2", "5")]
    assert "66.7 % (2/3)" in html
    # Cases: six filed by the date, five open, two overdue; the stage chart has segments.
    assert re.search(r'id="cases-total"><b>6</b>', html)
    assert re.search(r'id="cases-overdue"><b>2</b>', html)
    assert html.count('class="segment"') >= 3
    assert html.count('class="rank"') == 2 and "甲物业" in html
    assert "/admin/dongguan/export/figures.xlsx?" in html
    shot = tmp_path / "overview.png"
    result = _run_chromium(
        browser, tmp_path / "profile2", f"--screenshot={shot}", "--window-size=1200,1800", url
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.stat().st_size > 20_000  # a rendered page, not a blank one
    if os.environ.get("CIVICGRAPH_KEEP_SCREENSHOT"):
        shutil.copy(shot, os.environ["CIVICGRAPH_KEEP_SCREENSHOT"])
