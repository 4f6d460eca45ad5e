"""Deployment settings: config/civicgraph.toml, overridden by CIVICGRAPH_* environment variables."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from functools import cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class ApiLimits:
    """What one request may ask for: see [api] in config/civicgraph.toml and docs/security.md."""

    max_body_bytes: int = 100_000
    max_tokens: int = 2_000
    max_depth: int = 12
    max_aliases: int = 30
    max_nodes: int = 20_000
    max_selections: int = 100  # written in one selection set
    max_fields: int = 1_000  # fragments expanded where spread
    max_merge_checks: int = 1_000  # same-named field pairs validation compares
    # Lists without `first` (e.g. Street.communities) count as this many nodes.
    list_size_estimate: int = 20
    timeout_seconds: float = 10.0
    rate_per_second: float = 10.0  # per caller, token bucket refill
    rate_burst: int = 60
    read_timeout_seconds: float = 10.0  # for a request's body, from the request's start
    # For a request's head, from the connection's opening or the previous response's end.
    header_timeout_seconds: float = 10.0
    max_socket_operations: int = 10  # in flight on one WebSocket
    # Proxies whose X-Forwarded-For / -Proto is believed (uvicorn's forwarded_allow_ips
    # syntax: addresses or networks, comma-separated); empty: none, the peer is the client.
    trusted_proxies: str = ""
    jwks_cache_seconds: int = 300


@dataclass(frozen=True)
class Cors:
    """Which other origins' pages may call the API: [api] cors_* in config/civicgraph.toml,
    [cors] in a city's TOML (docs/api.md). No origins: CORS off, browsers refuse."""

    origins: tuple[str, ...] = ()
    methods: tuple[str, ...] = ("GET", "POST")
    headers: tuple[str, ...] = (
        "Authorization",
        "Content-Type",
        "Accept",
        "Accept-Language",
        "Idempotency-Key",
    )
    max_age: int = 600  # seconds a browser may keep a preflight's answer

    @classmethod
    def from_table(cls, raw: dict[str, object], prefix: str = "", base: Cors | None = None) -> Cors:
        """From `raw`'s `<prefix>origins`, ... keys; a key not given keeps `base`'s value."""
        base = base or cls()
        max_age = raw.get(prefix + "max_age", base.max_age)
        if not isinstance(max_age, int):
            raise ValueError(f"{prefix}max_age must be a number of seconds")
        return cls(
            origins=_strings(raw, prefix + "origins", base.origins),
            methods=tuple(m.upper() for m in _strings(raw, prefix + "methods", base.methods)),
            headers=_strings(raw, prefix + "headers", base.headers),
            max_age=max_age,
        )


def _strings(raw: dict[str, object], key: str, default: tuple[str, ...]) -> tuple[str, ...]:
    value = raw.get(key, default)
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{key} must be a list of strings")
    return tuple(value)


@dataclass(frozen=True)
class Responses:
    """How /graphql answers go on the wire: [responses] in config/civicgraph.toml, docs/api.md."""

    # Smaller answers go uncompressed: below ~1 KB a compressed body saves less than a
    # packet and costs the codec's time and headers.
    compress_min_bytes: int = 1024
    # Seconds a browser or shared cache may keep an anonymous caller's GET answer.
    public_max_age: int = 10


@dataclass(frozen=True)
class Documents:
    """Persisted documents (docs/api.md): [api] persisted_* in config/civicgraph.toml, a
    city's [documents] table over them. APQ registrations are anonymous writes, hence bounded."""

    trusted_only: bool = False  # run only documents pushed with `civicgraph documents push`
    apq: bool = True  # may clients register documents (Automatic Persisted Queries)?
    apq_max_documents: int = 1_000  # per city; past it the oldest APQ documents are evicted
    apq_max_bytes: int = 20_000  # the longest document APQ stores (UTF-8 bytes)

    @classmethod
    def from_table(
        cls, raw: dict[str, object], prefix: str = "", base: Documents | None = None
    ) -> Documents:
        """From `raw`'s `<prefix>trusted_only`, ... keys; a key not given keeps `base`'s value."""
        base = base or cls()
        values: dict[str, object] = {}
        for f in fields(cls):
            value = raw.get(prefix + f.name, getattr(base, f.name))
            if isinstance(getattr(base, f.name), bool):
                if not isinstance(value, bool):
                    raise ValueError(f"{prefix}{f.name} must be true or false")
            elif isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{prefix}{f.name} must be a positive whole number")
            values[f.name] = value
        return cls(**values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class DatabaseTimeouts:
    """Bounds that turn a database outage into a quick error instead of a hang."""

    connect_timeout: float = 3.0
    command_timeout: float = 30.0


def _section(cls: type, raw: dict[str, object]) -> object:
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in raw.items() if k in names})


PROFILES = ("development", "production")


class SettingsError(RuntimeError):
    """The deployment settings are unusable: the server refuses to start (docs/security.md)."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    # The HS256 secret; "" in production without CIVICGRAPH_JWT_SECRET (HS256 then refused:
    # the development secret is never used in production, whatever else is configured).
    jwt_secret: str
    jwt_issuer: str
    token_ttl_minutes: int
    max_page_size: int
    default_page_size: int
    profile: str  # "development" or "production"
    config_dir: Path
    # An external identity provider's key set (RS256/ES256); None: HS256 tokens only.
    jwks_url: str | None = None
    jwt_secret_is_dev: bool = False  # the checked-in secret: refused in production
    jwt_dev_secret: str = ""  # that secret, so that no other secret may equal it
    # No token is accepted whose expiry lies further ahead than this, whoever signed it.
    max_token_ttl_minutes: int = 1440
    limits: ApiLimits = field(default_factory=lambda: ApiLimits())
    database: DatabaseTimeouts = field(default_factory=lambda: DatabaseTimeouts())
    cors: Cors = field(default_factory=lambda: Cors())
    responses: Responses = field(default_factory=lambda: Responses())
    documents: Documents = field(default_factory=lambda: Documents())
    # PostgreSQL settings for every pooled connection ([database.postgres] in the TOML).
    postgres_settings: tuple[tuple[str, str], ...] = ()

    @property
    def is_production(self) -> bool:
        return self.profile == "production"


def _sqlite_url_absolute(url: str) -> str:
    # A relative SQLite path in the config means "relative to the project", not to
    # whatever directory the command happens to run from.
    prefix = "sqlite://"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
        path = PROJECT_ROOT / url[len(prefix) :]
        path.parent.mkdir(parents=True, exist_ok=True)
        return prefix + str(path)
    return url


def _profile() -> str:
    profile = os.environ.get("CIVICGRAPH_PROFILE", "development")
    if profile not in PROFILES:
        # "Production" must not quietly mean development: an unknown profile stops the process.
        raise SettingsError(f"CIVICGRAPH_PROFILE={profile!r}: use one of {', '.join(PROFILES)}")
    return profile


@cache
def get_settings() -> Settings:
    config_dir = Path(os.environ.get("CIVICGRAPH_CONFIG_DIR", PROJECT_ROOT / "config"))
    with open(config_dir / "civicgraph.toml", "rb") as f:
        raw = tomllib.load(f)
    profile = _profile()
    dev_secret = str(raw["auth"]["dev_secret"])
    secret = os.environ.get("CIVICGRAPH_JWT_SECRET", "")
    if not secret and profile == "development":
        secret = dev_secret  # the public development secret, for development only
    token_ttl = int(raw["auth"]["token_ttl_minutes"])
    max_ttl = int(raw["auth"].get("max_token_ttl_minutes", 1440))
    if not 0 < token_ttl <= max_ttl:
        raise SettingsError(f"[auth] token_ttl_minutes must be 1..{max_ttl}, not {token_ttl}")
    return Settings(
        database_url=_sqlite_url_absolute(
            os.environ.get("CIVICGRAPH_DATABASE_URL") or raw["database"]["url"]
        ),
        jwt_secret=secret,
        jwt_issuer=raw["auth"]["issuer"],
        token_ttl_minutes=token_ttl,
        max_token_ttl_minutes=max_ttl,
        max_page_size=int(raw["api"]["max_page_size"]),
        default_page_size=int(raw["api"]["default_page_size"]),
        profile=profile,
        config_dir=config_dir,
        jwt_secret_is_dev=secret == dev_secret,
        jwt_dev_secret=dev_secret,
        jwks_url=os.environ.get("CIVICGRAPH_JWKS_URL") or raw["auth"].get("jwks_url") or None,
        limits=_section(ApiLimits, raw["api"]),  # type: ignore[arg-type]
        database=_section(DatabaseTimeouts, raw["database"]),  # type: ignore[arg-type]
        cors=Cors.from_table(raw["api"], prefix="cors_"),
        responses=_section(Responses, raw.get("responses", {})),  # type: ignore[arg-type]
        documents=Documents.from_table(raw["api"], prefix="persisted_"),
        postgres_settings=tuple(
            (str(k), str(v)) for k, v in sorted(raw["database"].get("postgres", {}).items())
        ),
    )
