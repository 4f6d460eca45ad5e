"""The city overview page: admin only, token by header or by the cookie the development
sign-in sets (never by URL); signed in and rendered in a real headless Chromium against a
real server (Debian's `chromium`, installed by `make test`), driven over the DevTools protocol
(tests/browser.py)."""

from __future__ import annotations

import base64
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from core.infra.enums import Role
from core.security.auth import Scope, ScopeKind
from tests.browser import browser
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


def _keep_screenshot(shot: bytes) -> None:
    if os.environ.get("CIVICGRAPH_KEEP_SCREENSHOT"):
        Path(os.environ["CIVICGRAPH_KEEP_SCREENSHOT"]).write_bytes(shot)


async def test_the_overview_renders_in_chromium(server: str, tmp_path: Path) -> None:
    """Sign in as a person would, by typing the token into the form; then the page."""
    admin = token("dongguan", Role.CITY_ADMIN)
    async with browser(f"{server}/admin/dongguan/sign-in", tmp_path / "profile") as page:
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
