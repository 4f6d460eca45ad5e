"""How /graphql/{city} answers go on the wire: compressed above a size, and cacheable when
an anonymous caller asked by GET (docs/api.md, "Compression and caching").

Compression is starlette-compress (zstd, br or gzip, as the client's Accept-Encoding allows).
Outside it, `Validators` gives every successful GET answer a strong ETag, the hash of the
bytes as sent: a gzip body and a br body of the same data are different representations and
get different tags, as RFC 9110 asks of strong validators. A request whose If-None-Match names
the tag gets 304 without a body. WebSockets pass untouched; so do streamed answers
(subscriptions over HTTP): they are never compressed, nor buffered here.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

import orjson
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette_compress import CompressMiddleware, add_compress_type, remove_compress_type

from core.infra.settings import Responses

# What a GraphQL answer may be labelled; only these are compressed, hashed and cached.
JSON_TYPES = ("application/json", "application/graphql-response+json")
# Subscriptions over HTTP: each part must reach the client when sent, not when a codec's
# buffer fills, so they go as they are.
STREAMED_TYPES = ("multipart/mixed", "text/event-stream")
# Everything an answer's bytes depend on besides the URL: the token (who may see what), the
# negotiated media type and coding, the language of labels and messages, and the origin
# (CORS headers differ per origin).
VARY = ("Accept", "Accept-Encoding", "Accept-Language", "Authorization", "Origin")
NO_STORE = "no-store"
PRIVATE = "private, no-store"
ERRORS = "civicgraph.answer_errors"  # the scope's Verdict, which _ErrorsSeen fills


def answers(app: ASGIApp, settings: Responses) -> ASGIApp:
    """`app` (the GraphQL endpoint) with compression and HTTP caching around it."""
    # starlette-compress keeps its media types process-wide; setting them is idempotent.
    for media_type in JSON_TYPES:
        add_compress_type(media_type)
    for media_type in STREAMED_TYPES:
        remove_compress_type(media_type)
    compressed = CompressMiddleware(_ErrorsSeen(app), minimum_size=settings.compress_min_bytes)
    return Validators(compressed, settings.public_max_age)


def entity_tag(body: bytes) -> str:
    """A strong ETag: 128 bits of the body's SHA-256, quoted."""
    digest = hashlib.sha256(body).digest()[:16]
    return '"' + base64.urlsafe_b64encode(digest).rstrip(b"=").decode() + '"'


def matches(if_none_match: str, tag: str) -> bool:
    """RFC 9110 13.1.2: `*`, or any listed tag equal to ours under weak comparison."""
    listed = [t.strip() for t in if_none_match.split(",")]
    return "*" in listed or any(t.removeprefix("W/") == tag for t in listed)


def _media_type(headers: Headers) -> str:
    return headers.get("content-type", "").partition(";")[0].strip().lower()


@dataclass
class Verdict:
    """Shared by the layers of one request through the scope (an object: a layer between
    them may copy the scope, not what it refers to)."""

    errors: bool = True  # until the answer is read and found without


class _ErrorsSeen:
    """Inside compression: notes in the scope whether the JSON answer carries `errors`,
    which the validators outside can no longer read once the body is compressed. An answer
    with errors is never cached: a denied field or a refused limit is not the data."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        verdict = scope.get(ERRORS)
        if not isinstance(verdict, Verdict):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []

        async def seen(message: Message) -> None:
            if message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    verdict.errors = _has_errors(b"".join(chunks))
            await send(message)

        await self.app(scope, receive, seen)


def _has_errors(body: bytes) -> bool:
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        return True
    return not isinstance(parsed, dict) or "errors" in parsed


class Validators:
    """ETag, If-None-Match and Cache-Control for /graphql answers (see the module's doc)."""

    def __init__(self, app: ASGIApp, public_max_age: int) -> None:
        self.app = app
        self.public = f"public, max-age={public_max_age}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Headers(scope=scope)
        if scope["method"] not in ("GET", "HEAD"):
            # POSTs: queries and mutations alike are one caller's, never to be stored.
            await self.app(scope, receive, _labelled(send, NO_STORE))
            return
        anonymous = not request.get("authorization")
        policy = self.public if anonymous else PRIVATE
        await self.app(scope, receive, _Revalidated(send, scope, policy))


def _labelled(send: Send, cache_control: str) -> Send:
    async def labelled(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            headers.setdefault("Cache-Control", cache_control)
        await send(message)

    return labelled


class _Revalidated:
    """The `send` of one GET: holds a JSON 200 answer until its last byte, to hash it."""

    def __init__(self, send: Send, scope: Scope, policy: str) -> None:
        self.send = send
        self.verdict = scope[ERRORS] = Verdict()
        self.if_none_match = Headers(scope=scope).get("if-none-match", "")
        self.policy = policy
        self.start: Message | None = None
        self.chunks: list[bytes] = []

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            held = message["status"] == 200 and _media_type(headers) in JSON_TYPES
            if held:
                self.start = message
                return
            # An error, GraphiQL's page or a stream: not a cacheable answer, sent as it comes.
            if message["status"] != 200:
                headers.setdefault("Cache-Control", NO_STORE)
            await self.send(message)
            return
        if self.start is None or message["type"] != "http.response.body":
            await self.send(message)
            return
        self.chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            await self._finish(b"".join(self.chunks))

    async def _finish(self, body: bytes) -> None:
        assert self.start is not None
        headers = MutableHeaders(scope=self.start)
        varies = [v.strip() for v in headers.get("vary", "").split(",") if v.strip()]
        known = {v.lower() for v in varies}
        headers["Vary"] = ", ".join(varies + [v for v in VARY if v.lower() not in known])
        if self.verdict.errors:
            headers["Cache-Control"] = NO_STORE
            await self.send(self.start)
            await self.send({"type": "http.response.body", "body": body})
            return
        tag = entity_tag(body)
        headers["ETag"] = tag
        headers["Cache-Control"] = self.policy
        if self.if_none_match and matches(self.if_none_match, tag):
            # 304: the validators and caching headers a 200 would carry, and no content.
            kept = {"etag", "cache-control", "vary", "content-location", "date", "expires"}
            self.start["status"] = 304
            self.start["headers"] = [
                (k, v) for k, v in self.start["headers"] if k.decode().lower() in kept
            ]
            body = b""
        await self.send(self.start)
        await self.send({"type": "http.response.body", "body": body})
