"""CORS for /graphql/{city}, per city: the deployment's [api] cors_* settings, overridden by
a city's [cors] table. Off (no origins) by default: a browser then refuses another origin's
page, and strawberry refuses its WebSocket handshake."""

from __future__ import annotations

import re

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.http.websocket_origin import normalize_origin

from core.infra.cities import load_city_configs
from core.infra.settings import Cors

_CITY_PATH = re.compile(r"^/graphql/([^/]+)/?$")


def policy(city: str, deployment: Cors) -> Cors:
    """The CORS policy of `city`: its [cors] table over the deployment's settings."""
    config = load_city_configs().get(city)
    return (
        deployment
        if config is None or not config.cors
        else Cors.from_table(config.cors, base=deployment)
    )


def origin_allowed(origin: str, allowed: Cors) -> bool:
    """May a page of `origin` open a WebSocket to a city with this policy?"""
    if "*" in allowed.origins:
        return True
    normalised = normalize_origin(origin)
    return normalised is not None and normalised in {normalize_origin(o) for o in allowed.origins}


class CityCors:
    """Starlette's CORSMiddleware, configured per city, around the app."""

    def __init__(self, app: ASGIApp, deployment: Cors) -> None:
        self.app = app
        self.deployment = deployment
        self._by_policy: dict[Cors, ASGIApp] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = _CITY_PATH.match(scope["path"]) if scope["type"] == "http" else None
        allowed = policy(found.group(1), self.deployment) if found else None
        if allowed is None or not allowed.origins:
            await self.app(scope, receive, send)
            return
        await self._middleware(allowed)(scope, receive, send)

    def _middleware(self, allowed: Cors) -> ASGIApp:
        app = self._by_policy.get(allowed)
        if app is None:
            app = self._by_policy[allowed] = CORSMiddleware(
                self.app,
                allow_origins=allowed.origins,
                allow_methods=allowed.methods,
                allow_headers=allowed.headers,
                expose_headers=["Retry-After"],  # a 429 or 503 says when to come back
                max_age=allowed.max_age,
            )
        return app
