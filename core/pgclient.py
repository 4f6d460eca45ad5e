"""The PostgreSQL client that tells the database which city each connection serves.

Row-level security (core/rls.py) lets a statement see only rows whose city_id equals the
session setting `civicgraph.city`. Tortoise's asyncpg pool hands out a connection per query
outside transactions and GraphQL resolvers run concurrently, so the city cannot be set once
per request: it is set whenever a connection is handed out (for a query or a transaction),
and only when that connection last served another city, so a request costs one extra
round trip per connection that switches city, none otherwise. With no city in scope
(migrations, CLI admin work) the setting is '', and city-owned tables read as empty.

tortoise_config() in core/db.py registers this module as the engine for PostgreSQL URLs.
"""

from __future__ import annotations

import logging
from typing import Any

import asyncpg
from tortoise.backends.asyncpg.client import AsyncpgDBClient
from tortoise.backends.base.config_generator import expand_db_url

from core.rls import CITY_SETTING
from core.settings import get_settings
from core.tenancy import city_in_scope

log = logging.getLogger("civicgraph.pgclient")
_SET_CITY = f"SELECT set_config('{CITY_SETTING}', $1, false)"


class CityConnection(asyncpg.connection.Connection):  # type: ignore[misc]
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
        # The pool runs RESET ALL on release, which would clear the city and cost a round
        # trip on the next acquire; restore it within the same reset statement instead.
        reset = str(super().get_reset_query())
        if self.civicgraph_city is None:
            return reset
        quoted = self.civicgraph_city.replace("'", "''")
        return f"{reset}\nSELECT set_config('{CITY_SETTING}', '{quoted}', false);"


class CityPool:
    """asyncpg's pool, except that every connection it hands out serves the city in scope."""

    switches = 0  # how many times a connection changed city (measured in tests and docs)

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pool, name)

    async def acquire(self, *, timeout: float | None = None) -> Any:  # noqa: ASYNC109 (asyncpg's)
        proxy = await self._pool.acquire(timeout=timeout)
        try:
            if await proxy.serve_city(city_in_scope() or ""):
                CityPool.switches += 1
        except BaseException:
            await self._pool.release(proxy)
            raise
        return proxy


class CityScopedClient(AsyncpgDBClient):
    connection_class = CityConnection

    async def create_pool(self, **kwargs: Any) -> Any:
        tuned = dict(get_settings().postgres_settings)  # [database.postgres] in the config
        kwargs["server_settings"] = {**tuned, **(kwargs.get("server_settings") or {})}
        return CityPool(await super().create_pool(**kwargs))


client_class = CityScopedClient


def connection_config(url: str) -> str | dict[str, Any]:
    """Tortoise's connection entry for `url`: this client for PostgreSQL, as-is otherwise."""
    if not url.startswith(("postgres://", "postgresql://", "asyncpg://")):
        return url
    config = expand_db_url(url)
    config["engine"] = __name__
    return config
