"""The default connection: which database it is, and how to open a dedicated one beside it.

Apart from core/infra/db.py, which builds the tortoise config from the installed plugins, so
that the plugin machinery (core/plugins/watch.py) may use the connection without a loop.
"""

from __future__ import annotations

from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient


def connection() -> BaseDBAsyncClient:
    client: BaseDBAsyncClient = connections.get("default")
    return client


def listen_parameters() -> dict[str, Any]:
    """The pool's own connection settings, for a dedicated LISTEN connection (PostgreSQL).

    Its connect timeout bounds a subscription's start during an outage (asyncpg's default
    is 60 s), and its application name tells operators, and the fault tests, whose connection
    it is (core/cases/live.py, core/plugins/watch.py).
    """
    client: Any = connection()
    settings = dict(client.server_settings)
    if client.application_name:
        settings["application_name"] = client.application_name
    parameters: dict[str, Any] = {
        "host": client.host,
        "port": client.port,
        "user": client.user,
        "password": client.password,
        "database": client.database,
        "server_settings": settings,
    }
    if client.extra.get("timeout"):
        parameters["timeout"] = float(client.extra["timeout"])
    return parameters


def dialect() -> str:
    """'postgres' or 'sqlite': the two databases civicgraph runs on."""
    return "postgres" if connection().capabilities.dialect == "postgres" else "sqlite"
