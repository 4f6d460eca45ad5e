"""GraphiQL from the package (issue 18): the page and its bundle come from this server only.
In a real headless Chromium that can resolve no host but 127.0.0.1, against a real uvicorn
server: the README's query runs from the run button, and a subscription authenticated by the
headers editor hears a case advanced over HTTP. Every request the browser made went to
127.0.0.1, and the page's Content-Security-Policy refused nothing."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

from core.infra.enums import Role
from core.infra.settings import get_settings
from core.security.auth import Scope, ScopeKind
from schema.api.ids import to_global_id
from schema.http.app import create_app
from schema.http.graphiql import ASSETS, DEFAULT_QUERY
from tests.browser import OFFLINE, DevTools, browser
from tests.conftest import token
from tests.factories import build_town
from tests.schema.http.test_clients import ADVANCE, FILE, _post
from tests.servers import in_process

ROOT = Path(__file__).resolve().parents[3]
HTML = {"Accept": "text/html"}
SUBSCRIPTION = """subscription { caseUpdated(caseId: "%s") { change case { id stage version } } }"""


def test_the_default_query_is_the_readmes_first() -> None:
    readme = (ROOT / "README.md").read_text()
    first = re.search(r"```graphql\n(.*?)```", readme, re.DOTALL)
    assert first is not None and first.group(1) == DEFAULT_QUERY


async def test_the_page_names_no_other_origin_and_its_assets_answer(
    empty_db: str, client: httpx.AsyncClient
) -> None:
    page = await client.get("/graphql/dongguan", headers=HTML)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert re.findall(r"(?:https?|wss?)://", page.text) == []  # no absolute URL at all
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self';" in policy
    assert re.findall(r"(?:https?|wss?)://|\*", policy) == []  # no other origin, no wildcard
    assert 'data-city="dongguan"' in page.text
    # Every file the page names, then every chunk and worker those load, by following names.
    types = {".js": "text/javascript", ".css": "text/css"}
    seen: set[str] = set()
    wanted = [
        urljoin(str(page.url), ref) for ref in re.findall(r'(?:src|href)="([^"]+)"', page.text)
    ]
    wanted = [url for url in wanted if not url.startswith("data:")]
    assert len(wanted) == 2  # the stylesheet and the script
    while wanted:
        url = wanted.pop()
        path = urlsplit(url).path
        if path in seen:
            continue
        seen.add(path)
        answer = await client.get(url)
        assert answer.status_code == 200, url
        media_type = answer.headers["content-type"].split(";")[0]
        assert media_type == types[Path(path).suffix], url
        assert answer.headers["x-content-type-options"] == "nosniff"
        if path.endswith(".js"):
            named = re.findall(r'"\./((?:chunks/)?[\w.-]+\.js)"', answer.text)
            # The workers' names are made at run time (src/workers.js): named here.
            named += [
                f"{w}.worker.js"
                for w in ("editor", "json", "graphql")
                if path.endswith("/graphiql.js")
            ]
            wanted += [urljoin(url, name) for name in named]
    on_disk = {f"/graphiql/assets/{p.relative_to(ASSETS)}" for p in ASSETS.rglob("*.js")}
    assert seen >= on_disk  # nothing in the bundle is out of reach (the workers included)
    # Nothing outside the bundle's folder, however the path is spelled.
    assert (await client.get("/graphiql/assets/%2e%2e/__init__.py")).status_code == 404
    assert (await client.get("/graphiql/assets/")).status_code == 404  # no listing
    licences = await client.get("/graphiql/assets/THIRD_PARTY_LICENSES.txt")
    assert licences.status_code == 200 and "graphiql@5." in licences.text


# In Chromium -------------------------------------------------------------------------------

# Registered before the page's own scripts: every refusal of the Content-Security-Policy.
WATCH_POLICY = """window.refused = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.refused.push(e.violatedDirective + " " + e.blockedURI));"""


async def _until(page: DevTools, expression: str, what: str, seconds: float = 30) -> Any:
    for _ in range(int(seconds * 10)):
        value = await page.evaluate(expression)
        if value:
            return value
        await asyncio.sleep(0.1)
    shown = await page.evaluate("document.body.innerText")
    pytest.fail(f"{what}: not within {seconds} s; the page shows {shown!r}")


def _text_of(editor: str) -> str:
    """What a Monaco editor shows, its lines in order (Monaco draws them as absolutely placed
    divs, spaces as no-break spaces)."""
    return f"""(() => {{
      const lines = [...document.querySelectorAll("{editor} .view-line")];
      lines.sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top));
      return lines.map((l) => l.textContent.replace(/\\u00a0/g, " ")).join("\\n");
    }})()"""


# The result pane wraps lines too long for it (see the window's width below): a string cut in
# two would not parse, so the JSON read back is the JSON shown.
RESULT = _text_of(".result-window")


async def _result(page: DevTools, holding: str, what: str) -> Any:
    """The result pane's JSON, once it holds `holding`."""
    shown = await _until(
        page, f"(() => {{ const t = {RESULT}; return t.includes({holding!r}) && t; }})()", what
    )
    return json.loads(shown)


@contextlib.asynccontextmanager
async def _graphiql(api: str, profile: Path) -> AsyncIterator[DevTools]:
    """GraphiQL for dongguan in an offline Chromium, once its schema has loaded; then checks
    that every request went to the test's server and that the policy refused nothing."""
    async with browser("about:blank", profile, OFFLINE) as page:
        await page.call("Page.enable")
        # A person in a Chinese city: the labels in the results are Chinese.
        agent = (await page.call("Browser.getVersion"))["userAgent"]
        await page.call("Network.setUserAgentOverride", userAgent=agent, acceptLanguage="zh-CN")
        # Wide enough for the result pane to show each line of these results whole.
        await page.call("Emulation.setDeviceMetricsOverride", width=2400, height=1600,
                        deviceScaleFactor=1, mobile=False)  # fmt: skip
        await page.call("Network.enable")
        await page.call("Page.addScriptToEvaluateOnNewDocument", source=WATCH_POLICY)
        await page.call("Page.navigate", url=f"{api}/graphql/dongguan")
        await page.loaded("/graphql/dongguan")
        # The documentation explorer lists the schema once the city's introspection answered.
        await _until(
            page, "!!document.querySelector('.graphiql-query-editor .view-line')", "editor"
        )
        await page.evaluate(
            "document.querySelector('[aria-label=\"Show Documentation Explorer\"]').click()"
        )
        await _until(
            page, "document.body.innerText.includes('compounds')", "the city's schema docs"
        )
        yield page
        assert await page.evaluate("window.refused") == []
        requested = [e["params"]["request"]["url"] for e in page.events
                     if e["method"] == "Network.requestWillBeSent"]  # fmt: skip
        sockets = [
            e["params"]["url"] for e in page.events if e["method"] == "Network.webSocketCreated"
        ]
    hosts = {urlsplit(url).hostname for url in requested + sockets if not url.startswith("data:")}
    assert hosts == {"127.0.0.1"}, requested + sockets
    assert len(requested) > 5  # the page, its stylesheet, script, chunks, workers, queries


def _serve() -> Any:
    """The app on a free port of 127.0.0.1, rate limits off (a test sends faster than a
    caller may); yields its address."""
    limits = dataclasses.replace(get_settings().limits, rate_per_second=0)
    return in_process(create_app(manage_db=False, limits=limits))


@pytest.fixture
async def api(demo_db: str) -> AsyncIterator[str]:
    """The app on a real port of 127.0.0.1, over the demo data (the README's query's)."""
    async with _serve() as address:
        yield f"http://{address}"


async def test_the_readmes_query_runs_in_graphiql(api: str, tmp_path: Path) -> None:
    async with httpx.AsyncClient() as http:
        expected = (
            await http.post(f"{api}/graphql/dongguan", json={"query": DEFAULT_QUERY})
        ).json()
    compounds = expected["data"]["compounds"]
    assert compounds["totalCount"] >= 1
    async with _graphiql(api, tmp_path / "profile") as page:
        assert "雅园" in await page.evaluate(_text_of(".graphiql-query-editor"))
        await page.evaluate("document.querySelector('.graphiql-execute-button').click()")
        shown = await _result(page, "totalCount", "the README query's result")
    assert shown == expected


async def _type_into(page: DevTools, editor: str, text: str) -> None:
    """Replace an editor's text as a person does: focus, Ctrl-A, type (one line, so that
    Monaco adds no indentation of its own)."""
    await page.evaluate(f"document.querySelector('{editor} textarea').focus()")
    ctrl_a = {"modifiers": 2, "key": "a", "code": "KeyA", "windowsVirtualKeyCode": 65}
    await page.call("Input.dispatchKeyEvent", type="keyDown", **ctrl_a)
    await page.call("Input.dispatchKeyEvent", type="keyUp", **ctrl_a)
    await page.call("Input.insertText", text=text)
    assert await page.evaluate(_text_of(editor)) == text


@pytest.fixture
async def town_api(empty_db: str) -> AsyncIterator[tuple[str, str, str, str]]:
    """The app on a real port, and one filed case: (api, case id, resident's and worker's
    tokens), as tests/schema/http/test_clients.py files and advances it."""
    town = await build_town("dongguan", compounds=1, cases_each=0)
    compound = town.compounds[0]
    resident = token("dongguan", Role.RESIDENT, Scope(ScopeKind.COMPOUND, compound.id), subject="o")
    community = Scope(ScopeKind.COMMUNITY, compound.community_id)
    worker = token("dongguan", Role.COMMUNITY_WORKER, community, subject="w")
    async with _serve() as address:
        api = f"http://{address}"
        variables = {"kind": "PROPERTY_DISPUTE", "title": "漏水",
                     "compoundId": to_global_id("Compound", compound.id)}  # fmt: skip
        filed = await _post(api, FILE, {"input": variables}, resident)
        yield api, filed["data"]["fileCase"]["case"]["id"], resident, worker


async def test_a_subscription_with_the_headers_editors_token_hears_an_advance(
    town_api: tuple[str, str, str, str], tmp_path: Path
) -> None:
    api, case_id, resident, worker = town_api
    async with _graphiql(api, tmp_path / "profile") as page:
        await _type_into(page, ".graphiql-query-editor", SUBSCRIPTION % case_id)
        headers = ".graphiql-editor-tool .graphiql-editor:not(.hidden)"
        await _type_into(page, headers, json.dumps({"Authorization": f"Bearer {resident}"}))
        # A person's pause: GraphiQL copies an editor's text into its tab (which its history
        # records) 100 ms after the last keystroke.
        await asyncio.sleep(0.5)
        await page.evaluate("document.querySelector('.graphiql-execute-button').click()")
        current = await _result(page, "CURRENT", "the subscription's first event")
        assert current["data"]["caseUpdated"]["case"] == {
            "id": case_id,
            "stage": "TOPIC_COLLECTION",
            "version": 1,
        }
        moved = await _post(
            api, ADVANCE,
            {"input": {"caseId": case_id, "version": 1, "toStage": "TOPIC_DETERMINATION"}}, worker,
        )  # fmt: skip
        assert moved["data"]["advanceCase"]["errors"] == []
        shown = await _result(page, "ADVANCED", "the advance's event")
        # The run is in the city's history, and the token in none of the browser's storage.
        stored = await page.evaluate("JSON.stringify({...localStorage})")
        assert "caseUpdated" in json.loads(stored)["civicgraph:dongguan:graphiql:queries"]
        assert resident not in stored
    case = {"id": case_id, "stage": "TOPIC_DETERMINATION", "version": 2}
    assert shown == {"data": {"caseUpdated": {"change": "ADVANCED", "case": case}}}
