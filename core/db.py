"""Database connection, migrations and the raw-SQL path used by read-heavy loaders."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

from tortoise import Tortoise, connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.migrations.api import migrate as tortoise_migrate

from core.settings import get_settings

MODEL_MODULES = ["core.models"]


def tortoise_config(database_url: str | None = None) -> dict[str, Any]:
    url = database_url or get_settings().database_url
    return {
        "connections": {"default": url},
        "apps": {
            "models": {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "core.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


# `tortoise makemigrations` reads this through [tool.tortoise] in pyproject.toml.
TORTOISE_ORM = tortoise_config()


async def init(database_url: str | None = None) -> None:
    # Global fallback: uvicorn runs the lifespan (which calls this) in another task than the
    # requests, and tortoise 1.1 keeps its context in a ContextVar that tasks do not share.
    await Tortoise.init(config=tortoise_config(database_url), _enable_global_fallback=True)


async def close() -> None:
    await Tortoise.close_connections()


async def migrate(database_url: str | None = None) -> None:
    """Apply every pending migration (idempotent)."""
    await tortoise_migrate(config=tortoise_config(database_url))


def connection() -> BaseDBAsyncClient:
    return connections.get("default")


def dialect() -> str:
    """'postgres' or 'sqlite': the two databases civicgraph runs on."""
    return "postgres" if connection().capabilities.dialect == "postgres" else "sqlite"


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
        if record.msg == "%s: %s" and record.args:
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
