"""The admin pages: the city overview (`/admin/{city}`) and the exports it links to."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from core.infra.errors import AuthError
from core.infra.i18n import language, message
from core.security.auth import principal_from_token
from schema.admin.access import token_of
from schema.admin.downloads import export
from schema.admin.page import overview
from schema.admin.sign_in import sign_in
from schema.http.guard import RateLimiter, address_key, caller_key, retry_after

Endpoint = Callable[[Request], Awaitable[Response]]


def routes(limiter: RateLimiter | None = None) -> list[Route]:
    """The admin routes; with `limiter`, each request is charged as a GraphQL request is."""
    guard = (lambda endpoint: limited(endpoint, limiter)) if limiter else (lambda e: e)
    return [
        Route("/admin/{city}", guard(overview), methods=["GET"]),
        Route("/admin/{city}/export/{what}.{fmt}", guard(export), methods=["GET"]),
        # Development only; limited like the pages, as a sign-in form invites guessing.
        Route("/admin/{city}/sign-in", guard(sign_in), methods=["GET", "POST"]),
    ]


def limited(endpoint: Endpoint, limiter: RateLimiter) -> Endpoint:
    """`endpoint` behind the rate limiter: a token's subject, else the client's address."""

    async def guarded(request: Request) -> Response:
        wait = limiter.take(_caller(request))
        if not wait:
            return await endpoint(request)
        lang = language(request.headers.get("accept-language"))
        response = PlainTextResponse(message("RATE_LIMITED", lang), status_code=429)
        response.headers["Retry-After"] = retry_after(wait)
        return response

    return guarded


def _caller(request: Request) -> str:
    token, _ = token_of(request)
    if token is None:
        return address_key(request.scope)
    try:
        principal = principal_from_token(token, request.path_params["city"])
    except AuthError:
        return address_key(request.scope)  # a refused token: as anonymous
    return caller_key(principal, request.scope)
