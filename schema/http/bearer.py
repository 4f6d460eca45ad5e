"""The caller's bearer token: from the Authorization header, or, on a WebSocket, from the
payload of `connection_init` (a browser cannot set headers on a WebSocket)."""

from __future__ import annotations

from collections.abc import Mapping

import jwt
from starlette.types import Scope

from core.infra.errors import AuthError

# Set in the scope of every /graphql/{city} request by GraphQLEndpoint.
PRINCIPAL = "civicgraph.principal"
TOKEN = "civicgraph.token"  # the verified token, None for an anonymous caller
LANG = "civicgraph.lang"


def from_authorization(value: str) -> str | None:
    """The token of an `Authorization: Bearer <token>` value; None when empty."""
    if not value:
        return None
    kind, _, token = value.partition(" ")
    if kind.lower() != "bearer" or not token.strip():
        raise AuthError("TOKEN_INVALID")
    return token.strip()


def from_header(scope: Scope) -> str | None:
    headers = dict(scope.get("headers") or [])
    return from_authorization(headers.get(b"authorization", b"").decode("latin-1"))


def from_connection_params(params: Mapping[str, object]) -> str | None:
    """The token a client put in `connection_init`'s payload, in the shapes clients use:
    `{"Authorization": "Bearer t"}`, `{"authorization": ...}`, `{"token": "t"}` and
    `{"headers": {"Authorization": ...}}`. More than one, and differing: refused."""
    found: set[str] = set()
    headers = params.get("headers")
    for source in (params, headers if isinstance(headers, Mapping) else {}):
        for key, value in source.items():
            if not isinstance(key, str) or key.lower() not in ("authorization", "token"):
                continue
            if not isinstance(value, str):
                raise AuthError("TOKEN_INVALID")
            token = from_authorization(value) if key.lower() == "authorization" else value
            if token:
                found.add(token.strip())
    if len(found) > 1:
        raise AuthError("TOKEN_INVALID")
    return found.pop() if found else None


def expires_at(token: str) -> float | None:
    """A verified token's expiry (epoch seconds): read once `authenticate` has accepted it."""
    claims = jwt.decode(token, options={"verify_signature": False})
    exp = claims.get("exp")
    return float(exp) if isinstance(exp, int | float) else None
