"""Sending an example to a running server and judging its answer.

The pass condition, for every example: an HTTP status below 500, no error whose
`extensions.code` is INTERNAL, and over WebSocket an answer (`next`/`error`, then
`complete`) within the deadline and no close but the protocol's own refusals.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
from typing import Any

import httpx
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Subprotocol

from core.infra import ids
from core.infra.enums import Role
from core.security.auth import CITY_WIDE, Scope, ScopeKind, mint_token
from tests.fuzz.requests import Example

ANSWER_SECONDS = 15.0  # the server's execution timeout is 10 s
# Closes that are the protocol's answer to a message, not a failure: not JSON or not a
# valid message (4400), too big (1009, uvicorn's ws_max_size), rate limited (4429).
EXPECTED_CLOSES = {1009, 4400, 4429}
SCOPES = (
    "{ "
    + " ".join(
        f"{root}(first: 1) {{ nodes {{ id }} }}"
        for root in ("streets", "communities", "compounds", "firms")
    )
    + " }"
)


@dataclasses.dataclass(frozen=True)
class Outcome:
    answer: str  # e.g. "HTTP 200", "WS error", "WS close 4400"
    failure: str | None = None


def internal_errors(errors: Any) -> list[Any]:
    if not isinstance(errors, list):
        return []
    return [
        e
        for e in errors
        if isinstance(e, dict) and (e.get("extensions") or {}).get("code") == "INTERNAL"
    ]


def _scope_ids(http: httpx.Client, city: str, admin: str) -> dict[str, int]:
    """A street, community, compound and firm of the city (1 where it has none)."""
    answer = http.post(
        f"/graphql/{city}", json={"query": SCOPES}, headers={"Authorization": f"Bearer {admin}"}
    ).json()
    found = {}
    for root, value in (answer.get("data") or {}).items():
        nodes = value["nodes"]
        decoded = ids.decode(nodes[0]["id"]) if nodes else None
        found[root] = decoded[1] if decoded else 1
    return found


def callers(http: httpx.Client, city: str) -> dict[str, str | None]:
    """Tokens of several roles, each scoped to something that exists in the city."""
    admin = mint_token(city, Role.CITY_ADMIN, CITY_WIDE, subject=f"fuzz-admin-{city}")
    at = _scope_ids(http, city, admin)
    return {
        "anonymous": None,
        "city_admin": admin,
        "street_admin": mint_token(
            city, Role.STREET_ADMIN, Scope(ScopeKind.STREET, at.get("streets", 1))
        ),
        "community_worker": mint_token(
            city, Role.COMMUNITY_WORKER, Scope(ScopeKind.COMMUNITY, at.get("communities", 1))
        ),
        "resident": mint_token(
            city,
            Role.RESIDENT,
            Scope(ScopeKind.COMPOUND, at.get("compounds", 1)),
            subject="owner-1",
        ),
        "firm_staff": mint_token(city, Role.FIRM_STAFF, Scope(ScopeKind.FIRM, at.get("firms", 1))),
    }


class Wire:
    """One HTTP client and one WebSocket per (city, caller), reopened after a close."""

    def __init__(self, base: str, cities: tuple[str, ...]) -> None:
        self.base = base.rstrip("/")
        self.http = httpx.Client(base_url=self.base, timeout=ANSWER_SECONDS)
        self.tokens = {city: callers(self.http, city) for city in cities}
        self.sockets: dict[tuple[str, str], ClientConnection] = {}
        self.opened = contextlib.ExitStack()  # every socket, closed with the wire
        self.operations = 0

    def close(self) -> None:
        self.opened.close()
        self.http.close()

    def _headers(self, example: Example) -> dict[str, str]:
        token = self.tokens[example.city][example.caller]
        return {"Authorization": f"Bearer {token}"} if token else {}

    def send(self, example: Example) -> Outcome:
        if example.transport == "http":
            return self._post(example)
        return self._subscribe(example)

    def _post(self, example: Example) -> Outcome:
        headers = {**self._headers(example), "Content-Type": "application/json"}
        try:
            response = self.http.post(
                f"/graphql/{example.city}", content=example.body.encode(), headers=headers
            )
        except httpx.TimeoutException:
            return Outcome("HTTP timeout", f"no answer within {ANSWER_SECONDS} s")
        answer = f"HTTP {response.status_code}"
        if response.status_code >= 500:
            return Outcome(answer, f"{answer}: {response.text[:2_000]}")
        try:
            body = response.json()
        except ValueError:
            return Outcome(answer)
        internal = internal_errors(body.get("errors") if isinstance(body, dict) else None)
        return Outcome(answer, f"{answer} with INTERNAL: {internal}" if internal else None)

    def _socket(self, example: Example) -> ClientConnection:
        key = (example.city, example.caller)
        socket = self.sockets.get(key)
        if socket is None:
            ws_base = self.base.replace("http://", "ws://", 1).replace("https://", "wss://", 1)
            socket = self.opened.enter_context(
                connect(
                    f"{ws_base}/graphql/{example.city}",
                    subprotocols=[Subprotocol("graphql-transport-ws")],
                    additional_headers=self._headers(example),
                    max_size=None,
                    open_timeout=ANSWER_SECONDS,
                    # No keepalive pings: they draw from `random` in a thread of their own, which
                    # hypothesis takes for a strategy using it (HypothesisDeprecationWarning).
                    ping_interval=None,
                )
            )
            socket.send(json.dumps({"type": "connection_init", "payload": {}}))
            ack = _message(socket.recv(timeout=ANSWER_SECONDS))
            assert ack.get("type") == "connection_ack", ack
            self.sockets[key] = socket
        return socket

    def _subscribe(self, example: Example) -> Outcome:
        socket = self._socket(example)
        self.operations += 1
        op = str(self.operations)
        try:
            socket.send(f'{{"id":"{op}","type":"subscribe","payload":{example.body}}}')
            return _answer(socket, op)
        except ConnectionClosed as closed:
            del self.sockets[(example.city, example.caller)]
            code = closed.rcvd.code if closed.rcvd else None
            reason = closed.rcvd.reason if closed.rcvd else "no close frame"
            answer = f"WS close {code}"
            return Outcome(answer, None if code in EXPECTED_CLOSES else f"{answer}: {reason}")
        except TimeoutError:
            socket.close()
            del self.sockets[(example.city, example.caller)]
            return Outcome("WS timeout", f"no answer within {ANSWER_SECONDS} s")


def _message(frame: str | bytes) -> dict[str, Any]:
    # Text frames, or binary ones from a server that sends its JSON so.
    found = json.loads(frame)
    assert isinstance(found, dict), found
    return found


def _answer(socket: ClientConnection, op: str) -> Outcome:
    failure = None
    answered = False
    while True:
        message = _message(socket.recv(timeout=ANSWER_SECONDS))
        if message.get("type") == "ping":
            socket.send(json.dumps({"type": "pong"}))
            continue
        if message.get("id") != op:
            continue
        kind = str(message.get("type"))
        payload = message.get("payload")
        errors = payload.get("errors") if kind == "next" and isinstance(payload, dict) else payload
        internal = internal_errors(errors) if kind in ("next", "error") else []
        if internal:
            failure = f"WS {kind} with INTERNAL: {internal}"
        answered = answered or kind in ("next", "error")
        if kind == "complete" and not answered:
            return Outcome("WS complete", "WS complete without a next or error message")
        if kind in ("complete", "error"):
            return Outcome(f"WS {kind}", failure)
