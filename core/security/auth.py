"""Principals: who is calling, for which city, in which role and scope; read from a JWT."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import jwt

from core.infra.enums import Role
from core.infra.errors import AuthError
from core.infra.ids import MAX_PK
from core.infra.settings import get_settings
from core.security.jwks import ASYMMETRIC, key_set

_SCOPE_ID = re.compile(r"[1-9][0-9]{0,9}", re.ASCII)


class ScopeKind(StrEnum):
    CITY = "city"
    STREET = "street"
    COMMUNITY = "community"
    COMPOUND = "compound"
    FIRM = "firm"
    ORGANISATION = "organisation"


@dataclass(frozen=True)
class Scope:
    kind: ScopeKind
    id: int | None = None  # None only for the whole city

    @classmethod
    def parse(cls, text: str) -> Scope:
        """'city', 'street:3', 'community:12', 'compound:7', 'firm:2', 'organisation:4'."""
        kind, _, ident = text.partition(":")
        try:
            scope_kind = ScopeKind(kind)
        except ValueError:
            raise ValueError(f"unknown scope kind {kind!r}") from None
        if scope_kind is ScopeKind.CITY:
            return cls(scope_kind)
        # ASCII decimal within the database's keys: `str.isdigit` also takes '²' and '٣'.
        if _SCOPE_ID.fullmatch(ident) is None or int(ident) > MAX_PK:
            raise ValueError(f"scope {text!r} needs a numeric id, e.g. {kind}:12")
        return cls(scope_kind, int(ident))

    def __str__(self) -> str:
        return self.kind.value if self.id is None else f"{self.kind.value}:{self.id}"


CITY_WIDE = Scope(ScopeKind.CITY)

# The scope each role acts within. Admin roles are city-wide or street-wide by nature.
ROLE_SCOPES: dict[Role, frozenset[ScopeKind]] = {
    Role.ANONYMOUS: frozenset({ScopeKind.CITY}),
    Role.RESIDENT: frozenset({ScopeKind.COMPOUND}),
    Role.BUILDING_HEAD: frozenset({ScopeKind.COMPOUND}),
    Role.COMMUNITY_WORKER: frozenset({ScopeKind.COMMUNITY}),
    Role.MEDIATOR: frozenset({ScopeKind.COMMUNITY, ScopeKind.STREET}),
    Role.FIRM_STAFF: frozenset({ScopeKind.FIRM}),
    Role.SOCIAL_ORG_STAFF: frozenset({ScopeKind.ORGANISATION}),
    Role.STREET_ADMIN: frozenset({ScopeKind.STREET}),
    Role.CITY_ADMIN: frozenset({ScopeKind.CITY}),
    Role.PLATFORM_ADMIN: frozenset({ScopeKind.CITY}),
}


@dataclass(frozen=True)
class Principal:
    city: str
    role: Role
    scope: Scope = CITY_WIDE
    subject: str | None = None

    @property
    def authenticated(self) -> bool:
        return self.role is not Role.ANONYMOUS

    @classmethod
    def anonymous(cls, city: str) -> Principal:
        return cls(city=city, role=Role.ANONYMOUS)


def mint_token(
    city: str,
    role: Role,
    scope: Scope = CITY_WIDE,
    subject: str | None = None,
    ttl_seconds: int | None = None,
) -> str:
    """A development token signed with the configured HS256 secret."""
    if scope.kind not in ROLE_SCOPES[role]:
        allowed = ", ".join(sorted(k.value for k in ROLE_SCOPES[role]))
        raise ValueError(f"role {role.value} acts within scope {allowed}, not {scope.kind.value}")
    settings = get_settings()
    if not settings.jwt_secret:
        raise ValueError("no HS256 secret is configured (CIVICGRAPH_JWT_SECRET)")
    now = int(time.time())
    ttl = ttl_seconds if ttl_seconds is not None else settings.token_ttl_minutes * 60
    if ttl > settings.max_token_ttl_minutes * 60:
        raise ValueError(f"a token lives at most {settings.max_token_ttl_minutes} minutes")
    claims = {
        "iss": settings.jwt_issuer,
        "sub": subject or f"{role.value.lower()}@{city}",
        "city": city,
        "role": role.value,
        "scope": str(scope),
        "iat": now,
        "exp": now + ttl,
    }
    return jwt.encode(claims, settings.jwt_secret, algorithm="HS256")


def principal_from_token(token: str, city: str) -> Principal:
    """Verify an HS256 bearer token for `city`; AuthError with a code saying why it is refused."""
    return _principal(_decode_hs256(token), city)


# Verified tokens: a frontend sends the same token with every request, and checking its
# signature costs ~0.2 ms, as much as a compiled read. A hit still honours the token's
# expiry; an entry is re-verified after VERIFIED_SECONDS so that a key withdrawn from the
# JWKS stops working within that time, as it would once the key set's cache expires. An
# entry holds the settings it was verified under: new settings (secret, provider) miss.
VERIFIED_SECONDS = 60.0
VERIFIED_MAX = 4096
_verified: dict[tuple[str, str], tuple[Principal, float, float, object]] = {}


async def authenticate(token: str, city: str) -> Principal:
    """Verify a bearer token signed with our HS256 secret or by the configured JWKS provider."""
    now = time.time()
    settings = get_settings()
    hit = _verified.get((token, city))
    if hit is not None:
        principal, expires, checked, verified_under = hit
        if now < expires and now - checked < VERIFIED_SECONDS and verified_under is settings:
            return principal
        del _verified[(token, city)]  # expired, due for a fresh check, or settings changed
    principal, expires = await _verify(token, city)
    if len(_verified) >= VERIFIED_MAX:
        _verified.clear()  # bounded; refilled by the next requests
    _verified[(token, city)] = (principal, expires, now, settings)
    return principal


async def _verify(token: str, city: str) -> tuple[Principal, float]:
    """The token's principal and its expiry (epoch seconds), or AuthError."""
    settings = get_settings()
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise AuthError("TOKEN_INVALID") from None
    algorithm = header.get("alg")
    if algorithm in ASYMMETRIC and settings.jwks_url:
        keys = key_set(settings.jwks_url, settings.limits.jwks_cache_seconds)
        public_key = await keys.key(header.get("kid"))
        # Only the algorithm the header names, and only asymmetric ones: a token cannot
        # talk us into checking an HMAC against the public key.
        claims = _decode(token, public_key, [algorithm])
    else:
        claims = _decode_hs256(token)
    return _principal(claims, city), float(claims["exp"])


def _decode_hs256(token: str) -> dict[str, Any]:
    secret = get_settings().jwt_secret
    if not secret:
        # Production with only an identity provider: HS256 is off. An empty key would
        # verify a token anyone can sign.
        raise AuthError("TOKEN_INVALID")
    return _decode(token, secret, ["HS256"])


def _decode(token: str, key: Any, algorithms: list[str]) -> dict[str, Any]:
    settings = get_settings()
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=algorithms,
            issuer=settings.jwt_issuer,
            # The expiry is checked below, once its type is: PyJWT takes "123" and true.
            options={"require": ["exp", "sub", "city", "role"], "verify_exp": False},
        )
    except jwt.PyJWTError:
        raise AuthError("TOKEN_INVALID") from None
    _check_claims(claims, settings.max_token_ttl_minutes * 60)
    return claims


# Claims and the JSON types they must have; a validly signed token may still carry anything.
_TEXT_CLAIMS = ("sub", "city", "role", "scope")
_TIME_CLAIMS = ("exp", "iat", "nbf")
# Clock skew allowed between the signer and us when checking a token's lifetime.
_LEEWAY_SECONDS = 60


def _is_time(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value


def _check_claims(claims: dict[str, Any], max_ttl: int) -> None:
    """TOKEN_INVALID for a claim of the wrong type, or an expiry too far ahead."""
    for name in _TEXT_CLAIMS:
        if name in claims and not isinstance(claims[name], str):
            raise AuthError("TOKEN_INVALID")
    for name in _TIME_CLAIMS:
        if name in claims and not _is_time(claims[name]):
            raise AuthError("TOKEN_INVALID")
    expires, now = claims["exp"], time.time()
    if expires <= now:
        raise AuthError("TOKEN_EXPIRED")
    if expires - now > max_ttl + _LEEWAY_SECONDS:
        raise AuthError("TOKEN_INVALID")  # a lifetime longer than any token may have
    if "iat" in claims and expires - claims["iat"] > max_ttl:
        raise AuthError("TOKEN_INVALID")


def _principal(claims: dict[str, Any], city: str) -> Principal:
    if claims["city"] != city:
        raise AuthError("TOKEN_WRONG_CITY")
    try:
        role = Role(claims["role"])
        scope = Scope.parse(claims.get("scope", "city"))
    except ValueError:
        raise AuthError("TOKEN_INVALID") from None
    if role is Role.ANONYMOUS or scope.kind not in ROLE_SCOPES[role]:
        raise AuthError("TOKEN_INVALID")
    return Principal(city=city, role=role, scope=scope, subject=str(claims["sub"]))
