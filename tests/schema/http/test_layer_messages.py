"""The HTTP and WebSocket layer's own refusals read in the caller's language, Chinese by
default: strawberry's English reasons (405, 400) and the sockets' close reasons ("CODE:
message"), the language from Accept-Language, or for a socket from the handshake's header or
connection_init's `acceptLanguage`. A real server on 127.0.0.1 (tests/servers.py)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import websockets

from core.infra.enums import Role
from schema.http.app import create_app
from tests.conftest import token
from tests.servers import in_process

EN = {"Accept-Language": "en-GB,en;q=0.9"}


@pytest.fixture
async def base(empty_db: str) -> AsyncIterator[str]:
    async with in_process(create_app(manage_db=False)) as address:
        yield address


@pytest.mark.parametrize(
    ("method", "body", "headers", "status", "code", "zh", "en"),
    [
        ("PUT", b"{}", {"Content-Type": "application/json"}, 405, "METHOD_NOT_ALLOWED",
         "只接受 GET 和 POST 请求", "GraphQL takes GET and POST requests only"),
        ("POST", b"{ city { slug } }", {"Content-Type": "text/plain"}, 400, "BAD_REQUEST",
         "不支持的内容类型：请用 application/json",
         "unsupported content type: send application/json"),
        ("POST", b"{not json", {"Content-Type": "application/json"}, 400, "BAD_REQUEST",
         "请求体不是有效的 JSON", "the request body is not valid JSON"),
        ("POST", b'{"query": "{ city { slug } }", "variables": "13912345678"}',
         {"Content-Type": "application/json"}, 400, "BAD_REQUEST",
         "variables 必须是对象或 null", "`variables` must be an object or null"),
        ("POST", b"{}", {"Content-Type": "application/json"}, 400, "BAD_REQUEST",
         "请求中没有 GraphQL 查询", "the request holds no GraphQL query"),
    ],
)  # fmt: skip
async def test_http_refusals_are_localised(
    base: str, method: str, body: bytes, headers: dict[str, str], status: int, code: str,
    zh: str, en: str,
) -> None:  # fmt: skip
    async with httpx.AsyncClient(base_url=f"http://{base}") as http:
        for extra, text in (({}, zh), (EN, en)):
            answer = await http.request(
                method, "/graphql/dongguan", content=body, headers={**headers, **extra}
            )
            assert answer.status_code == status, answer.text
            assert answer.json()["errors"] == [{"message": text, "extensions": {"code": code}}]
            if status == 405:
                assert answer.headers["Allow"] == "GET, POST"


async def test_a_mutation_over_get_is_refused_in_the_callers_language(base: str) -> None:
    query = 'mutation { enablePlugin(plugin: "x") { errors { code } } }'
    async with httpx.AsyncClient(base_url=f"http://{base}") as http:
        answer = await http.get("/graphql/dongguan", params={"query": query}, headers=EN)
    assert answer.status_code == 405
    assert answer.json()["errors"][0]["message"] == (
        "a GET request may only run a query: send mutations with POST"
    )


async def _closed(base: str, city: str, sends: list[Any], **options: Any) -> tuple[int, str]:
    """The close code and reason after sending `sends` on a graphql-transport-ws socket."""
    async with websockets.connect(
        f"ws://{base}/graphql/{city}",
        subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
        **options,
    ) as ws:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            for message in sends:
                await ws.send(message if isinstance(message, str) else json.dumps(message))
            while True:
                await ws.recv()
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code, closed.value.rcvd.reason


async def test_close_reasons_are_localised(base: str) -> None:
    # English from the handshake's Accept-Language; Chinese by default. (A socket refused
    # before it is accepted, an unknown city or a refused header token, is an HTTP 403.)
    subscribe = {"id": "1", "type": "subscribe", "payload": {"query": "{ city { slug } }"}}
    assert await _closed(base, "dongguan", [subscribe], additional_headers=EN) == (
        4401, "NOT_INITIALISED: the connection is not initialised")  # fmt: skip
    assert await _closed(base, "dongguan", [subscribe]) == (4401, "NOT_INITIALISED: 连接尚未初始化")


async def test_connection_init_can_name_the_language(base: str) -> None:
    init = {"type": "connection_init", "payload": {"acceptLanguage": "en"}}
    assert await _closed(base, "dongguan", [init, "not json"]) == (
        4400, "BAD_MESSAGE: the message is not valid graphql-transport-ws")  # fmt: skip
    refused = {"type": "connection_init", "payload": {"acceptLanguage": "en", "token": "x.y.z"}}
    assert await _closed(base, "dongguan", [refused]) == (
        4403, "TOKEN_INVALID: the token is malformed or wrongly signed")  # fmt: skip
    zhuhai = token("zhuhai", Role.CITY_ADMIN)  # another city's token; the header's language
    wrong_city = {"type": "connection_init", "payload": {"token": zhuhai}}
    assert await _closed(base, "dongguan", [wrong_city], additional_headers=EN) == (
        4403, "TOKEN_WRONG_CITY: the token belongs to another city")  # fmt: skip


@pytest.mark.parametrize(
    "accept",
    ["application/json", "multipart/mixed;subscriptionSpec=1.0, application/json",
     "text/event-stream"],
)  # fmt: skip
async def test_a_subscription_over_http_is_told_to_use_a_websocket(base: str, accept: str) -> None:
    # Subscriptions are served over graphql-transport-ws only (docs/api.md): over HTTP, however
    # the client asks to stream, a coded refusal that names the way, never INTERNAL.
    query = 'subscription { caseUpdated(caseId: "Q2FzZTox") { change } }'
    async with httpx.AsyncClient(base_url=f"http://{base}") as http:
        for extra, text in (({}, "订阅请通过 WebSocket"), (EN, "over a WebSocket")):
            answer = await http.post(
                "/graphql/dongguan", json={"query": query}, headers={"Accept": accept, **extra}
            )
            assert answer.status_code == 400, answer.text
            assert answer.headers["content-type"].startswith("application/json")
            (error,) = answer.json()["errors"]
            assert error["extensions"]["code"] == "SUBSCRIPTION_OVER_HTTP"
            assert text in error["message"]
