"""Database connection, migrations and the raw-SQL path used by read-heavy loaders."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from types import ModuleType
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg
from tortoise import Tortoise
from tortoise.exceptions import DBConnectionError
from tortoise.migrations.api import migrate as tortoise_migrate

# Re-exported: callers read the connection as db.connection() and its kind as db.dialect().
from core.infra.connection import connection as connection
from core.infra.connection import dialect as dialect
from core.infra.pgclient import connection_config
from core.infra.settings import get_settings
from core.plugins.calls import plugin_models
from core.security import personal

MODEL_MODULES = ["core.models"]

# Connection lost or refused, server shutting down, statement timed out: retry later.
_UNAVAILABLE: tuple[type[BaseException], ...] = (
    ConnectionError,  # refused, reset
    TimeoutError,  # connect timeout, asyncpg's command_timeout
    asyncpg.PostgresConnectionError,  # SQLSTATE class 08
    asyncpg.AdminShutdownError,  # pg_terminate_backend, server shutdown (57P01)
    asyncpg.CannotConnectNowError,  # server starting up or in recovery (57P03)
    asyncpg.InterfaceError,  # "connection is closed" and the like
    # "cannot switch to state N; another operation (2) is in progress": a statement refused
    # on a connection whose backend had already ended (core.infra.pgclient.refused_unsent). The
    # client reruns such a statement on another connection; it still gets here inside a
    # transaction begun before the backend died, and when every try meets a dead connection.
    asyncpg.InternalClientError,
    DBConnectionError,
)


def tortoise_config(database_url: str | None = None) -> dict[str, Any]:
    url = database_url or get_settings().database_url
    apps: dict[str, Any] = {
        "models": {
            "models": MODEL_MODULES,
            "default_connection": "default",
            "migrations": "core.migrations",
        }
    }
    apps.update(plugin_apps())
    return {
        "connections": {"default": connection_config(with_timeouts(url))},
        "apps": apps,
        "use_tz": True,
        "timezone": "UTC",
    }


def with_timeouts(url: str) -> str:
    """A PostgreSQL URL with bounded connect and statement timeouts, unless it sets its own.

    Without them a request during a database outage waits for the driver's 60 s connect
    timeout, or forever on a statement; with them it fails fast with DATABASE_UNAVAILABLE.
    """
    if not url.startswith(("postgres://", "postgresql://", "asyncpg://")):
        return url
    bounds = get_settings().database
    params = dict(parse_qsl(urlsplit(url).query))
    params.setdefault("timeout", str(max(1, int(bounds.connect_timeout))))
    params.setdefault("command_timeout", str(bounds.command_timeout))
    return urlunsplit(urlsplit(url)._replace(query=urlencode(params)))


def is_unavailable(error: BaseException) -> bool:
    """Whether an exception means the database could not be reached or dropped the connection.

    Such errors are worth retrying (the API answers DATABASE_UNAVAILABLE, retryable); any
    other database error is a bug or bad data and is masked as INTERNAL.
    """
    seen: BaseException | None = error
    while seen is not None:
        # asyncio reports a failed connect to several addresses as a bare OSError.
        if isinstance(seen, _UNAVAILABLE) or type(seen) is OSError:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def plugin_apps() -> dict[str, Any]:
    """A tortoise app per installed plugin with tables, so its tables exist in every city."""
    apps: dict[str, Any] = {}
    for plugin, found in plugin_models():
        if found.app_label in apps or found.app_label == "models":
            raise RuntimeError(f"plugin {plugin}: tortoise app {found.app_label!r} is taken")
        app: dict[str, Any] = {
            "models": [_module_name(found.models)],
            "default_connection": "default",
        }
        if found.migrations is not None:
            app["migrations"] = _module_name(found.migrations)
        apps[found.app_label] = app
    return apps


def _module_name(module: ModuleType | str) -> str:
    return module if isinstance(module, str) else module.__name__


async def init(database_url: str | None = None) -> None:
    # Global fallback: uvicorn runs the lifespan (which calls this) in another task than the
    # requests, and tortoise 1.1 keeps its context in a ContextVar that tasks do not share.
    await Tortoise.init(config=tortoise_config(database_url), _enable_global_fallback=True)
    personal.keep_values_out_of_logs()  # SQL values can be personal data


async def close() -> None:
    await Tortoise.close_connections()


async def migrate(database_url: str | None = None) -> None:
    """Apply every pending migration (idempotent)."""
    try:
        await tortoise_migrate(config=tortoise_config(database_url))
    finally:
        # An open aiosqlite connection keeps its (non-daemon) thread, and so the process, alive.
        await close()


_PLACEHOLDER = re.compile(r"\$(\d+)")


async def fetch(sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    """Run one read statement written with $1..$n placeholders; rows as dicts.

    SQLite understands numbered parameters as ?1..?n, so one text serves both databases.
    Callers pass the city as a parameter: raw SQL does not go through CityManager.
    """
    conn = connection()
    if dialect() == "sqlite":
        sql = _PLACEHOLDER.sub(r"?\1", sql)
    return await conn.execute_query_dict(sql, list(params))


def placeholders(start: int, count: int) -> str:
    """`$start, ..., $start+count-1`, for IN lists that work on both databases."""
    return ", ".join(f"${i}" for i in range(start, start + count))


class StatementCounter(logging.Handler):
    """Counts the SQL statements tortoise sends while active (tests and the benchmark)."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        # Query records are logged as ("%s: %s", sql, values); connection events differ.
        if record.msg == "%s: %s" and isinstance(record.args, tuple) and record.args:
            self.statements.append(str(record.args[0]))

    @property
    def count(self) -> int:
        return len(self.statements)

    def __enter__(self) -> StatementCounter:
        logger = logging.getLogger("tortoise.db_client")
        self._previous_level = logger.level
        logger.setLevel(logging.DEBUG)
        logger.addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        logger = logging.getLogger("tortoise.db_client")
        logger.removeHandler(self)
        logger.setLevel(self._previous_level)
