"""Persisted documents on the wire (docs/api.md, "Persisted documents"), POST and GET alike.

A request names a stored document by `extensions.persistedQuery` (Apollo's Automatic
Persisted Queries: `{"version": 1, "sha256Hash": "<hex>"}`), by `documentId` (the GraphQL
over HTTP proposal: "sha256:<hex>" or a manifest's id) or by `doc_id` (relay's examples).

- The id alone: the city's document runs; an unknown id answers PERSISTED_QUERY_NOT_FOUND
  with HTTP 200, the signal for an APQ client to send the text with the id (Apollo Server
  answers 200 too: a client that saw 400 would give up persisted queries for good).
- The id and the text (APQ only): the text's sha256 must be the id; then the city stores it
  (bounded: core/persisted/store.py) once it parses and validates, and it runs.
- A city in trusted-only mode runs only documents pushed with `civicgraph documents push`:
  anything else is PERSISTED_DOCUMENT_REQUIRED, and clients register nothing.

What follows is an ordinary request: the text is put in the body (or the query string), so
the limits, the compiled path and strawberry see what they always see, and the scope carries
the document already parsed (schema/api/documents.py) for the caches keyed by its id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

import orjson
import strawberry
from graphql import GraphQLError, specified_rules, validate
from starlette.responses import JSONResponse
from starlette.types import Receive, Scope

from core.infra.i18n import Text, message
from core.infra.settings import Documents
from core.models.documents import DocumentSource
from core.persisted import store
from schema.api.documents import SCOPE_KEY, Persisted, PersistedCache, persisted
from schema.http import media
from schema.http.guard import replay

_found = PersistedCache()
_SHA256 = re.compile(r"[0-9a-f]{64}")
_ID = re.compile(r"[\x21-\x7e]{1,128}")  # a manifest's id: printable ASCII, the column's width
# The protocol's own words: Apollo's clients (Kotlin, iOS and older web ones) match the message.
PROTOCOL_MESSAGES = {
    "PERSISTED_QUERY_NOT_FOUND": "PersistedQueryNotFound",
    "PERSISTED_QUERY_NOT_SUPPORTED": "PersistedQueryNotSupported",
}


@dataclass(frozen=True)
class Prepared:
    """The request to serve (its body and receive, maybe rewritten), or the answer given."""

    body: bytes | None
    receive: Receive
    answer: JSONResponse | None = None


@dataclass(frozen=True)
class _Asked:
    key: str
    apq: bool  # named by extensions.persistedQuery: the text may come along, to register
    name: str = "extensions.persistedQuery"  # the parameter that named it


class _Refused(Exception):
    def __init__(self, code: str, **params: Any) -> None:
        self.code, self.params = code, params


async def prepare(
    schema: strawberry.Schema,
    city: str,
    lang: str,
    scope: Scope,
    receive: Receive,
    body: bytes | None,
) -> Prepared:
    """Resolve the persisted document an HTTP request names, in the city in scope."""
    unchanged = Prepared(body, receive)
    payload = _payload(scope, body)
    if payload is None:
        return unchanged
    try:
        found = await _resolve(schema, city, payload, register=True)
    except _Refused as refused:
        return Prepared(body, receive, _refusal(refused, lang, scope))
    if found is None:
        return unchanged
    scope[SCOPE_KEY] = found
    if payload.get("query") is not None:
        return unchanged
    return await _with_text(found.text, payload, scope, receive, body)


async def socket_payload(
    schema: strawberry.Schema, city: str, payload: dict[str, Any], lang: str
) -> tuple[dict[str, Any], GraphQLError | None]:
    """A WebSocket `subscribe` payload with the text of the document it names, or the refusal
    to send: the same rules as over HTTP, except that a socket registers nothing."""
    try:
        found = await _resolve(schema, city, payload, register=False)
    except _Refused as refused:
        return payload, GraphQLError(_message(refused, lang), extensions=_extensions(refused, lang))
    if found is None or payload.get("query") is not None:
        return payload, None
    return {**payload, "query": found.text}, None


async def _resolve(
    schema: strawberry.Schema, city: str, payload: dict[str, Any], register: bool
) -> Persisted | None:
    """The document the request names, or None when it runs as sent; _Refused otherwise."""
    rules = store.policy(city)
    asked = _asked(payload)
    query = payload.get("query")
    if asked is None:
        if rules.trusted_only and query is not None:
            raise _Refused("PERSISTED_DOCUMENT_REQUIRED")
        return None
    if query is not None and not isinstance(query, str):
        return None  # strawberry refuses it, 400, as GraphQL over HTTP asks
    found = await _find(city, asked.key, trusted_only=rules.trusted_only)
    if query is None:
        if found is not None:
            return found
        if asked.apq and not (rules.apq or rules.trusted_only):
            raise _Refused("PERSISTED_QUERY_NOT_SUPPORTED", hash=asked.key)
        raise _Refused("PERSISTED_QUERY_NOT_FOUND", hash=asked.key)
    if not asked.apq:
        raise _Refused("PERSISTED_QUERY_INVALID", field=asked.name, expected=_ONE_OF)
    if store.sha256(query) != asked.key:
        raise _Refused("PERSISTED_QUERY_HASH_MISMATCH", hash=asked.key)
    if found is None and rules.trusted_only:
        raise _Refused("PERSISTED_DOCUMENT_REQUIRED")
    if found is None and register:
        # A text the city does not keep (too long, invalid) runs as sent: None.
        found = await _register(schema, city, asked.key, query, rules)
    return found


_ONE_OF = Text(
    "发送文档 ID 或查询文本，不要同时发送", "send the document's id or its text, not both"
)
_PERSISTED_QUERY = Text(
    "需要 version 1 和 64 位小写十六进制的 sha256Hash",
    "it needs version 1 and a sha256Hash of 64 lowercase hex digits",
)
_DOCUMENT_ID = Text(
    "应为 sha256:<64 位十六进制> 或清单中的 ID", "use sha256:<64 hex> or a manifest's id"
)


def _payload(scope: Scope, body: bytes | None) -> dict[str, Any] | None:
    """The request's GraphQL parameters; None when there are none to read (strawberry words
    what is wrong with an unreadable request)."""
    if scope["type"] != "http":
        return None
    if scope["method"] == "GET":
        params = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        extensions = params.get("extensions")
        try:
            parsed = orjson.loads(extensions) if extensions else None
        except orjson.JSONDecodeError:
            return None
        return {**params, "extensions": parsed}
    try:
        payload = orjson.loads(body) if body else None
    except orjson.JSONDecodeError:
        return None
    return payload if isinstance(payload, dict) else None


def _asked(payload: dict[str, Any]) -> _Asked | None:
    extensions = payload.get("extensions")
    apq = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
    if apq is not None:
        version, key = (
            (apq.get("version"), apq.get("sha256Hash")) if isinstance(apq, dict) else (0, 0)
        )
        if version != 1 or not isinstance(key, str) or not _SHA256.fullmatch(key):
            raise _Refused(
                "PERSISTED_QUERY_INVALID",
                field="extensions.persistedQuery",
                expected=_PERSISTED_QUERY,
            )
        return _Asked(key, apq=True)
    for name in ("documentId", "doc_id"):
        value = payload.get(name)
        if value is None:
            continue
        key = value.removeprefix("sha256:") if isinstance(value, str) else ""
        if not _ID.fullmatch(key):
            raise _Refused("PERSISTED_QUERY_INVALID", field=name, expected=_DOCUMENT_ID)
        return _Asked(key, apq=False, name=name)
    return None


async def _find(city: str, key: str, trusted_only: bool) -> Persisted | None:
    """The city's document by id: parsed once per process, read from the store on a miss.
    In trusted-only mode a document a client registered (APQ) does not count."""
    found = _found.get(city, key)
    # A client's document may have been pushed as trusted since: the store has the last word.
    if found is None or (trusted_only and found.source is not DocumentSource.TRUSTED):
        stored = await store.find(key)
        if stored is None:
            return None
        found = persisted(key, stored.body, stored.source)
        _found.put(city, found)
    return None if trusted_only and found.source is not DocumentSource.TRUSTED else found


async def _register(
    schema: strawberry.Schema, city: str, key: str, text: str, rules: Documents
) -> Persisted | None:
    """Keep a client's document if it is one the city's schema can run; a text that does
    not parse or validate is not stored (the answering path words its errors)."""
    found = persisted(key, text, DocumentSource.APQ)
    if found.document is None or validate(schema._schema, found.document, specified_rules):
        return None
    if not await store.register(key, text, rules):
        return None
    _found.put(city, found)
    return found


async def _with_text(
    text: str, payload: dict[str, Any], scope: Scope, receive: Receive, body: bytes | None
) -> Prepared:
    """The request as if the client had sent the text: in the query string, or the body."""
    if scope["method"] == "GET":
        pairs = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        pairs = [(k, v) for k, v in pairs if k != "query"] + [("query", text)]
        scope["query_string"] = urlencode(pairs).encode("latin-1")
        return Prepared(body, receive)
    rewritten = orjson.dumps({**payload, "query": text})
    await receive()  # the body read before, which the outer replay would hand out again
    return Prepared(rewritten, replay(rewritten, receive))


def _message(refused: _Refused, lang: str) -> str:
    # The protocol's own words where clients match them; the localised text is the detail.
    return PROTOCOL_MESSAGES.get(refused.code) or message(refused.code, lang, **refused.params)


def _extensions(refused: _Refused, lang: str) -> dict[str, Any]:
    extensions: dict[str, Any] = {"code": refused.code}
    if "hash" in refused.params:
        extensions["hash"] = refused.params["hash"]
    if refused.code in PROTOCOL_MESSAGES:
        extensions["detail"] = message(refused.code, lang, **refused.params)
    return extensions


def _refusal(refused: _Refused, lang: str, scope: Scope) -> JSONResponse:
    error = {"message": _message(refused, lang), "extensions": _extensions(refused, lang)}
    if refused.code in PROTOCOL_MESSAGES:
        # HTTP 200 whatever the media type, and not to be cached by anyone (a GET's answer
        # changes as soon as the document is registered): an answer with errors is
        # `no-store` (schema/http/caching.py).
        return JSONResponse({"errors": [error]})
    if media.wants_graphql_response(scope):
        return JSONResponse({"errors": [error]}, status_code=400)
    return JSONResponse({"data": None, "errors": [error]})
