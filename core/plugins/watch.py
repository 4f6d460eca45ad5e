"""Tells this process when any city's plugin configuration changes, so it may cache it.

Every request needs its city's enabled plugins and their settings. Reading them costs one
statement per request, as much as the whole compiled read it precedes, so each process keeps
them in memory (core/plugins/config.py) for as long as it is sure to hear of a change:

- On PostgreSQL a trigger on plugin_configurations (migration 0011) sends a NOTIFY on
  CHANNEL for every insert, update, delete or truncate, from the API, the CLI or psql alike.
  The notification is delivered when the writing transaction commits, to every process
  LISTENing. This module keeps one dedicated asyncpg connection LISTENing per process.
- While that connection is down (not yet connected, killed, the server restarting) the cache
  is not used at all: every request reads the database, as it would with no cache. A lost
  connection is retried every RETRY_SECONDS, and the cache starts empty once it is back,
  since changes made meanwhile were not heard.
- On SQLite nothing watches: there is no cross-process signal, so every request reads.

`generation` grows on every change heard and on every loss of the connection; a reader
stores what it read only if the generation did not move while it read (core/plugins/config.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import asyncpg

from core.infra.connection import dialect, listen_parameters

CHANNEL = "civicgraph_plugin_config"
RETRY_SECONDS = 1.0
log = logging.getLogger("civicgraph.config_watch")


class ConfigWatch:
    def __init__(self) -> None:
        self.generation = 0
        self._connection: asyncpg.Connection | None = None
        self._lost = asyncio.Event()

    @property
    def live(self) -> bool:
        """True while a change anywhere is sure to be heard: caching is safe."""
        conn = self._connection
        return conn is not None and not conn.is_closed()

    def changed(self) -> None:
        """Forget everything cached (a change was heard, or made by this process)."""
        self.generation += 1

    def _on_notify(self, conn: Any, pid: int, channel: str, payload: str) -> None:
        self.changed()

    def _on_lost(self, conn: Any) -> None:
        if self._connection is conn:
            log.warning("lost the plugin configuration LISTEN connection; reading per request")
            self._connection = None
            self.changed()
            self._lost.set()

    async def _connect(self) -> None:
        conn = await asyncpg.connect(**listen_parameters())
        try:
            conn.add_termination_listener(self._on_lost)
            await conn.add_listener(CHANNEL, self._on_notify)
        except BaseException:
            # Kept half set up, it would pass for live and hear nothing (core/cases/live.py too).
            conn.remove_termination_listener(self._on_lost)
            conn.terminate()
            raise
        self._lost.clear()
        # Changes committed before LISTEN took effect were not heard: start empty.
        self.changed()
        self._connection = conn

    async def run(self) -> None:
        """Keep a LISTEN connection up until cancelled (runs for the app's lifetime)."""
        while True:
            try:
                await self._connect()
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as e:
                log.warning("plugin configuration watch cannot connect (%s); retrying", e)
                await asyncio.sleep(RETRY_SECONDS)
                continue
            await self._lost.wait()
            await asyncio.sleep(RETRY_SECONDS)

    async def close(self) -> None:
        conn, self._connection = self._connection, None
        self.changed()
        if conn is not None and not conn.is_closed():
            await conn.close()

    def backend_pid(self) -> int | None:
        """The LISTEN connection's server process (tests terminate it to prove recovery)."""
        conn = self._connection
        return conn.get_server_pid() if conn is not None else None


watch = ConfigWatch()


_users = 0  # apps in this process using the watch (tests run several at once)
_task: asyncio.Task[None] | None = None


@contextlib.asynccontextmanager
async def watching() -> AsyncIterator[ConfigWatch]:
    """For the app's lifetime: watch for configuration changes (PostgreSQL only)."""
    global _users, _task
    if dialect() != "postgres":
        yield watch
        return
    _users += 1
    if _task is None:
        _task = asyncio.create_task(watch.run(), name="civicgraph-config-watch")
    try:
        yield watch
    finally:
        _users -= 1
        if _users == 0 and _task is not None:
            task, _task = _task, None
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await watch.close()
