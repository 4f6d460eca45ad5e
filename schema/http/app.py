"""The HTTP app: /graphql/{city} (POST queries, GET GraphiQL, websocket subscriptions),
/healthz and /readyz."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, cast

import orjson
import strawberry
from cross_web import HTTPException
from graphql import GraphQLError, OperationType, get_operation_ast
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult

from core.infra import db
from core.infra.cities import load_city_configs
from core.infra.errors import AuthError
from core.infra.i18n import language, message
from core.infra.settings import ApiLimits, Cors, get_settings
from core.infra.tenancy import in_city
from core.persisted.store import check_policies
from core.plugins.calls import check_city_configs, city_plugins, pinned, running_workers
from core.plugins.contributions import CityPlugins
from core.plugins.watch import watching
from core.security import production
from core.security.auth import Principal, authenticate
from schema.admin import routes as admin_routes
from schema.api.build import check_plugin_schemas, schema_for_city
from schema.api.context import Context
from schema.api.documents import SCOPE_KEY, Persisted
from schema.api.limits import check_request
from schema.compiler.http import dispatch
from schema.http import bearer, caching, cors, graphiql, media, persisted, serving, sockets
from schema.http.guard import (
    BodyTooLarge,
    RateLimiter,
    ReadDeadline,
    address_key,
    caller_key,
    is_batch,
    read_body,
    replay,
    retry_after,
)
from schema.http.sockets import LimitedTransportWS, TextFrames


class CityGraphQL(GraphQL[Context, None]):
    schema: strawberry.Schema  # as built by schema_for_city (strawberry's view says BaseSchema)

    # Each WebSocket operation passes the HTTP limiter and deadline (schema/http/sockets.py).
    graphql_transport_ws_handler_class = LimitedTransportWS
    websocket_adapter_class = TextFrames

    def __init__(
        self, schema: Any, limits: ApiLimits, rate_limiter: RateLimiter, cors: Cors
    ) -> None:
        super().__init__(
            schema,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            graphql_ide=None if get_settings().is_production else "graphiql",
            max_subscriptions_per_connection=limits.max_socket_operations,
        )
        self.limits = limits
        self.rate_limiter = rate_limiter
        self.cors = cors

    async def render_graphql_ide(self, request: Request) -> Response:
        # Bundled in the package rather than strawberry's page of CDN links (schema/http/graphiql).
        return graphiql.page(request.path_params["city"])

    def is_websocket_origin_allowed(self, request: WebSocket, origin: str) -> bool:
        """Another origin's page may open a socket where the city's CORS lets it call."""
        return cors.origin_allowed(
            origin, cors.policy(request.scope["path_params"]["city"], self.cors)
        )

    def caller_of(self, websocket: Any) -> str:
        """The rate-limit bucket of a socket's caller, the same as over HTTP."""
        scope = websocket.ws.scope  # strawberry's ASGIWebSocketAdapter around starlette's
        return caller_key(scope[bearer.PRINCIPAL], scope)

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        scope = request.scope
        return Context(
            principal=scope[bearer.PRINCIPAL],
            lang=scope[bearer.LANG],
            document=scope.get(SCOPE_KEY),
        )

    # orjson rather than the json module: several times faster on a page of results, and
    # UTF-8 out rather than \u escapes (a Chinese title costs 3 bytes, not 6), as the
    # compiled path writes it. orjson's JSONDecodeError is json's, which strawberry catches.
    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        try:
            response = await self.run(Request(scope, receive))
        except HTTPException as e:  # strawberry's refusals, in the shape of every other error
            code = "METHOD_NOT_ALLOWED" if e.status_code == 405 else "BAD_REQUEST"
            code = e.reason if e.reason in _OWN_CODES else code
            text = message(_REFUSALS.get(e.reason, code), scope.get(bearer.LANG, "zh"))
            errors = [{"message": text, "extensions": {"code": code}}]
            response = JSONResponse({"errors": errors}, status_code=e.status_code)
            if e.status_code == 405:  # a mutation needs POST; other methods, GET or POST
                response.headers["Allow"] = (
                    "POST" if e.reason == "MUTATION_OVER_GET" else "GET, POST"
                )
        await response(scope, receive, send)

    async def process_result(self, request: Request, result: ExecutionResult) -> Any:
        response = await super().process_result(request, result)
        # strawberry types the formatted errors as objects: they are dicts.
        for error in cast(list[dict[str, Any]], response.get("errors") or []):
            # Syntax errors are raised before any extension can code them.
            error.setdefault("extensions", {}).setdefault("code", "GRAPHQL_VALIDATION")
        if media.wants_graphql_response(request.scope) and media.is_request_error(
            result.data, result.errors
        ):
            response.pop("data", None)  # the spec: never executed, no data entry
        return response

    async def execute_operation(self, *args: Any, **kwargs: Any) -> Any:
        data = kwargs["request_data"]
        if not isinstance(data, list) and _runs_a_subscription(
            data.query, data.operation_name, kwargs["request"].scope, self.limits.max_tokens
        ):
            # strawberry would run the subscription's field as a query's and fail INTERNAL;
            # subscriptions are served over graphql-transport-ws only (docs/api.md).
            raise HTTPException(400, "SUBSCRIPTION_OVER_HTTP")
        return await super().execute_operation(*args, **kwargs)

    async def execute_single(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        try:
            result = await super().execute_single(*args, **kwargs)
        except HTTPException as e:
            if isinstance(e.__cause__, InvalidOperationTypeError):
                # A mutation over GET: the method is wrong, not the request (GraphQL over HTTP).
                raise HTTPException(405, "MUTATION_OVER_GET") from e
            raise
        sub_response = kwargs["sub_response"]
        if any(
            (e.extensions or {}).get("code") == "DATABASE_UNAVAILABLE" for e in result.errors or ()
        ):
            # A retryable outage, not a bad query: tell HTTP clients and proxies so.
            sub_response.status_code = 503
            sub_response.headers["Retry-After"] = "1"
        elif media.wants_graphql_response(kwargs["request"].scope) and media.is_request_error(
            result.data, result.errors
        ):
            sub_response.status_code = 400
        return result


# strawberry's refusals, worded in English, by their reason: the message (core/infra/i18n.py)
# that says it in the request's language. Any other reason: the generic one of its code.
def _runs_a_subscription(
    query: object, operation_name: str | None, scope: Scope, max_tokens: int
) -> bool:
    """Is the operation a subscription? A persisted document's parsed form is at hand (its
    request must not parse: schema/api/documents.py); a text goes through the parse cache
    strawberry then hits itself."""
    found = scope.get(SCOPE_KEY)
    if isinstance(found, Persisted) and found.document is not None and found.text == query:
        definition = get_operation_ast(found.document, operation_name)
        return definition is not None and definition.operation is OperationType.SUBSCRIPTION
    return sockets.is_subscription(query, operation_name, max_tokens)


# Refusals of ours whose code is their own, not METHOD_NOT_ALLOWED or BAD_REQUEST.
_OWN_CODES = {"SUBSCRIPTION_OVER_HTTP"}
_REFUSALS = {
    "SUBSCRIPTION_OVER_HTTP": "SUBSCRIPTION_OVER_HTTP",
    "Unsupported content type": "UNSUPPORTED_CONTENT_TYPE",
    "Unable to parse request body as JSON": "INVALID_JSON",
    "No GraphQL query found in the request": "NO_QUERY",
    "The GraphQL operation's `query` must be a string or null, if provided.": "QUERY_NOT_STRING",
    "The GraphQL operation's `variables` must be an object or null, if provided.": (
        "VARIABLES_NOT_OBJECT"
    ),
    "The GraphQL operation's `extensions` must be an object or null, if provided.": (
        "EXTENSIONS_NOT_OBJECT"
    ),
    "GraphQL only supports GET and POST requests.": "METHOD_NOT_ALLOWED",
    "MUTATION_OVER_GET": "MUTATION_OVER_GET",  # ours, below
    "Not Found": "NOT_FOUND_PATH",
}


def _error(status: int, code: str, lang: str, **params: Any) -> JSONResponse:
    extensions = {"code": code, **params}
    body = {"errors": [{"message": message(code, lang, **params), "extensions": extensions}]}
    return JSONResponse(body, status_code=status)


async def _principal(scope: Scope, city: str) -> Principal:
    token = bearer.from_header(scope)
    scope[bearer.TOKEN] = token
    return Principal.anonymous(city) if token is None else await authenticate(token, city)


class GraphQLEndpoint:
    """Dispatches /graphql/{city} to that city's schema, with the city and caller in scope."""

    def __init__(self, limits: ApiLimits | None = None, cors: Cors | None = None) -> None:
        self._apps: dict[int, CityGraphQL] = {}
        self.limits = limits or get_settings().limits
        self.cors = cors or get_settings().cors
        self.rate_limiter = RateLimiter(self.limits.rate_per_second, self.limits.rate_burst)

    def _app_for(self, city: CityPlugins) -> CityGraphQL:
        schema = schema_for_city(city)
        app = self._apps.get(id(schema))
        if app is None:
            app = self._apps[id(schema)] = CityGraphQL(
                schema, self.limits, self.rate_limiter, self.cors
            )
        return app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        city = scope["path_params"]["city"]
        if scope["type"] == "http" and media.wants_graphql_response(scope):
            send = media.negotiated(send)
        headers = dict(scope.get("headers") or [])
        lang = language(headers.get(b"accept-language", b"").decode("latin-1"))
        if city not in load_city_configs():
            if scope["type"] == "websocket":
                await WebSocket(scope, receive, send).close(code=4404)
                return
            await _error(404, "UNKNOWN_CITY", lang, city=city)(scope, receive, send)
            return
        try:
            principal = await _principal(scope, city)
        except AuthError as e:
            # A refused token is charged to the address, as an anonymous caller would be:
            # guessing tokens is limited like any other request.
            wait = self.rate_limiter.take(address_key(scope))
            if wait:
                await self._too_many(wait, lang, scope, receive, send)
                return
            if scope["type"] == "websocket":
                await WebSocket(scope, receive, send).close(code=4401)
                return
            status = 503 if e.code == "JWKS_UNAVAILABLE" else 401
            await _error(status, e.code, lang)(scope, receive, send)
            return
        wait = self.rate_limiter.take(caller_key(principal, scope))
        if wait:
            await self._too_many(wait, lang, scope, receive, send)
            return
        body = None
        if scope["type"] == "http" and scope["method"] == "POST":
            try:
                body = await read_body(receive, self.limits.max_body_bytes)
            except BodyTooLarge:
                limit = self.limits.max_body_bytes
                await _error(413, "REQUEST_TOO_LARGE", lang, limit=limit)(scope, receive, send)
                return
            if is_batch(body):
                # Batching is off: one operation per request keeps every limit per request.
                await _error(400, "BATCHING_DISABLED", lang)(scope, receive, send)
                return
            receive = replay(body, receive)
        scope[bearer.PRINCIPAL], scope[bearer.LANG] = principal, lang
        with in_city(city):
            await self._serve(city, body, lang, principal, scope, receive, send)

    async def _too_many(
        self, wait: float, lang: str, scope: Scope, receive: Receive, send: Send
    ) -> None:
        if scope["type"] == "websocket":
            await WebSocket(scope, receive, send).close(code=4429)
            return
        response = _error(429, "RATE_LIMITED", lang)
        response.headers["Retry-After"] = retry_after(wait)
        await response(scope, receive, send)

    async def _serve(
        self,
        city: str,
        body: bytes | None,
        lang: str,
        principal: Principal,
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> None:
        """Answer within the time limit; a database outage answers 503, retryable."""
        started = False

        async def tracked_send(message: Message) -> None:
            nonlocal started
            started = True
            await send(message)

        deadline = None if scope["type"] == "websocket" else self.limits.timeout_seconds
        try:
            async with asyncio.timeout(deadline) as timer:
                # Cached per process while changes are heard, else one small read.
                with pinned(await city_plugins(city)) as enabled:
                    app = self._app_for(enabled)
                    # A persisted document's id: its text put in, or the protocol's answer.
                    found = await persisted.prepare(app.schema, city, lang, scope, receive, body)
                    if found.answer is not None:
                        await found.answer(scope, receive, tracked_send)
                        return
                    body, receive = found.body, found.receive
                    refused = check_request(app.schema._schema, _json(body), lang)
                    if refused:
                        await _refusal(refused, scope)(scope, receive, tracked_send)
                        return
                    await dispatch(app, principal, lang, scope, receive, tracked_send)
        except Exception as e:
            if started or scope["type"] != "http":
                raise
            if isinstance(e, TimeoutError) and timer.expired():
                limit = self.limits.timeout_seconds
                await _error(504, "TIMEOUT", lang, limit=limit)(scope, receive, send)
            elif db.is_unavailable(e):  # e.g. reading the city's plugins during an outage
                response = _error(503, "DATABASE_UNAVAILABLE", lang, retryable=True)
                response.headers["Retry-After"] = "1"
                await response(scope, receive, send)
            else:
                raise


def _refusal(refused: list[GraphQLError], scope: Scope) -> JSONResponse:
    """A document refused by a limit before it ran: a request error (schema/http/media.py)."""
    errors = [e.formatted for e in refused]
    if media.wants_graphql_response(scope):
        return JSONResponse({"errors": errors}, status_code=400)
    return JSONResponse({"data": None, "errors": errors})


def _json(body: bytes | None) -> object:
    if not body:
        return None
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return None


async def healthz(request: Request) -> Response:
    return PlainTextResponse("ok")


async def readyz(request: Request) -> Response:
    try:
        await asyncio.wait_for(db.connection().execute_query("SELECT 1"), timeout=2)
    except Exception as e:  # any failure to answer means not ready, whatever the driver says
        return JSONResponse({"ready": False, "error": type(e).__name__}, status_code=503)
    return JSONResponse({"ready": True})


def create_app(
    database_url: str | None = None,
    manage_db: bool = True,
    limits: ApiLimits | None = None,
    cors_settings: Cors | None = None,
) -> Starlette:
    # An unknown profile, or production with a missing, weak or public secret: no start.
    settings = get_settings()
    production.check(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        serving.tune_gc()
        if manage_db:
            await db.init(database_url)
        try:
            # Cache each city's plugin configuration while a change is sure to be heard
            # (core/plugins/watch.py); plugins' background work (webhook deliveries...).
            async with watching(), running_workers():
                yield
        finally:
            if manage_db:
                await db.close()

    serving.quiet_access_log()  # however uvicorn was started: no query string in its log
    check_plugin_schemas()  # two plugins claiming one GraphQL name: refuse to start
    check_city_configs()  # a city naming a missing plugin or invalid settings: refuse too
    check_policies()  # and a city's [documents] table that does not read
    limits = limits or settings.limits
    cors_settings = cors_settings or settings.cors
    endpoint = GraphQLEndpoint(limits, cors_settings)
    return Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            # Every method reaches the endpoint: strawberry refuses the others with a 405 that
            # is answered in the caller's language, as JSON (starlette's is English text).
            # Compressed, and cacheable when anonymous (schema/http/caching.py); not sockets.
            Route("/graphql/{city}", caching.answers(endpoint, settings.responses)),
            WebSocketRoute("/graphql/{city}", endpoint),
            # /admin/{city}: overview page and exports (schema/admin), on the same buckets.
            *admin_routes(endpoint.rate_limiter),
            *graphiql.routes(settings),  # GraphiQL's bundled assets (development profile)
        ],
        # Slow headers are uvicorn's to time out (docs/security.md); slow bodies are ours.
        middleware=[
            # Preflights are answered before anything else reads the request.
            Middleware(cors.CityCors, deployment=cors_settings),
            Middleware(ReadDeadline, seconds=limits.read_timeout_seconds),
        ],
        lifespan=lifespan,
    )
