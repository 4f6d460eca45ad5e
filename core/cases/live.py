"""Live case updates: announced with the change's transaction, delivered only on commit.

On PostgreSQL an update is a NOTIFY sent inside the transaction (PostgreSQL delivers it on
commit, to every process LISTENing on the channel); each server process keeps one dedicated
asyncpg connection LISTENing while it has subscribers. On SQLite there is one process, so
the update goes to this process's subscribers after the transaction commits.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass
from typing import Any

import asyncpg
from tortoise.transactions import in_transaction

from core.infra.connection import dialect, listen_parameters

CHANNEL = "civicgraph_case_updates"
QUEUE_SIZE = 1000
log = logging.getLogger("civicgraph.live")


@dataclass(frozen=True)
class CaseUpdate:
    city: str
    case_id: int
    compound_id: int
    version: int
    stage: str
    change: str  # FILED, ADVANCED, REOPENED, ESCALATED, UPDATED, RATED, MEETING, ...

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> CaseUpdate:
        return cls(**json.loads(text))


_pending: ContextVar[list[CaseUpdate] | None] = ContextVar("civicgraph_pending", default=None)


def announce(update: CaseUpdate) -> None:
    """Queue an update for the surrounding case_change() transaction."""
    pending = _pending.get()
    if pending is None:
        raise RuntimeError("announce() outside core.cases.live.case_change()")
    pending.append(update)


@asynccontextmanager
async def case_change() -> AsyncIterator[Any]:
    """A transaction whose announced case updates reach subscribers only if it commits."""
    pending: list[CaseUpdate] = []
    token = _pending.set(pending)
    postgres = dialect() == "postgres"
    try:
        async with in_transaction() as conn:
            yield conn
            if postgres:
                for update in pending:
                    await conn.execute_query(
                        "SELECT pg_notify($1, $2)", [CHANNEL, update.to_json()]
                    )
    finally:
        _pending.reset(token)
    if not postgres:
        for update in pending:
            hub.publish(update)


class Hub:
    """This process's subscribers, fed by LISTEN (PostgreSQL) or directly (SQLite).

    If the LISTEN connection is lost, every subscriber's queue gets None: its subscription
    ends (the client sees it complete and subscribes again) rather than going silently deaf.
    """

    def __init__(self) -> None:
        self._queues: set[asyncio.Queue[CaseUpdate | None]] = set()
        self._listener: asyncpg.Connection | None = None
        self._lock = asyncio.Lock()

    def publish(self, update: CaseUpdate) -> None:
        for queue in list(self._queues):
            # A stalled subscriber must not stall the others; one slot stays for the None
            # that ends a subscription when the LISTEN connection is lost.
            if queue.qsize() >= QUEUE_SIZE:
                log.warning("dropping a case update for a slow subscriber")
                continue
            queue.put_nowait(update)

    def _on_lost(self, conn: Any) -> None:
        log.warning("the LISTEN connection was lost; ending this process's subscriptions")
        if self._listener is conn:
            self._listener = None
        for queue in list(self._queues):
            queue.put_nowait(None)

    def _on_notify(self, conn: Any, pid: int, channel: str, payload: str) -> None:
        try:
            self.publish(CaseUpdate.from_json(payload))
        except (ValueError, TypeError):
            log.warning("ignoring a malformed notification on %s", channel)

    async def _listen(self) -> None:
        listener = await asyncpg.connect(**listen_parameters())
        try:
            listener.add_termination_listener(self._on_lost)
            await listener.add_listener(CHANNEL, self._on_notify)
        except BaseException:
            # Kept half set up, it would pass for the listener and hear nothing, for good.
            listener.remove_termination_listener(self._on_lost)
            listener.terminate()
            raise
        self._listener = listener

    async def _unlisten(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None and not listener.is_closed():
            await listener.close()

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator[asyncio.Queue[CaseUpdate | None]]:
        """A queue of every update in this process; LISTENing before it is handed out."""
        queue: asyncio.Queue[CaseUpdate | None] = asyncio.Queue(maxsize=QUEUE_SIZE + 1)
        async with self._lock:
            if dialect() == "postgres" and self._listener is None:
                await self._listen()
            self._queues.add(queue)
        try:
            yield queue
        finally:
            async with self._lock:
                self._queues.discard(queue)
                if not self._queues:
                    await self._unlisten()


hub = Hub()
