"""What every `civicgraph` command that reads the database shares: the option naming it and
the runner that opens and closes it around the command's work."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer

from core.infra import db

T = TypeVar("T")

DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        envvar="CIVICGRAPH_DATABASE_URL",
        help="sqlite://path or postgres://user@host:port/db; default from config/civicgraph.toml.",
    ),
]


def run(work: Callable[[], Awaitable[T]], database_url: str | None) -> T:
    async def main() -> T:
        await db.init(database_url)
        try:
            return await work()
        finally:
            await db.close()

    return asyncio.run(main())
