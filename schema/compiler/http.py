"""The compiled path on the wire: a POSTed JSON query is answered from one statement, or the
request (body replayed) goes to strawberry untouched."""

from __future__ import annotations

from typing import Protocol

import orjson
import strawberry
from starlette.types import Message, Receive, Scope, Send

from core.security.auth import Principal
from schema.api.documents import SCOPE_KEY
from schema.compiler.run import compiled_response, enabled


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # then disconnects, as the server reports them

    return replay


class ResolverApp(Protocol):
    """strawberry's ASGI app for one city's schema: the resolver path."""

    schema: strawberry.Schema

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None: ...


async def _compiled(
    resolver: ResolverApp,
    principal: Principal,
    lang: str,
    scope: Scope,
    receive: Receive,
    send: Send,
) -> None:
    headers = dict(scope.get("headers") or [])
    content_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
    if (
        scope["type"] != "http"
        or scope.get("method") != "POST"
        or content_type != b"application/json"
        or not enabled()
    ):
        await resolver(scope, receive, send)
        return
    body = await _read_body(receive)
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        payload = None
    # Malformed `extensions` are the resolver path's to refuse (400, as GraphQL over HTTP asks).
    extensions = payload.get("extensions") if isinstance(payload, dict) else None
    wellformed = isinstance(payload, dict) and isinstance(extensions, dict | None)
    persisted = scope.get(SCOPE_KEY)  # a persisted document's request: its plan by id
    answer = (
        await compiled_response(resolver.schema, payload, principal, lang, persisted)
        if wellformed
        else None
    )
    if answer is None:
        await resolver(scope, _replay(body, receive), send)
        return
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(answer)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": answer})


async def dispatch(
    resolver: ResolverApp,
    principal: Principal,
    lang: str,
    scope: Scope,
    receive: Receive,
    send: Send,
) -> None:
    """Answer on the compiled path when it can, else on the resolver path."""
    await _compiled(resolver, principal, lang, scope, receive, send)
