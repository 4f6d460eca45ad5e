"""What the HTTP layer refuses before GraphQL sees a request: floods, huge bodies, batches.

The rate limiter is a token bucket per caller, kept in this process's memory: with several
server processes each keeps its own buckets (docs/security.md says so).
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from dataclasses import dataclass

from starlette.types import Message, Receive, Scope

from core.security.auth import Principal

# Callers tracked at once; the least recently seen are forgotten first (a full bucket again).
_MAX_CALLERS = 100_000


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Token buckets per caller: `burst` requests at once, refilled at `rate` per second."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def take(self, caller: str) -> float:
        """Spend one token: 0.0 if allowed, else the seconds until the next token."""
        if self.rate <= 0:
            return 0.0  # rate limiting off
        now = time.monotonic()
        bucket = self._buckets.pop(caller, None) or _Bucket(float(self.burst), now)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        self._buckets[caller] = bucket
        if len(self._buckets) > _MAX_CALLERS:
            self._buckets.popitem(last=False)
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / self.rate


def caller_key(principal: Principal, scope: Scope) -> str:
    """Who a bucket belongs to: the token's subject, or the client address when anonymous."""
    if principal.authenticated and principal.subject:
        return f"{principal.city}:sub:{principal.subject}"
    client = scope.get("client")
    return f"ip:{client[0] if client else 'unknown'}"


def retry_after(seconds: float) -> str:
    return str(max(1, math.ceil(seconds)))


class BodyTooLarge(Exception):
    pass


async def read_body(receive: Receive, limit: int) -> bytes:
    """The whole request body, refusing it as soon as it passes `limit` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break  # the client went away; what we have is all there is
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands out the already-read body, then defers to the real one."""
    sent = False

    async def again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again


def is_batch(body: bytes) -> bool:
    """A JSON array body: several operations in one request."""
    return body.lstrip()[:1] == b"["
