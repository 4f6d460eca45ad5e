"""What the server logs about a failed request: the error's code, the operation's name and a
hash of its document, never the query text, its literals or its variables (docs/privacy.md,
"Not in logs"); expected client errors as one line, unexpected ones with their traceback."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import websockets

from core.infra.enums import Role
from schema.api import checks
from schema.http.app import create_app
from tests.conftest import token
from tests.servers import in_process

PHONE = "13912345678"
ID_NUMBER = "44010119900101123X"


def _document(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()[:16]


def _formatted(caplog: pytest.LogCaptureFixture) -> list[str]:
    # As a handler writes them: the message, and the traceback where there is one. The test's
    # own WebSocket client logs the frames it sends: not the server's log.
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return [formatter.format(r) for r in caplog.records if r.name != "websockets.client"]


async def _post(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None,
    auth: str | None = None, operation: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    headers = {"Authorization": f"Bearer {auth}"} if auth else {}
    payload = {"query": query, "variables": variables, "operationName": operation}
    response = await client.post("/graphql/dongguan", json=payload, headers=headers)
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize(
    ("query", "variables", "operation", "code"),
    [
        # A literal of the wrong type: the validation message quotes it.
        (f'query Lookup {{ people(first: "{PHONE}") {{ totalCount }} }}', None, "Lookup",
         "GRAPHQL_VALIDATION"),
        # Anonymous: refused, the filter's ID number is in the document.
        (f'query Lookup {{ people(filter: {{idNumber: "{ID_NUMBER}"}}) {{ totalCount }} }}',
         None, "Lookup", "AUTH_REQUIRED"),
        # A variable of the wrong type: the message quotes the value.
        ("query Lookup($n: Int) { people(first: $n) { totalCount } }", {"n": PHONE}, "Lookup",
         "GRAPHQL_VALIDATION"),
        # A syntax error: the printed error would show the line holding the number.
        (f'query Lookup {{ people(filter: {{name: "{PHONE}"}}) {{ totalCount ', None, None,
         "GRAPHQL_VALIDATION"),
    ],
)  # fmt: skip
async def test_a_client_error_is_one_line_without_the_query(
    empty_db: str, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture,
    query: str, variables: dict[str, Any] | None, operation: str | None, code: str,
) -> None:  # fmt: skip
    with caplog.at_level(logging.DEBUG):
        body = await _post(client, query, variables, operation=operation)
    assert body["errors"][0]["extensions"]["code"] == code
    written = "\n".join(_formatted(caplog))
    assert PHONE not in written and ID_NUMBER not in written and query not in written
    errors = [r for r in caplog.records if code in r.getMessage()]
    assert len(errors) == 1, written
    assert errors[0].exc_info is None and errors[0].levelno == logging.INFO
    assert _document(query) in errors[0].getMessage()
    if operation:
        assert f"operation {operation}" in errors[0].getMessage()
    assert not [r for r in caplog.records if r.exc_info], written


async def test_a_refused_page_size_is_one_line(
    empty_db: str, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    admin = token("dongguan", Role.CITY_ADMIN)
    with caplog.at_level(logging.DEBUG):
        body = await _post(client, "{ compounds(first: 500) { totalCount } }", auth=admin)
    assert body["errors"][0]["extensions"]["code"] == "PAGE_TOO_LARGE"
    lines = [r for r in caplog.records if "PAGE_TOO_LARGE" in r.getMessage()]
    assert len(lines) == 1 and lines[0].exc_info is None
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.WARNING]


async def test_an_operation_name_that_is_not_a_name_is_not_logged(
    empty_db: str, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        for query in ("{ people { totalCount } }", "{ people { totalCount "):
            payload = {"query": query, "operationName": f"x {PHONE}"}
            response = await client.post("/graphql/dongguan", json=payload)
            assert response.status_code >= 400 or response.json()["errors"]
    assert PHONE not in "\n".join(_formatted(caplog))


async def test_an_internal_error_keeps_its_traceback_without_the_query(
    empty_db: str, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    # A filter time without an offset reaches the database as a naive datetime: a bug
    # (answered INTERNAL), the one the compiled path leaves to the resolvers.
    admin = token("dongguan", Role.CITY_ADMIN)
    query = 'query Late { cases(filter: {filedBefore: "2030-01-01T00:00:00"}) { totalCount } }'
    with caplog.at_level(logging.DEBUG):
        body = await _post(client, query, auth=admin)
    if "errors" not in body:
        pytest.skip("this database takes a naive datetime")
    assert body["errors"][0]["extensions"]["code"] == "INTERNAL"
    assert body["errors"][0]["message"] == "服务器内部错误"  # Chinese without Accept-Language
    internal = [r for r in caplog.records if r.exc_info]
    assert len(internal) == 1, _formatted(caplog)
    message = internal[0].getMessage()
    assert "INTERNAL" in message and "operation Late" in message and _document(query) in message
    assert "filedBefore" not in message and "2030" not in message


# Refused scalar inputs: each is a client error with its own code, logged as that code in one
# line, without a traceback, whether the value is a variable or a literal.
REFUSED_SCALARS = [
    ("query Lookup($d: Date!) { overdueCouncils(asOf: $d) { totalCount } }",
     {"d": "9999-12-31"}, "OUT_OF_RANGE"),
    ('query Lookup { overdueCouncils(asOf: "0001-01-01") { totalCount } }', None, "OUT_OF_RANGE"),
    ("query Lookup($s: String) { compounds(filter: {nameContains: $s}) { totalCount } }",
     {"s": f"{PHONE}\x00"}, "INVALID_TEXT"),
    ("query Lookup($id: ID!) { node(id: $id) { id } }", {"id": PHONE}, "INVALID_ID"),
    ("query Lookup($n: Int) { compounds(first: $n) { totalCount } }", {"n": PHONE},
     "GRAPHQL_VALIDATION"),
]  # fmt: skip


@pytest.mark.parametrize(("query", "variables", "code"), REFUSED_SCALARS)
async def test_a_refused_scalar_is_one_line_as_its_code(
    empty_db: str, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture,
    query: str, variables: dict[str, Any] | None, code: str,
) -> None:  # fmt: skip
    admin = token("dongguan", Role.CITY_ADMIN)
    with caplog.at_level(logging.DEBUG):
        body = await _post(client, query, variables, auth=admin)
    assert body["errors"][0]["extensions"]["code"] == code, body
    written = "\n".join(_formatted(caplog))
    assert PHONE not in written, written
    lines = [r for r in caplog.records if r.name == "civicgraph.errors"]
    assert [r.getMessage().split(" ")[0] for r in lines] == [code], written
    assert lines[0].levelno == logging.INFO
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.WARNING], written


async def _socket(base: str) -> Any:
    ws = await websockets.connect(
        f"ws://{base}/graphql/dongguan",
        subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
    )
    await ws.send(json.dumps({"type": "connection_init", "payload": {"acceptLanguage": "en"}}))
    assert json.loads(await ws.recv())["type"] == "connection_ack"
    return ws


async def _answer(ws: Any, payload: dict[str, Any]) -> dict[str, Any]:
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
    answer: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
    return answer


@pytest.fixture
async def served(empty_db: str) -> AsyncIterator[str]:
    app = create_app(manage_db=False)
    async with in_process(app) as base:
        yield base


async def test_malformed_variables_over_websocket_are_a_client_error(
    served: str, caplog: pytest.LogCaptureFixture
) -> None:
    # variables as a string reached the input checks, which failed: a traceback in the log
    # and only `complete` for the client.
    with caplog.at_level(logging.DEBUG):
        async with await _socket(served) as ws:
            answer = await _answer(ws, {"query": "query Lookup { city { slug } }",
                                        "variables": PHONE})  # fmt: skip
    assert answer["type"] == "error", answer
    assert answer["payload"][0]["extensions"] == {"code": "BAD_REQUEST"}
    assert answer["payload"][0]["message"] == "`variables` must be an object or null"
    written = "\n".join(_formatted(caplog))
    assert PHONE not in written and not [r for r in caplog.records if r.exc_info], written


async def test_an_unexpected_websocket_failure_is_one_line_with_an_error_id(
    served: str, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A bug injected where every operation passes (the input checks), its message quoting the
    # client's value as exceptions do: strawberry logged "Exception in worker task" with it.
    def bug(variables: Any, document: Any) -> None:
        raise RuntimeError(f"no such value {variables['s']}")

    monkeypatch.setattr(checks, "text_refusal", bug)
    query = "query Lookup($s: String) { compounds(filter: {nameContains: $s}) { totalCount } }"
    with caplog.at_level(logging.INFO):
        async with await _socket(served) as ws:
            answer = await _answer(ws, {"query": query, "variables": {"s": PHONE}})
    assert answer["type"] == "error", answer
    error_id = answer["payload"][0]["extensions"]["errorId"]
    assert answer["payload"][0]["extensions"]["code"] == "INTERNAL"
    assert answer["payload"][0]["message"] == f"internal error (id {error_id})"
    written = "\n".join(_formatted(caplog))
    assert PHONE not in written and not [r for r in caplog.records if r.exc_info], written
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert lines == [
        f"INTERNAL in WebSocket operation Lookup (document {_document(query)}), "
        f"error {error_id}: RuntimeError"
    ], written
    # The traceback is kept for a developer, at DEBUG only.
    with caplog.at_level(logging.DEBUG):
        caplog.clear()
        async with await _socket(served) as ws:
            await _answer(ws, {"query": query, "variables": {"s": PHONE}})
    assert [r for r in caplog.records if r.exc_info and r.levelno == logging.DEBUG]
