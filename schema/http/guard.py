"""What the HTTP layer refuses before GraphQL sees a request: floods, huge bodies, slow
bodies, batches.

The rate limiter is a token bucket per caller, kept in this process's memory: with several
server processes each keeps its own buckets (docs/security.md says so).
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import OrderedDict
from dataclasses import dataclass

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.infra.i18n import language, message
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
    return address_key(scope)


def address_key(scope: Scope) -> str:
    """The bucket of the client address: anonymous callers and refused tokens.

    The address is the connection's peer unless a proxy listed in `[api] trusted_proxies`
    forwarded the request (schema/http/serving.py); a forged X-Forwarded-For changes nothing.
    """
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


class _BodyLate(Exception):
    pass


class ReadDeadline:
    """Answers 408 to a request whose body has not all arrived `seconds` after it began.

    uvicorn times out idle keep-alive connections but not a body trickled a byte at a time;
    without this such a request holds its connection and its task for as long as the client
    likes. The deadline covers the whole body, however it is split; once the body is in, the
    app's later `receive` calls (waiting for a disconnect) are left alone.
    """

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.seconds <= 0:
            await self.app(scope, receive, send)
            return
        deadline = asyncio.get_running_loop().time() + self.seconds
        body_in = started = False

        async def receive_in_time() -> Message:
            nonlocal body_in
            if body_in:
                return await receive()
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                raise _BodyLate from None
            body_in = message["type"] != "http.request" or not message.get("more_body", False)
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            started = True
            await send(message)

        try:
            await self.app(scope, receive_in_time, tracked_send)
        except _BodyLate:
            if not started:
                await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers") or [])
        lang = language(headers.get(b"accept-language", b"").decode("latin-1"))
        extensions = {"code": "REQUEST_TIMEOUT", "limit": self.seconds}
        text = message("REQUEST_TIMEOUT", lang, limit=self.seconds)
        response = JSONResponse(
            {"errors": [{"message": text, "extensions": extensions}]},
            status_code=408,
            headers={"Connection": "close"},  # the rest of the body is not read
        )
        await response(scope, receive, send)
