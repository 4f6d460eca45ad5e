"""What the production profile needs before it serves anyone (docs/security.md).

The development JWT secret and data key are public (config/civicgraph.toml, this
repository): a server running with either would accept anyone's tokens or decrypt with a
key everyone has. So production refuses to start unless each secret is set, long enough to
carry 256 bits, not a development value, and not the other secret.
"""

from __future__ import annotations

import os

from core.infra.settings import Settings, SettingsError, get_settings
from core.security.personal import DEV_DATA_KEY, DataKeyError, data_key_text

MIN_SECRET_BYTES = 32  # HS256: a key shorter than the hash's 256 bits weakens it
# A secret of one character repeated has the length but not the entropy; one from a secret
# store or `openssl rand -base64 48` has dozens of distinct characters.
MIN_DISTINCT_CHARACTERS = 12


def _weak(secret: str) -> bool:
    return len(secret.encode()) < MIN_SECRET_BYTES or len(set(secret)) < MIN_DISTINCT_CHARACTERS


def _jwt_problems(settings: Settings) -> list[str]:
    secret = settings.jwt_secret
    if not secret:
        if settings.jwks_url:
            return []  # tokens from the identity provider only; HS256 is refused
        return ["set CIVICGRAPH_JWT_SECRET (or CIVICGRAPH_JWKS_URL): no token could be verified"]
    if settings.jwt_secret_is_dev or secret == DEV_DATA_KEY:
        return ["CIVICGRAPH_JWT_SECRET is a development value, which is public"]
    if _weak(secret):
        return [
            f"CIVICGRAPH_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes with at least "
            f"{MIN_DISTINCT_CHARACTERS} distinct characters (e.g. openssl rand -base64 48)"
        ]
    return []


def _data_key_problems(settings: Settings) -> list[str]:
    if not os.environ.get("CIVICGRAPH_DATA_KEY"):
        return ["set CIVICGRAPH_DATA_KEY: the development data key is public"]
    try:
        key = data_key_text()
    except DataKeyError as e:
        return [str(e)]
    if key == settings.jwt_dev_secret:
        return ["CIVICGRAPH_DATA_KEY is a development value, which is public"]
    if key == settings.jwt_secret:
        return ["CIVICGRAPH_DATA_KEY must not be the JWT secret"]
    if _weak(key):
        return [
            f"CIVICGRAPH_DATA_KEY must have at least {MIN_DISTINCT_CHARACTERS} distinct characters"
        ]
    return []


def problems(settings: Settings | None = None) -> list[str]:
    """Why the production profile may not start with these settings (empty: it may)."""
    settings = settings or get_settings()
    if not settings.is_production:
        return []
    return _jwt_problems(settings) + _data_key_problems(settings)


def check(settings: Settings | None = None) -> None:
    """Refuse to start (SettingsError naming every problem) in a production profile that
    lacks a secret; nothing in development."""
    found = problems(settings)
    if found:
        raise SettingsError("production profile: " + "; ".join(found))
