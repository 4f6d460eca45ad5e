"""GraphQL over HTTP (the GraphQL Foundation's spec): `application/graphql-response+json`
for a client that accepts it, where a request that never reached execution (unparsable,
invalid, variables that do not coerce, refused by a limit) is a 400 without `data`; a client
that accepts only `application/json` (or says nothing) keeps 200 for those, as before."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from starlette.types import Message, Scope, Send

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"


def _quality(accept: str, media_type: str) -> float:
    best = 0.0
    for part in accept.split(","):
        name, *params = (p.strip() for p in part.split(";"))
        if name.lower() != media_type:
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        best = max(best, q)
    return best


def wants_graphql_response(scope: Scope) -> bool:
    """Does the client accept graphql-response+json at least as much as application/json?"""
    headers = dict(scope.get("headers") or [])
    accept = headers.get(b"accept", b"").decode("latin-1")
    ours = _quality(accept, GRAPHQL_RESPONSE)
    return ours > 0 and ours >= _quality(accept, JSON)


def is_request_error(data: object, errors: Sequence[object] | None) -> bool:
    """No data and only errors without a path: the request failed before execution."""
    return (
        data is None
        and bool(errors)
        and all(getattr(e, "path", None) is None for e in errors or ())
    )


def is_request_error_body(body: Mapping[str, object]) -> bool:
    """As is_request_error, for a formatted response (errors as dictionaries)."""
    errors = body.get("errors")
    return (
        body.get("data") is None
        and isinstance(errors, list)
        and bool(errors)
        and all(isinstance(e, Mapping) and e.get("path") is None for e in errors)
    )


def negotiated(send: Send) -> Send:
    """`send` that labels JSON answers graphql-response+json, for a client that prefers it."""

    async def labelled(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {
                **message,
                "headers": [
                    (k, GRAPHQL_RESPONSE.encode())
                    if k.lower() == b"content-type" and v.split(b";")[0].strip() == JSON.encode()
                    else (k, v)
                    for k, v in message.get("headers", ())
                ],
            }
        await send(message)

    return labelled
