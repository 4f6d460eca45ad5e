"""How a serving process runs: uvicorn on a socket bound here, and the collector's thresholds.

Run uvicorn on a listening socket bound here, so every worker keeps TCP_NODELAY.

`uvicorn --workers N` binds its shared socket with `socket.socket(family=...)`, whose protocol
number is 0, and asyncio sets TCP_NODELAY only on sockets whose protocol is IPPROTO_TCP: with
several workers, every response written in two parts (headers, then body) waited for the
client's delayed ACK, about 40 ms (measured: a 5 ms request took 48 ms). Binding the socket
with the protocol named, then handing it to uvicorn's own supervisor, avoids that for one
worker and for many alike.
"""

from __future__ import annotations

import functools
import gc
import logging
import socket
from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess

from core.infra.settings import ApiLimits, get_settings
from schema.http.heads import HeadDeadline

# A request on the resolver path allocates tens of thousands of objects (a page of 50 compounds
# resolves ~400 fields). With CPython's default thresholds (700, 10, 10) the compounds list ran
# 2.4 young, 0.22 middle and 0.02 full collections a request, each walking what the other
# requests in flight held; with these, 1, 0.09 and 0.01. Measured in-process, 8 requests at a
# time: 16.0-16.6 -> 13.9-14.7 ms of CPU a request (a case page: 4.05 -> 3.9 ms).
GC_THRESHOLDS = (50_000, 50, 100)


def tune_gc() -> None:
    """For a serving process (the app's lifespan calls it; the benchmark's servers too)."""
    gc.set_threshold(*GC_THRESHOLDS)


class NoQueryString(logging.Filter):
    """uvicorn's access log without the query string: a URL's parameters are the client's
    (a token, a name, an ID number), and the log keeps none of them (docs/privacy.md)."""

    def filter(self, record: logging.LogRecord) -> bool:
        # uvicorn logs '%s - "%s %s HTTP/%s" %d' with (client, method, path?query, ...).
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], args[2].partition("?")[0], *args[3:])
        return True


def quiet_access_log() -> None:
    """Install NoQueryString on uvicorn's access logger, once per process (the app does)."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, NoQueryString) for f in access.filters):
        access.addFilter(NoQueryString())


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to (host, port), inheritable by worker processes."""
    family, _, _, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
    )[0]
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(address)
    sock.set_inheritable(True)
    return sock


def config(
    app: Any,
    host: str,
    port: int,
    workers: int = 1,
    limits: ApiLimits | None = None,
    **options: Any,
) -> uvicorn.Config:
    """uvicorn's configuration for `app` (an ASGI app, or a "module:function" factory), with
    `limits` (default: the settings' `[api]`).

    uvicorn believes X-Forwarded-For from 127.0.0.1 unless told otherwise, so a client on the
    same host (or any client, behind a proxy that passes the header on) could name a new
    address with every request and get a fresh rate-limit bucket each time. Here only the
    proxies listed in `[api] trusted_proxies` are believed, none by default. A WebSocket
    message may be no larger than a request body. A request's head must arrive within
    `header_timeout_seconds` (schema/http/heads.py); the protocol is given as a partial of a
    module-level class, which uvicorn's worker processes can unpickle.
    """
    limits = limits or get_settings().limits
    proxies = limits.trusted_proxies.strip()
    trust = {"proxy_headers": True, "forwarded_allow_ips": proxies} if proxies else {}
    settings: dict[str, Any] = {
        "proxy_headers": False,
        "ws_max_size": limits.max_body_bytes,
        # uvicorn's supervisor kills a worker that does not answer its ping within 5 s, and a
        # worker still importing and building the cities' schemas on a busy machine (2 cores,
        # load ~10, seen here) misses it again and again: every worker restarted in a loop.
        "timeout_worker_healthcheck": 30,
        "http": functools.partial(HeadDeadline, head_seconds=limits.header_timeout_seconds),
        **trust,
        **options,
    }
    return uvicorn.Config(
        app, factory=isinstance(app, str), host=host, port=port, workers=workers, **settings
    )


def run(app: str, host: str, port: int, workers: int, **options: Any) -> None:
    """Serve the ASGI app factory `app` ("module:function") with `workers` processes."""
    settings = config(app, host, port, workers, **options)
    sock = listening_socket(host, port)
    if workers == 1:
        uvicorn.Server(settings).run(sockets=[sock])
    else:
        Multiprocess(settings, sockets=[sock]).run()
