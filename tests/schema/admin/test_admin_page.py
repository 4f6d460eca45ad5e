"""The city overview page: admin only, token by header or by the cookie the development
sign-in sets (never by URL); signed in and rendered in a real headless Chromium against a
real server (Debian's `chromium`, installed by `make test`), driven over the DevTools protocol."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import re
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from core.infra.enums import Role
from core.security.auth import Scope, ScopeKind
from tests.conftest import token
from tests.figures_town import FiguresTown, build_figures_town
from tests.servers import UVICORN, in_subprocess


@pytest.fixture
async def town(empty_db: str) -> FiguresTown:
    return await build_figures_town()


async def test_the_page_needs_an_admin(town: FiguresTown, client: httpx.AsyncClient) -> None:
    assert (await client.get("/admin/dongguan")).status_code == 401
    resident = token("dongguan", Role.RESIDENT, Scope(ScopeKind.COMPOUND, 1))
    headers = {"Authorization": f"Bearer {resident}"}
    assert (await client.get("/admin/dongguan", headers=headers)).status_code == 403
    assert (await client.get("/admin/nowhere")).status_code == 404


async def test_a_token_in_the_url_is_not_taken(
    town: FiguresTown, client: httpx.AsyncClient
) -> None:
    admin = token("dongguan", Role.CITY_ADMIN)
    page = await client.get(f"/admin/dongguan?token={admin}&asOf=2026-06-30")
    assert page.status_code == 401 and "set-cookie" not in page.headers
    export = await client.get(f"/admin/dongguan/export/figures.csv?token={admin}")
    assert export.status_code == 401


async def test_the_development_sign_in_keeps_the_token_in_a_cookie(
    town: FiguresTown, client: httpx.AsyncClient
) -> None:
    form = await client.get("/admin/dongguan/sign-in")
    assert form.status_code == 200 and 'method="post"' in form.text
    admin = token("dongguan", Role.CITY_ADMIN)
    signed = await client.post("/admin/dongguan/sign-in", data={"token": admin})
    assert signed.status_code == 303 and signed.headers["location"] == "/admin/dongguan"
    cookie = signed.headers["set-cookie"]
    assert "HttpOnly" in cookie and "Path=/admin/dongguan" in cookie and "SameSite=strict" in cookie
    # The client keeps the cookie, as a browser would; no header, no token in any URL.
    page = await client.get("/admin/dongguan?asOf=2026-06-30")
    assert page.status_code == 200
    assert admin not in page.text  # the token is not written into the page's links
    link = re.search(r'href="(/admin/dongguan/export/figures\.csv\?[^"]+)"', page.text)
    assert link is not None
    export = await client.get(link.group(1).replace("&amp;", "&"))
    assert export.status_code == 200 and "party_coverage,2,3" in export.text


async def test_the_sign_in_refuses_a_bad_token(
    town: FiguresTown, client: httpx.AsyncClient
) -> None:
    for body in ({"token": "not-a-token"}, {}, {"token": token("zhuhai", Role.CITY_ADMIN)}):
        refused = await client.post("/admin/dongguan/sign-in", data=body)
        assert refused.status_code == 401 and "set-cookie" not in refused.headers
    assert (await client.post("/admin/nowhere/sign-in", data={"token": "x"})).status_code == 404


async def test_a_bearer_header_works_too(town: FiguresTown, client: httpx.AsyncClient) -> None:
    admin = token("dongguan", Role.PLATFORM_ADMIN)
    page = await client.get(
        "/admin/dongguan?asOf=2026-06-30", headers={"Authorization": f"Bearer {admin}"}
    )
    assert page.status_code == 200 and "set-cookie" not in page.headers
    assert "66.7 % (2/3)" in page.text


@pytest.fixture
def server(town: FiguresTown, database_url: str, tmp_path: Path) -> Iterator[str]:
    # `python -m uvicorn` from the project root serves this checkout's code.
    env = {"CIVICGRAPH_DATABASE_URL": database_url}
    with in_subprocess(UVICORN, tmp_path / "server.log", env) as base:
        yield base


def _chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is missing in CI: `make test` must install Debian's chromium")
        pytest.skip("Debian's chromium is not installed here (apt-get install -y chromium)")
    return path


class DevTools:
    """One page of a headless Chromium, driven over the DevTools protocol (its websocket)."""

    def __init__(self, socket: Any) -> None:
        self.socket = socket
        self.last_id = 0

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.last_id += 1
        sent = self.last_id
        await self.socket.send(json.dumps({"id": sent, "method": method, "params": params}))
        while True:
            reply = json.loads(await self.socket.recv())
            if reply.get("id") == sent:
                assert "error" not in reply, (method, reply["error"])
                return dict(reply["result"])

    async def evaluate(self, expression: str) -> Any:
        done = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return done["result"].get("value")

    async def loaded(self, path: str) -> str:
        """Wait until the page at `path` (path and query) has loaded; its HTML."""
        for _ in range(150):
            try:
                where = await self.evaluate(
                    "[location.pathname + location.search, document.readyState]"
                )
            except AssertionError:  # the page navigated away in the middle: ask again
                where = None
            if where == [path, "complete"]:
                return str(await self.evaluate("document.documentElement.outerHTML"))
            await asyncio.sleep(0.1)
        pytest.fail(f"the browser did not reach {path}: {where}")


@contextlib.asynccontextmanager
async def _browser(url: str, profile: Path) -> AsyncIterator[DevTools]:
    """Chromium opening `url`, with its DevTools endpoint on a port of its choosing."""
    flags = [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}", "--remote-debugging-port=0", "--window-size=1200,1800",
    ]  # fmt: skip
    proc = await asyncio.create_subprocess_exec(
        _chromium(), *flags, url, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
    )
    assert proc.stderr is not None
    drain = None
    try:
        port = None
        while port is None:
            line = (await asyncio.wait_for(proc.stderr.readline(), 60)).decode()
            assert line, "chromium exited before listening"
            found = re.search(r"DevTools listening on ws://127\.0\.0\.1:(\d+)/", line)
            port = found and found.group(1)
        drain = asyncio.create_task(proc.stderr.read())  # chromium must not block on its pipe
        async with httpx.AsyncClient() as http:
            targets = (await http.get(f"http://127.0.0.1:{port}/json/list")).json()
        page = next(t for t in targets if t["type"] == "page")
        async with websockets.connect(page["webSocketDebuggerUrl"], max_size=None) as socket:
            yield DevTools(socket)
    finally:
        if proc.returncode is None:
            proc.terminate()
        await proc.wait()
        if drain is not None:
            await drain


def _keep_screenshot(shot: bytes) -> None:
    if os.environ.get("CIVICGRAPH_KEEP_SCREENSHOT"):
        Path(os.environ["CIVICGRAPH_KEEP_SCREENSHOT"]).write_bytes(shot)


async def test_the_overview_renders_in_chromium(server: str, tmp_path: Path) -> None:
    """Sign in as a person would, by typing the token into the form; then the page."""
    admin = token("dongguan", Role.CITY_ADMIN)
    async with _browser(f"{server}/admin/dongguan/sign-in", tmp_path / "profile") as page:
        await page.loaded("/admin/dongguan/sign-in")
        await page.evaluate(
            f"document.querySelector('input[name=token]').value = {json.dumps(admin)};"
            "document.querySelector('form').submit(); true"
        )
        assert 'id="cases-total"' in await page.loaded("/admin/dongguan")  # signed in
        wanted = "/admin/dongguan?asOf=2026-06-30&lang=zh"
        await page.call("Page.navigate", url=server + wanted)
        html = await page.loaded(wanted)
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
        assert admin not in html
        shot = base64.b64decode((await page.call("Page.captureScreenshot", format="png"))["data"])
    assert len(shot) > 20_000  # a rendered page, not a blank one
    _keep_screenshot(shot)
    # The token travelled in a form's body and a cookie: no line the server wrote shows it.
    assert admin not in (tmp_path / "server.log").read_text()
