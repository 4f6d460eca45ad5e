"""The PostgreSQL client that tells the database which city each connection serves.

Row-level security (core/security/rls.py) lets a statement see only rows whose city_id equals the
session setting `civicgraph.city`. Tortoise's asyncpg pool hands out a connection per query
outside transactions and GraphQL resolvers run concurrently, so the city cannot be set once
per request: it is set whenever a connection is handed out (for a query or a transaction),
and only when that connection last served another city, so a request costs one extra
round trip per connection that switches city, none otherwise. With no city in scope
(migrations, CLI admin work) the setting is '', and city-owned tables read as empty.

A connection whose backend was terminated while it sat idle in the pool (pg_terminate_backend,
a failover, a server restart) is discarded and the work goes to another connection, as long
as nothing was sent on it; see `refused_unsent()`.

tortoise_config() in core/infra/db.py registers this module as the engine for PostgreSQL URLs.
"""

from __future__ import annotations

import logging
from itertools import count
from typing import Any

import asyncpg
from tortoise.backends.asyncpg.client import AsyncpgDBClient, TransactionWrapper
from tortoise.backends.base.client import (
    TransactionalDBClient,
    TransactionContext,
    TransactionContextPooled,
)
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.connection import get_connections

from core.infra.settings import get_settings
from core.infra.tenancy import city_in_scope
from core.security.rls import CITY_SETTING

log = logging.getLogger("civicgraph.pgclient")
_SET_CITY = f"SELECT set_config('{CITY_SETTING}', $1, false)"
_REFUSED = "cannot switch to state"


def refused_unsent(error: BaseException) -> bool:
    """Whether asyncpg refused to start a statement on a connection whose backend had ended.

    A terminated backend sends an ErrorResponse (57P01) and then closes the socket. asyncpg
    (0.32) has no handler for a message that arrives while a connection is idle: its protocol
    starts discarding input until a ReadyForQuery that never comes, yet the connection counts
    as open until the EOF is read, so the pool hands it out. The next statement is refused
    locally ("cannot switch to state 11; another operation (2) is in progress"), before
    anything is sent, and asyncpg aborts the connection. Nothing ran: it can run elsewhere.
    """
    return isinstance(error, asyncpg.InternalClientError) and str(error).startswith(_REFUSED)


class CityConnection(asyncpg.connection.Connection):
    """An asyncpg connection that remembers which city it was last told to serve."""

    __slots__ = ("civicgraph_city",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.civicgraph_city: str | None = None  # unknown: set it before first use

    async def serve_city(self, city: str) -> bool:
        """Point the session at `city` unless it already is; True when it changed."""
        if self.civicgraph_city == city:
            return False
        # Outside any transaction (the pool hands out idle connections), so it sticks.
        self.civicgraph_city = None  # if this fails, the next acquirer sets it again
        await self.fetchval(_SET_CITY, city)
        self.civicgraph_city = city
        return True

    def get_reset_query(self) -> str:
        # asyncpg's pool sends a reset (UNLISTEN *, RESET ALL, ...) on every release: a
        # second round trip for every pooled statement, and RESET ALL would clear the city.
        # Pooled connections hold no session state to reset: the city is meant to stay,
        # nothing LISTENs on them (core/cases/live.py has its own connection), no advisory locks,
        # no cursors outside transactions, and asyncpg rolls back an open transaction on
        # release whatever this returns.
        return ""


class CityPool:
    """asyncpg's pool, except that every connection it hands out serves the city in scope."""

    switches = 0  # how many times a connection changed city (measured in tests and docs)

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pool, name)

    async def acquire(self, *, timeout: float | None = None) -> Any:  # noqa: ASYNC109 (asyncpg's)
        # The pool's connections are CityConnections (CityScopedClient.connection_class), which
        # asyncpg's stubs cannot know: the proxy forwards to one.
        proxy: Any = await self._pool.acquire(timeout=timeout)
        try:
            if await proxy.serve_city(city_in_scope() or ""):
                CityPool.switches += 1
        except BaseException:
            await self.release(proxy)
            raise
        return proxy

    async def release(self, proxy: Any, *, timeout: float | None = None) -> None:  # noqa: ASYNC109
        connection = proxy._con  # the proxy forgets its connection once released
        try:
            await self._pool.release(proxy, timeout=timeout)
        except Exception as error:
            # The reset statement failed, so asyncpg terminated the connection: its backend died
            # after the caller's last statement. That work stands (a COMMIT included), and
            # raising here would report a committed mutation as failed.
            if connection is None or not connection.is_closed():
                raise
            log.info("discarded a connection whose reset failed: %r", error)


class CityTransaction(TransactionContextPooled):
    """Tortoise's pooled transaction, except that a failed BEGIN gives its connection back.

    Tortoise's own __aenter__ keeps the connection checked out when BEGIN fails, so the pool
    loses it for good (a request waiting for it hangs), and leaves the task's connection
    pointing at the dead transaction. A BEGIN refused unsent is tried on another connection.
    """

    async def __aenter__(self) -> TransactionalDBClient:
        await self.ensure_connection()
        pool = self.client._parent._pool
        for attempt in count(1):
            self.client._connection = await pool.acquire()
            try:
                await self.client.begin()
            except BaseException as error:
                await pool.release(self.client._connection)
                if not _worth_another_try(error, attempt, pool):
                    raise
                log.info("BEGIN was refused on a dead connection; trying another")
                continue
            self.token = get_connections().set(self.connection_name, self.client)
            return self.client
        raise AssertionError("unreachable")


class CityScopedClient(AsyncpgDBClient):
    # Tortoise's default (`asyncpg.connection.Connection`, unparametrised) makes mypy read the
    # attribute as `type[Connection[_Record]]`, which no subclass matches.
    connection_class = CityConnection  # type: ignore[assignment]

    async def create_pool(self, **kwargs: Any) -> Any:
        tuned = dict(get_settings().postgres_settings)  # [database.postgres] in the config
        kwargs["server_settings"] = {**tuned, **(kwargs.get("server_settings") or {})}
        return CityPool(await super().create_pool(**kwargs))

    async def _translate_exceptions(self, func: Any, *args: Any, **kwargs: Any) -> Any:
        # Every statement outside a transaction passes here, each acquiring its own connection.
        # One refused unsent changed nothing (in execute_many, a refused COMMIT finds the
        # transaction already gone with its backend), so it runs again on another connection.
        for attempt in count(1):
            try:
                return await super()._translate_exceptions(func, *args, **kwargs)
            except asyncpg.InternalClientError as error:
                if not _worth_another_try(error, attempt, self._pool):
                    raise
                log.info("a statement was refused on a dead connection; trying another")
        raise AssertionError("unreachable")

    def _in_transaction(self) -> TransactionContext:
        return CityTransaction(TransactionWrapper(self), self._pool_init_lock)


def _worth_another_try(error: BaseException, attempt: int, pool: Any) -> bool:
    """Refused unsent, with tries left: enough to pass every pooled connection killed at once
    and reach a new one."""
    return refused_unsent(error) and pool is not None and attempt <= pool.get_max_size()


client_class = CityScopedClient


def connection_config(url: str) -> str | dict[str, Any]:
    """Tortoise's connection entry for `url`: this client for PostgreSQL, as-is otherwise."""
    if not url.startswith(("postgres://", "postgresql://", "asyncpg://")):
        return url
    config = expand_db_url(url)
    config["engine"] = __name__
    return config
