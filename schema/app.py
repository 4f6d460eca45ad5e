"""The HTTP app: /graphql/{city} (POST queries, GET GraphiQL, websocket subscriptions),
/healthz and /readyz."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from core import db
from core.auth import Principal, principal_from_token
from core.cities import load_city_configs
from core.errors import AuthError
from core.i18n import language, message
from core.tenancy import in_city
from schema.build import schema_for_city
from schema.compiler.http import dispatch
from schema.context import Context

_PRINCIPAL = "civicgraph.principal"
_LANG = "civicgraph.lang"


class CityGraphQL(GraphQL[Context, None]):
    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        return Context(principal=request.scope[_PRINCIPAL], lang=request.scope[_LANG])


def _error(status: int, code: str, lang: str, **params: Any) -> JSONResponse:
    body = {"errors": [{"message": message(code, lang, **params), "extensions": {"code": code}}]}
    return JSONResponse(body, status_code=status)


def _principal(scope: Scope, city: str) -> Principal:
    headers = dict(scope.get("headers") or [])
    auth = headers.get(b"authorization", b"").decode("latin-1")
    if not auth:
        return Principal.anonymous(city)
    kind, _, token = auth.partition(" ")
    if kind.lower() != "bearer" or not token:
        raise AuthError("TOKEN_INVALID")
    return principal_from_token(token.strip(), city)


class GraphQLEndpoint:
    """Dispatches /graphql/{city} to that city's schema, with the city and caller in scope."""

    def __init__(self) -> None:
        self._apps: dict[int, CityGraphQL] = {}

    def _app_for(self, city: str) -> CityGraphQL:
        schema = schema_for_city(city)
        app = self._apps.get(id(schema))
        if app is None:
            app = self._apps[id(schema)] = CityGraphQL(
                schema, subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,)
            )
        return app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        city = scope["path_params"]["city"]
        headers = dict(scope.get("headers") or [])
        lang = language(headers.get(b"accept-language", b"").decode("latin-1"))
        if city not in load_city_configs():
            if scope["type"] == "websocket":
                await WebSocket(scope, receive, send).close(code=4404)
                return
            await _error(404, "UNKNOWN_CITY", lang, city=city)(scope, receive, send)
            return
        try:
            principal = _principal(scope, city)
        except AuthError as e:
            if scope["type"] == "websocket":
                await WebSocket(scope, receive, send).close(code=4401)
                return
            await _error(401, e.code, lang)(scope, receive, send)
            return
        scope[_PRINCIPAL], scope[_LANG] = principal, lang
        with in_city(city):
            await dispatch(self._app_for(city), principal, lang, scope, receive, send)


async def healthz(request: Request) -> Response:
    return PlainTextResponse("ok")


async def readyz(request: Request) -> Response:
    try:
        await asyncio.wait_for(db.connection().execute_query("SELECT 1"), timeout=2)
    except Exception as e:  # any failure to answer means not ready, whatever the driver says
        return JSONResponse({"ready": False, "error": type(e).__name__}, status_code=503)
    return JSONResponse({"ready": True})


def create_app(database_url: str | None = None, manage_db: bool = True) -> Starlette:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if manage_db:
            await db.init(database_url)
        try:
            yield
        finally:
            if manage_db:
                await db.close()

    endpoint = GraphQLEndpoint()
    return Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/graphql/{city}", endpoint, methods=["GET", "POST"]),
            WebSocketRoute("/graphql/{city}", endpoint),
        ],
        lifespan=lifespan,
    )
