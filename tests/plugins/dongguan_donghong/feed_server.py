"""A fake of Donghong's project service speaking real HTTP on 127.0.0.1 (a third party's
remote service: the only thing the tests fake)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKEN = "dh-test-token"


class FeedServer:
    def __init__(self) -> None:
        self.status = 200
        self.body: bytes = b"{}"
        self.seen_auth: list[str | None] = []
        self.url = ""
        self.delay = 0.0  # seconds before answering

    def serve(self, feed: dict[str, Any] | None = None, *, status: int = 200, raw: bytes = b""):
        self.status = status
        self.body = raw or json.dumps(feed, ensure_ascii=False).encode()


@contextmanager
def feed_server() -> Iterator[FeedServer]:
    state = FeedServer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            auth = self.headers.get("Authorization")
            state.seen_auth.append(auth)
            status, body = state.status, state.body
            time.sleep(state.delay)
            if auth != f"Bearer {TOKEN}":
                status, body = 401, b'{"error": "unauthorised"}'
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    class Server(ThreadingHTTPServer):
        def handle_error(self, request: Any, client_address: Any) -> None:
            pass  # a client that gave up (the timeout test) breaks the pipe: expected

    server = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/api/projects"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def closed_port_url() -> str:
    """A URL on 127.0.0.1 nobody listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/api/projects"
