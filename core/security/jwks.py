"""Public keys of an external identity provider (a JWKS URL), cached and refreshed.

Keys are fetched once and kept for `jwks_cache_seconds`; a token signed with a key id the
cache does not know triggers one refresh (the provider rotated its keys), but at most one per
`_MIN_REFRESH_SECONDS`, so tokens with made-up key ids cannot make us hammer the provider.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
from typing import Any

import jwt

from core.infra.errors import AuthError

# Algorithms an external provider may sign with; HS256 stays with our own secret.
ASYMMETRIC = ("RS256", "ES256")
_MIN_REFRESH_SECONDS = 10.0
_FETCH_TIMEOUT_SECONDS = 3.0


class KeySet:
    """The signing keys published at one JWKS URL, by key id."""

    def __init__(self, url: str, cache_seconds: float) -> None:
        self.url = url
        self.cache_seconds = cache_seconds
        self._keys: dict[str | None, Any] = {}  # by kid; a key without one under None
        self._fetched_at = float("-inf")
        self._lock = asyncio.Lock()
        self.fetches = 0  # how often the provider was asked (visible to tests and logs)

    async def key(self, kid: str | None) -> Any:
        """The public key for `kid`; AuthError TOKEN_INVALID when the provider has none."""
        now = time.monotonic()
        stale = now - self._fetched_at > self.cache_seconds
        unknown = kid not in self._keys and now - self._fetched_at > _MIN_REFRESH_SECONDS
        if stale or unknown:
            async with self._lock:
                # Another request may have refreshed while this one waited.
                if self._fetched_at < now:
                    await self._refresh()
        if kid is None and len(self._keys) == 1:
            return next(iter(self._keys.values()))
        try:
            return self._keys[kid]
        except KeyError:
            raise AuthError("TOKEN_INVALID") from None

    async def _refresh(self) -> None:
        try:
            raw = await asyncio.to_thread(self._download)
            key_set = jwt.PyJWKSet.from_dict(raw)
        except (OSError, ValueError, jwt.PyJWTError):
            if not self._keys:
                raise AuthError("JWKS_UNAVAILABLE") from None
            return  # keep serving the keys we have; the provider may be back next time
        finally:
            self._fetched_at = time.monotonic()
            self.fetches += 1
        self._keys = {k.key_id: k.key for k in key_set.keys}

    def _download(self) -> dict[str, Any]:
        request = urllib.request.Request(self.url, headers={"Accept": "application/json"})
        with urllib.request.urlopen(request, timeout=_FETCH_TIMEOUT_SECONDS) as response:
            data: dict[str, Any] = json.load(response)
        return data


_key_sets: dict[str, KeySet] = {}


def key_set(url: str, cache_seconds: float) -> KeySet:
    """One cache per URL for the process."""
    found = _key_sets.get(url)
    if found is None:
        found = _key_sets[url] = KeySet(url, cache_seconds)
    return found
