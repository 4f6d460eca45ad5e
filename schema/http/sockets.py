"""graphql-transport-ws with the HTTP limits: every operation a socket starts is charged to
the caller's rate-limit bucket, a query or mutation runs within the execution timeout, and a
socket has a cap on operations in flight.

Without this, one anonymous socket ran 1,246 operations in 8 s (HTTP allows 10 a second),
mutations included, none of them bounded in time. The query limits (tokens, depth, cost...)
need nothing here: they are a schema extension (schema/api/limits.py) and see every operation.

A socket's caller is the handshake's Authorization header or, as browsers cannot set one, a
token in `connection_init`'s payload, checked as a header token is; the socket is closed
with 4403 `TOKEN_EXPIRED` when its token expires. Messages go out as text frames: standard
clients (graphql-ws, gql) refuse binary ones.

Close reasons are "CODE: message", the message in the socket's language: the handshake's
Accept-Language, or `acceptLanguage` in connection_init's payload. An operation that fails
unexpectedly is one line in the log (its name, document hash and an error id; the traceback
at DEBUG only, since an exception's text may quote the client's values) and an INTERNAL
`error` message naming that id.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Mapping
from contextlib import suppress
from typing import Any, cast

import orjson
import strawberry
from graphql import GraphQLError, OperationType, get_operation_ast
from starlette.websockets import WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.extensions.parser_cache import _get_parse_cache
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    SubscribeMessage,
)

from core.infra import i18n
from core.infra.errors import AuthError
from core.infra.settings import ApiLimits
from core.security.auth import authenticate
from schema.api.context import Context
from schema.api.errors import document_hash, operation_name
from schema.api.limits import limit_error
from schema.http import bearer, persisted
from schema.http.guard import RateLimiter, address_key, retry_after

# strawberry's parse LRU with QueryLimits' options: the document is parsed once for both.
_parse = _get_parse_cache(512)
log = logging.getLogger("civicgraph.errors")

# The reason of each close strawberry words in English, by close code. Our own closes give
# a code of i18n.MESSAGES as their reason.
_CLOSES = {
    4400: "BAD_MESSAGE",
    4401: "NOT_INITIALISED",
    4406: "SUBPROTOCOL_NOT_ACCEPTABLE",
    4408: "INIT_TIMEOUT",
    4409: "DUPLICATE_OPERATION",
    4429: "TOO_MANY_INITIALISATIONS",
}
_MAX_REASON_BYTES = 123  # RFC 6455: a close frame's payload is at most 125 bytes


def close_reason(code: int, reason: str, lang: str) -> str:
    """ "CODE: message" in `lang` for a close with `reason` (a code of ours, or strawberry's
    English); the code comes first so that a client can match it."""
    key = reason if reason in i18n.MESSAGES else _CLOSES.get(code)
    if key is None:
        return reason
    text = f"{key}: {i18n.message(key, lang)}".encode()[:_MAX_REASON_BYTES]
    return text.decode(errors="ignore")  # a character cut in two is left out


class TextFrames(ASGIWebSocketAdapter):
    """Every message a text frame, whatever the view's encode_json returns for HTTP bodies;
    every close reason in the socket's language."""

    async def close(self, code: int, reason: str) -> None:
        lang = self.ws.scope.get(bearer.LANG) or i18n.DEFAULT_LANGUAGE
        await self.ws.close(code=code, reason=close_reason(code, reason, lang))

    async def send_json(self, message: Mapping[str, object]) -> None:
        try:
            await self.ws.send_text(orjson.dumps(message).decode())
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc


class LimitedTransportWS(BaseGraphQLTransportWSHandler[Context, None]):
    """The handler CityGraphQL uses; `limits`, `rate_limiter` and `caller` come from the view."""

    _expiry: asyncio.Task[None] | None = None

    @property
    def _limits(self) -> ApiLimits:
        limits: ApiLimits = self.view.limits  # type: ignore[attr-defined]
        return limits

    @property
    def _scope(self) -> dict[str, Any]:
        scope: dict[str, Any] = self.websocket.ws.scope  # type: ignore[attr-defined]
        return scope

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        params = message.get("payload")
        if not self.connection_init_received and isinstance(params, dict):
            if isinstance(params.get("acceptLanguage"), str):  # a browser cannot set headers
                lang = i18n.language(str(params["acceptLanguage"]))
                self._scope[bearer.LANG] = self.context.lang = lang
            try:
                await self._authenticate(params)
            except AuthError as e:
                await self._refuse_token(e)
                return
        await super().handle_connection_init(message)

    async def _authenticate(self, params: Mapping[str, object]) -> None:
        """The caller named by the payload's token; the socket closes when its token expires."""
        header_token: str | None = self._scope[bearer.TOKEN]
        token = bearer.from_connection_params(params)
        if token is not None and header_token is not None and token != header_token:
            raise AuthError("TOKEN_INVALID")  # two callers on one socket: neither is believed
        if token is not None and token != header_token:
            city: str = self._scope["path_params"]["city"]
            principal = await authenticate(token, city)
            self._scope[bearer.PRINCIPAL], self._scope[bearer.TOKEN] = principal, token
            self.context = Context(principal=principal, lang=self.context.lang)
        token = token or header_token
        expires = bearer.expires_at(token) if token else None
        if expires is not None:
            self._expiry = asyncio.create_task(self._close_at(expires))

    async def _refuse_token(self, error: AuthError) -> None:
        # Charged to the address, as a refused header token is: guessing tokens is limited.
        limiter: RateLimiter = self.view.rate_limiter  # type: ignore[attr-defined]
        if limiter.take(address_key(self._scope)):
            await self.websocket.close(code=4429, reason="RATE_LIMITED")
        elif error.code == "JWKS_UNAVAILABLE":
            await self.websocket.close(code=1013, reason=error.code)  # try again later
        else:
            await self.websocket.close(code=4403, reason=error.code)

    async def _close_at(self, expires: float) -> None:
        await asyncio.sleep(max(0.0, expires - time.time()))
        with suppress(WebSocketDisconnected, RuntimeError):  # the client left first
            await self.websocket.close(code=4403, reason="TOKEN_EXPIRED")

    async def shutdown(self) -> None:
        if self._expiry is not None:
            self._expiry.cancel()
        await super().shutdown()

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if not self.connection_acknowledged or message["id"] in self.operations:
            await super().handle_subscribe(message)  # the protocol's own refusals
            return
        malformed = _malformed(message["payload"])
        if malformed:  # as HTTP refuses such a body (400 BAD_REQUEST)
            refusal = GraphQLError(
                i18n.message(malformed, self._lang), extensions={"code": "BAD_REQUEST"}
            )
            await self._refuse(message["id"], refusal)
            return
        limiter: RateLimiter = self.view.rate_limiter  # type: ignore[attr-defined]
        wait = limiter.take(self.view.caller_of(self.websocket))  # type: ignore[attr-defined]
        if wait:
            code = "RATE_LIMITED"
            refusal = GraphQLError(
                i18n.message(code, self._lang),
                extensions={"code": code, "retryAfter": int(retry_after(wait))},
            )
            await self._refuse(message["id"], refusal)
            return
        cap = self._limits.max_socket_operations
        if len(self.operations) >= cap:
            await self._refuse(message["id"], limit_error("TOO_MANY_IN_FLIGHT", self._lang, cap))
            return
        sent: Any = message.get("payload")
        if isinstance(sent, dict):  # a persisted document's id, or a trusted-only city
            city: str = self._scope["path_params"]["city"]
            schema = cast(strawberry.Schema, self.schema)
            named, refused = await persisted.socket_payload(schema, city, sent, self._lang)
            if refused is not None:
                await self._refuse(message["id"], refused)
                return
            message = cast(SubscribeMessage, {**message, "payload": named})
        await super().handle_subscribe(message)

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        if _is_subscription(operation, self._limits.max_tokens):
            await super().run_operation(operation)  # a stream: bounded by the in-flight cap
            return
        seconds = self._limits.timeout_seconds
        try:
            async with asyncio.timeout(seconds):
                await super().run_operation(operation)
        except TimeoutError:
            refusal = limit_error("TIMEOUT", self._lang, seconds)
            await operation.send_operation_message(
                {"id": operation.id, "type": "error", "payload": [refusal.formatted]}
            )

    async def _send_result_stream(
        self, operation: Operation[Context, None], result_source: Any
    ) -> None:
        try:
            await super()._send_result_stream(operation, result_source)
        except GraphQLError as error:
            # A refusal raised while parsing (a syntax error such as an invalid \uD800
            # escape, too many tokens) escapes strawberry's stream: it logged the traceback,
            # query text included, and sent `complete` with no answer (found by the fuzzer,
            # issue 17). Answer it as HTTP does.
            error.extensions = {"code": "GRAPHQL_VALIDATION", **(error.extensions or {})}
            await operation.send_initial_errors([error])

    async def handle_task_exception(self, error: Exception) -> None:
        """An operation's unexpected failure: one line, and the client told its id."""
        error_id = secrets.token_hex(6)
        task = asyncio.current_task()
        operation = next((o for o in self.operations.values() if o.task is task), None)
        query = operation.query if operation and isinstance(operation.query, str) else None
        name = operation_name(_name_of(operation, self._limits.max_tokens))
        log.error(
            "INTERNAL in WebSocket operation %s (document %s), error %s: %s",
            name, document_hash(query), error_id, type(error).__name__,
        )  # fmt: skip
        log.debug("error %s", error_id, exc_info=error)
        if operation is not None:
            refusal = GraphQLError(
                i18n.message("INTERNAL_WITH_ID", self._lang, error_id=error_id),
                extensions={"code": "INTERNAL", "errorId": error_id},
            )
            with suppress(Exception):  # the socket may be what failed
                await self._refuse(operation.id, refusal)

    @property
    def _lang(self) -> str:
        return self.context.lang

    async def _refuse(self, operation_id: str, error: GraphQLError) -> None:
        await self.send_message({"id": operation_id, "type": "error", "payload": [error.formatted]})


def _malformed(payload: Mapping[str, object]) -> str | None:
    """The message code of a subscribe payload's malformed member, as HTTP checks a body."""
    query = payload.get("query")
    if query is None and not _names_a_document(payload):
        return "NO_QUERY"
    if not isinstance(query, str | None):
        return "QUERY_NOT_STRING"
    if not isinstance(payload.get("variables"), dict | None):
        return "VARIABLES_NOT_OBJECT"
    if not isinstance(payload.get("operationName"), str | None):
        return "OPERATION_NAME_NOT_STRING"
    if not isinstance(payload.get("extensions"), dict | None):
        return "EXTENSIONS_NOT_OBJECT"
    return None


def _names_a_document(payload: Mapping[str, object]) -> bool:
    """Does the payload name a persisted document instead of sending its text (docs/api.md)?"""
    extensions = payload.get("extensions")
    return (
        "documentId" in payload
        or "doc_id" in payload
        or (isinstance(extensions, dict) and "persistedQuery" in extensions)
    )


def _name_of(operation: Operation[Any, Any] | None, max_tokens: int) -> str | None:
    """The operation's name: the one the client gave, else its document's (as HTTP logs it)."""
    if operation is None or operation.operation_name or not isinstance(operation.query, str):
        return operation.operation_name if operation else None
    try:
        definition = get_operation_ast(_parse(operation.query, max_tokens=max_tokens), None)
    except GraphQLError:
        return None
    return definition.name.value if definition and definition.name else None


def _is_subscription(operation: Operation[Any, Any], max_tokens: int) -> bool:
    return is_subscription(operation.query, operation.operation_name, max_tokens)


def is_subscription(query: object, operation_name: str | None, max_tokens: int) -> bool:
    """Does `query` (a text, parsed through the sockets' bounded cache) run a subscription?"""
    if not isinstance(query, str):
        return False  # strawberry refuses the message
    try:
        document = _parse(query, max_tokens=max_tokens)
    except GraphQLError:
        return False  # refused when it runs, quickly
    definition = get_operation_ast(document, operation_name)
    return definition is not None and definition.operation is OperationType.SUBSCRIPTION
