"""Real clients on the wire (issue 18): graphql-ws (npm), Python's gql, the graphql-http
audit and a page of another origin in headless Chromium, each against a real uvicorn server
on 127.0.0.1. The npm clients are pinned in tests/clients/ and installed with `npm ci`."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import os
import shutil
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from gql import Client, GraphQLRequest
from gql.transport.exceptions import TransportQueryError
from gql.transport.httpx import HTTPXAsyncTransport
from gql.transport.websockets import WebsocketsTransport
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from core.infra.enums import Role
from core.infra.settings import Cors, get_settings
from core.security.auth import Scope, ScopeKind
from schema.api.ids import to_global_id
from schema.http.app import create_app
from tests.browser import browser
from tests.conftest import token
from tests.factories import Town, build_town
from tests.servers import UVICORN, free_port, in_process, in_subprocess

ROOT = Path(__file__).resolve().parents[3]
CLIENTS = ROOT / "tests" / "clients"
FILE = """mutation($input: FileCaseInput!) { fileCase(input: $input) { case { id } } }"""
ADVANCE = """mutation($input: AdvanceCaseInput!) { advanceCase(input: $input) {
    case { stage version } errors { code } } }"""
SUBSCRIBE = """subscription($caseId: ID) { caseUpdated(caseId: $caseId) {
    change case { id version } } }"""


@dataclasses.dataclass
class Served:
    api: str  # http://127.0.0.1:port
    page_origin: str  # where the Chromium test's page is served from, allowed by CORS
    case_id: str
    resident: str
    worker: str

    @property
    def ws(self) -> str:
        return self.api.replace("http://", "ws://") + "/graphql/dongguan"


@pytest.fixture
async def served(empty_db: str) -> AsyncIterator[Served]:
    """The app with CORS open to one other origin, rate limits off (the audit alone sends
    ~60 requests), and one filed case of a resident's compound."""
    town: Town = await build_town("dongguan", compounds=1, cases_each=0)
    compound = town.compounds[0]
    resident = token("dongguan", Role.RESIDENT, Scope(ScopeKind.COMPOUND, compound.id), subject="o")
    community = Scope(ScopeKind.COMMUNITY, compound.community_id)
    worker = token("dongguan", Role.COMMUNITY_WORKER, community, subject="w")
    page_origin = f"http://127.0.0.1:{free_port()}"
    limits = dataclasses.replace(get_settings().limits, rate_per_second=0)
    app = create_app(manage_db=False, limits=limits, cors_settings=Cors(origins=(page_origin,)))
    async with in_process(app) as address:
        api = f"http://{address}"
        variables = {"kind": "PROPERTY_DISPUTE", "title": "漏水", "compoundId": to_global_id(
            "Compound", compound.id)}  # fmt: skip
        filed = await _post(api, FILE, {"input": variables}, resident)
        yield Served(api, page_origin, filed["data"]["fileCase"]["case"]["id"], resident, worker)


async def _post(api: str, query: str, variables: dict[str, Any], auth: str) -> dict[str, Any]:
    async with httpx.AsyncClient() as http:
        response = await http.post(
            f"{api}/graphql/dongguan",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {auth}"},
        )
    body: dict[str, Any] = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    return body


async def _advance(served: Served) -> None:
    moved = await _post(
        served.api,
        ADVANCE,
        {"input": {"caseId": served.case_id, "version": 1, "toStage": "TOPIC_DETERMINATION"}},
        served.worker,
    )
    assert moved["data"]["advanceCase"]["errors"] == []


# (a) graphql-ws, the npm client most frontends use -------------------------------------------


async def test_graphql_ws_hears_a_case_advance_with_the_token_in_connection_params(
    served: Served, node: str
) -> None:
    script = str(CLIENTS / "subscribe.mjs")
    proc = await asyncio.create_subprocess_exec(
        node, script, served.ws, served.resident, served.case_id, "2",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert proc.stdout is not None

    async def line() -> dict[str, Any]:
        raw = await asyncio.wait_for(proc.stdout.readline(), 20)  # type: ignore[union-attr]
        assert raw, (await proc.stderr.read()).decode()  # type: ignore[union-attr]
        parsed: dict[str, Any] = json.loads(raw)
        return parsed

    try:
        current = await line()  # sent once the subscription listens
        assert current["data"]["caseUpdated"]["change"] == "CURRENT", current
        await _advance(served)
        moved = await line()
        assert moved["data"]["caseUpdated"] == {
            "change": "ADVANCED",
            "case": {"id": served.case_id, "stage": "TOPIC_DETERMINATION", "version": 2},
        }
        assert await line() == {"done": 2}
    finally:
        if proc.returncode is None:
            proc.kill()
        await proc.wait()


async def test_graphql_ws_is_refused_a_bad_token_with_4403(served: Served, node: str) -> None:
    done = await asyncio.create_subprocess_exec(
        node, str(CLIENTS / "subscribe.mjs"), served.ws, "not-a-token", served.case_id, "1",
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(done.communicate(), 20)
    lines = [json.loads(x) for x in out.decode().splitlines()]
    # The code, then the message in the socket's language (Chinese: Node sends no
    # Accept-Language).
    assert {"closed": 4403, "reason": "TOKEN_INVALID: 令牌无效"} in lines


# (b) Python's gql over HTTP (httpx) and WebSocket (websockets) -------------------------------


async def test_gql_over_http_and_websocket(served: Served) -> None:
    headers = {"Authorization": f"Bearer {served.resident}"}
    transport = HTTPXAsyncTransport(url=f"{served.api}/graphql/dongguan", headers=headers)
    async with Client(transport=transport) as session:
        city = await session.execute(GraphQLRequest("{ city { slug viewerRole } }"))
    assert city == {"city": {"slug": "dongguan", "viewerRole": "RESIDENT"}}

    ws = WebsocketsTransport(url=served.ws, init_payload={"token": served.resident})
    async with Client(transport=ws) as session:
        request = GraphQLRequest(SUBSCRIBE, variable_values={"caseId": served.case_id})
        updates = session.subscribe(request)
        first = await asyncio.wait_for(anext(updates), 10)
        assert first["caseUpdated"]["change"] == "CURRENT"
        await _advance(served)
        moved = await asyncio.wait_for(anext(updates), 10)
        assert moved["caseUpdated"] == {
            "change": "ADVANCED",
            "case": {"id": served.case_id, "version": 2},
        }
        await updates.aclose()
        # Queries run over the socket too, as the payload's caller.
        role = await session.execute(GraphQLRequest("{ city { viewerRole } }"))
        assert role == {"city": {"viewerRole": "RESIDENT"}}


async def test_gql_anonymous_socket_is_refused_the_subscription(served: Served) -> None:
    async with Client(transport=WebsocketsTransport(url=served.ws)) as session:
        request = GraphQLRequest(SUBSCRIBE, variable_values={"caseId": served.case_id})
        with pytest.raises(TransportQueryError) as refused:
            async for _ in session.subscribe(request):
                pass
    assert refused.value.errors is not None
    assert refused.value.errors[0]["extensions"]["code"] == "AUTH_REQUIRED"


# The socket's token: every payload shape, text frames, expiry, conflicts --------------------


async def _init(served: Served, payload: dict[str, Any], **connect: Any) -> Any:
    ws = await websockets.connect(
        served.ws,
        subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
        **connect,
    )
    await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
    return ws


@pytest.mark.parametrize(
    "shape",
    [
        lambda t: {"Authorization": f"Bearer {t}"},
        lambda t: {"authorization": f"Bearer {t}"},
        lambda t: {"token": t},
        lambda t: {"headers": {"Authorization": f"Bearer {t}"}},
    ],
    ids=["Authorization", "authorization", "token", "headers"],
)
async def test_each_payload_shape_names_the_caller(served: Served, shape: Any) -> None:
    async with await _init(served, shape(served.resident)) as ws:
        ack = await ws.recv()
        assert isinstance(ack, str) and json.loads(ack)["type"] == "connection_ack"  # text
        query = {"query": "{ city { viewerRole } }"}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": query}))
        answer = await ws.recv()
        assert isinstance(answer, str)
        assert json.loads(answer)["payload"] == {"data": {"city": {"viewerRole": "RESIDENT"}}}


@pytest.mark.parametrize(
    "payload",
    [
        {"token": "not-a-token"},
        {"Authorization": "Basic abc"},
        {"token": token("zhuhai", Role.CITY_ADMIN)},  # another city's
        {"token": token("dongguan", Role.CITY_ADMIN, ttl_seconds=-5)},  # expired
        {"token": 12},
    ],
    ids=["garbage", "not-bearer", "other-city", "expired", "not-a-string"],
)
async def test_a_refused_payload_token_closes_4403(served: Served, payload: Any) -> None:
    async with await _init(served, payload) as ws:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await ws.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403
    code = closed.value.rcvd.reason.partition(": ")[0]
    assert code in ("TOKEN_INVALID", "TOKEN_WRONG_CITY", "TOKEN_EXPIRED")


async def test_a_payload_token_cannot_replace_the_header_one(served: Served) -> None:
    header = {"Authorization": f"Bearer {served.resident}"}
    async with await _init(
        served, {"token": served.worker}, additional_headers=header
    ) as ws:  # fmt: skip
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await ws.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403


async def test_a_socket_closes_4403_when_its_token_expires(served: Served) -> None:
    short = token("dongguan", Role.CITY_ADMIN, ttl_seconds=2)
    started = time.monotonic()
    async with await _init(served, {"token": short}) as ws:
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        subscribe = {"query": SUBSCRIBE, "variables": {"caseId": served.case_id}}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": subscribe}))
        assert json.loads(await ws.recv())["type"] == "next"  # CURRENT
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 10)
    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (4403, "TOKEN_EXPIRED: 令牌已过期")
    assert time.monotonic() - started < 6


# (c) GraphQL over HTTP: graphql-http's audit, and what it does not check --------------------


async def test_graphql_http_audit_passes_without_errors_or_warnings(
    served: Served, node: str
) -> None:
    done = await asyncio.create_subprocess_exec(
        node, str(CLIENTS / "audit.mjs"), f"{served.api}/graphql/dongguan",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(done.communicate(), 120)
    assert done.returncode == 0, err.decode()
    results = json.loads(out)
    assert len(results) > 50
    failed = [r for r in results if r["status"] in ("error", "warn")]
    assert failed == []


async def test_media_types_and_status_codes(served: Served) -> None:
    url = f"{served.api}/graphql/dongguan"
    spec = {"Accept": "application/graphql-response+json, application/json;q=0.9"}
    async with httpx.AsyncClient() as http:
        bad = {"query": "{ nope }"}
        legacy = await http.post(url, json=bad)
        assert legacy.status_code == 200 and legacy.headers["content-type"] == "application/json"
        assert legacy.json()["data"] is None
        modern = await http.post(url, json=bad, headers=spec)
        assert modern.status_code == 400
        assert modern.headers["content-type"] == "application/graphql-response+json"
        assert "data" not in modern.json()
        # An executed request is 200 under either type; the compiled path labels it too.
        good = await http.post(url, json={"query": "{ city { slug } }"}, headers=spec)
        assert good.status_code == 200, good.text
        assert good.headers["content-type"] == "application/graphql-response+json"
        refused = await http.post(url, json={"query": "{ " + "a: __typename " * 40 + "}"})
        assert refused.status_code == 200  # a limit's refusal, legacy: 200 with data null
        refused = await http.post(
            url, json={"query": "{ " + "a: __typename " * 40 + "}"}, headers=spec
        )
        assert refused.status_code == 400 and "data" not in refused.json()
        assert refused.json()["errors"][0]["extensions"]["code"] == "TOO_MANY_ALIASES"
        # GET runs queries, never mutations.
        got = await http.get(url, params={"query": "{ city { slug } }"})
        assert got.status_code == 200 and got.json() == {"data": {"city": {"slug": "dongguan"}}}
        mutation = await http.get(url, params={"query": FILE})
        assert mutation.status_code == 405 and mutation.headers["allow"] == "POST"
        assert mutation.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


# CORS: preflights, the allowed origin, the others -------------------------------------------


async def test_cors_preflight_and_answers(served: Served) -> None:
    url = f"{served.api}/graphql/dongguan"
    asked = {
        "Origin": served.page_origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type, accept-language, "
        "idempotency-key",
    }
    async with httpx.AsyncClient() as http:
        preflight = await http.options(url, headers=asked)
        assert preflight.status_code == 200, preflight.text
        assert preflight.headers["access-control-allow-origin"] == served.page_origin
        allowed = preflight.headers["access-control-allow-headers"].lower()
        for header in ("authorization", "accept-language", "idempotency-key", "content-type"):
            assert header in allowed
        assert preflight.headers["access-control-max-age"] == "600"
        stranger = await http.options(url, headers={**asked, "Origin": "http://evil.test"})
        assert stranger.status_code == 400
        assert "access-control-allow-origin" not in stranger.headers
        answer = await http.post(
            url, json={"query": "{ city { slug } }"}, headers={"Origin": served.page_origin}
        )
        assert answer.headers["access-control-allow-origin"] == served.page_origin
        assert "retry-after" in answer.headers["access-control-expose-headers"].lower()
    # A WebSocket handshake from another origin is refused unless CORS allows that origin.
    with pytest.raises(websockets.InvalidStatus) as refused:
        await _init(served, {}, origin="http://evil.test")
    assert refused.value.response.status_code == 403
    async with await _init(served, {}, origin=served.page_origin) as ws:
        assert json.loads(await ws.recv())["type"] == "connection_ack"


@contextlib.contextmanager
def zhuhai_configured(
    database: str, tmp_path: Path, toml: str
) -> Iterator[tuple[str, dict[str, str]]]:
    """`civicgraph serve`'s app in a process whose config adds `toml` to zhuhai's file, and
    the environment that names that config (for the CLI against the same deployment)."""
    config = tmp_path / "config"
    shutil.copytree(ROOT / "config", config)
    with open(config / "cities" / "zhuhai.toml", "a") as f:
        f.write(toml)
    env = {"CIVICGRAPH_DATABASE_URL": database, "CIVICGRAPH_CONFIG_DIR": str(config)}
    with in_subprocess(UVICORN, tmp_path / "server.log", env) as base:
        yield base, {**os.environ, **env}


@pytest.fixture
def city_cors_server(empty_db: str, tmp_path: Path) -> Iterator[str]:
    """A server whose config gives zhuhai, and only zhuhai, a [cors] table."""
    cors = '\n[cors]\norigins = ["https://zhuhai.example"]\nmax_age = 60\n'
    with zhuhai_configured(empty_db, tmp_path, cors) as (base, _):
        yield base


async def test_cors_is_per_city_and_off_by_default(city_cors_server: str) -> None:
    asked = {"Origin": "https://zhuhai.example", "Access-Control-Request-Method": "POST"}
    async with httpx.AsyncClient(base_url=city_cors_server) as http:
        zhuhai = await http.options("/graphql/zhuhai", headers=asked)
        assert zhuhai.status_code == 200
        assert zhuhai.headers["access-control-allow-origin"] == "https://zhuhai.example"
        assert zhuhai.headers["access-control-max-age"] == "60"
        dongguan = await http.options("/graphql/dongguan", headers=asked)  # the default: off
        assert "access-control-allow-origin" not in dongguan.headers
        answer = await http.post(
            "/graphql/dongguan", json={"query": "{ city { slug } }"}, headers=asked
        )
        assert answer.status_code == 200 and "access-control-allow-origin" not in answer.headers


# (d) a page of another origin, in headless Chromium: fetch and a WebSocket ------------------

PAGE = """<!doctype html><meta charset="utf-8"><title>frontend</title><script>
const API = %(api)s, WS = %(ws)s, TOKEN = %(token)s, CASE = %(case)s, SUB = %(sub)s;
window.result = null;
(async () => {
  const out = {};
  try {
    const r = await fetch(API + "/graphql/dongguan", {method: "POST", headers: {
      "Content-Type": "application/json", "Authorization": "Bearer " + TOKEN,
      "Accept-Language": "en"}, body: JSON.stringify({query: "{ city { slug viewerRole } }"})});
    out.http = {status: r.status, body: await r.json()};
  } catch (e) { out.http = {error: String(e)}; }
  out.ws = await new Promise((resolve) => {
    const ws = new WebSocket(WS, "graphql-transport-ws");
    ws.onopen = () => ws.send(JSON.stringify(
      {type: "connection_init", payload: {Authorization: "Bearer " + TOKEN}}));
    ws.onmessage = (m) => {
      const msg = JSON.parse(m.data);
      if (msg.type === "connection_ack") {
        ws.send(JSON.stringify({id: "1", type: "subscribe",
          payload: {query: SUB, variables: {caseId: CASE}}}));
      } else {
        resolve({text: typeof m.data === "string", message: msg});
        ws.close();
      }
    };
    ws.onclose = (e) => resolve({closed: e.code});
  });
  window.result = out;
})();
</script>"""


async def test_a_page_of_another_origin_calls_the_api_in_chromium(
    served: Served, tmp_path: Path
) -> None:
    values = {"api": served.api, "ws": served.ws, "token": served.resident,
              "case": served.case_id, "sub": SUBSCRIBE}  # fmt: skip
    html = PAGE % {k: json.dumps(v) for k, v in values.items()}

    async def page(request: Request) -> HTMLResponse:
        return HTMLResponse(html)

    port = int(served.page_origin.rsplit(":", 1)[1])
    async with in_process(Starlette(routes=[Route("/", page)]), port=port):
        async with browser(served.page_origin + "/", tmp_path / "profile") as chromium:
            result = None
            for _ in range(150):
                result = await chromium.evaluate("JSON.stringify(window.result)")
                if result and result != "null":
                    break
                await asyncio.sleep(0.1)
    assert result and result != "null", "the page never finished"
    out = json.loads(result)
    assert out["http"] == {
        "status": 200,
        "body": {"data": {"city": {"slug": "dongguan", "viewerRole": "RESIDENT"}}},
    }
    assert out["ws"]["text"] is True
    update = out["ws"]["message"]["payload"]["data"]["caseUpdated"]
    assert update == {"change": "CURRENT", "case": {"id": served.case_id, "version": 1}}
