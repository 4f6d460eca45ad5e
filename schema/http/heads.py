"""A deadline for a request's head: uvicorn's HTTP/1.1 protocol (h11) has none.

uvicorn caps an incomplete head at 16 KiB and closes a kept-alive connection that stays
silent for `timeout_keep_alive` seconds, but a head that keeps arriving, a byte every few
seconds, holds its connection for as long as the client likes, on a new connection and on a
kept-alive one alike (issue 17, finding 8). `HeadDeadline` gives each request's head
`seconds` from the moment it may begin (the connection opened, or the previous response
ended) to its last header line; a head still incomplete then is answered 408 and the
connection closed (a connection on which not a byte of a new head arrived is closed without
an answer: there is no request to answer). Once the head is in, the body has its own
deadline, `ReadDeadline` in schema/http/guard.py.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

import h11
import orjson
from uvicorn.protocols.http.h11_impl import H11Protocol

from core.infra.i18n import language, message
from core.infra.settings import get_settings

# The head is kept only to find its Accept-Language if it is refused; h11 refuses a head
# longer than this anyway (uvicorn's DEFAULT_MAX_INCOMPLETE_EVENT_SIZE).
_HEAD_KEPT = 16 * 1024
_ACCEPT_LANGUAGE = re.compile(rb"\r\naccept-language:[ \t]*([^\r\n]*)\r\n", re.IGNORECASE)


class HeadDeadline(H11Protocol):
    """H11Protocol whose request heads must be complete within `head_seconds` (default: the
    settings' `[api] header_timeout_seconds`, so `uvicorn --http schema.http.heads:HeadDeadline`
    works too)."""

    def __init__(self, *args: Any, head_seconds: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if head_seconds is None:
            head_seconds = get_settings().limits.header_timeout_seconds
        self.head_seconds = head_seconds
        self._head_timer: asyncio.TimerHandle | None = None
        self._head = bytearray()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self._head_timer is not None:
            self._head += data[: max(0, _HEAD_KEPT - len(self._head))]
        super().data_received(data)
        self._disarm_if_head_in()

    def on_response_complete(self) -> None:
        self._arm()  # the next head is due from now; a pipelined one may already be here
        super().on_response_complete()
        self._disarm_if_head_in()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        if self.head_seconds > 0:
            self._head_timer = self.loop.call_later(self.head_seconds, self._head_late)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        self._head.clear()

    def _disarm_if_head_in(self) -> None:
        # h11 leaves IDLE for the client as soon as it has parsed a whole request head.
        if self.conn.their_state is not h11.IDLE:
            self._disarm()

    def _head_late(self) -> None:
        self._head_timer = None
        if self.transport.is_closing() or self.conn.their_state is not h11.IDLE:
            return
        if self._head and self.conn.our_state is h11.IDLE:
            self.transport.write(self._refusal())
        self._head.clear()
        self.transport.close()

    def _refusal(self) -> bytes:
        found = _ACCEPT_LANGUAGE.search(b"\r\n" + bytes(self._head))
        lang = language(found.group(1).decode("latin-1") if found else None)
        body = orjson.dumps(
            {
                "errors": [
                    {
                        "message": message("HEAD_TIMEOUT", lang, limit=self.head_seconds),
                        "extensions": {"code": "REQUEST_TIMEOUT", "limit": self.head_seconds},
                    }
                ]
            }
        )
        head = (
            "HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
        )
        return head.encode("ascii") + body
