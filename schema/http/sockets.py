"""graphql-transport-ws with the HTTP limits: every operation a socket starts is charged to
the caller's rate-limit bucket, a query or mutation runs within the execution timeout, and a
socket has a cap on operations in flight.

Without this, one anonymous socket ran 1,246 operations in 8 s (HTTP allows 10 a second),
mutations included, none of them bounded in time. The query limits (tokens, depth, cost...)
need nothing here: they are a schema extension (schema/api/limits.py) and see every operation.
"""

from __future__ import annotations

import asyncio
from typing import Any

from graphql import GraphQLError, OperationType, get_operation_ast
from strawberry.extensions.parser_cache import _get_parse_cache
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import SubscribeMessage

from core.infra import i18n
from core.infra.settings import ApiLimits
from schema.api.context import Context
from schema.api.limits import limit_error
from schema.http.guard import RateLimiter, retry_after

# strawberry's parse LRU with QueryLimits' options: the document is parsed once for both.
_parse = _get_parse_cache(512)


class LimitedTransportWS(BaseGraphQLTransportWSHandler[Context, None]):
    """The handler CityGraphQL uses; `limits`, `rate_limiter` and `caller` come from the view."""

    @property
    def _limits(self) -> ApiLimits:
        limits: ApiLimits = self.view.limits  # type: ignore[attr-defined]
        return limits

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if not self.connection_acknowledged or message["id"] in self.operations:
            await super().handle_subscribe(message)  # the protocol's own refusals
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

    @property
    def _lang(self) -> str:
        return self.context.lang

    async def _refuse(self, operation_id: str, error: GraphQLError) -> None:
        await self.send_message({"id": operation_id, "type": "error", "payload": [error.formatted]})


def _is_subscription(operation: Operation[Any, Any], max_tokens: int) -> bool:
    if not isinstance(operation.query, str):
        return False  # strawberry refuses the message
    try:
        document = _parse(operation.query, max_tokens=max_tokens)
    except GraphQLError:
        return False  # refused when it runs, quickly
    definition = get_operation_ast(document, operation.operation_name)
    return definition is not None and definition.operation is OperationType.SUBSCRIPTION
