"""The one place that scopes every query to a city.

Every city-owned model uses `CityManager`, so `Compound.filter(...)`, `.get()`, `.values()`,
`.update()` and related fetches all carry `city_id = <current city>`. The current city is a
ContextVar set once per request (or per CLI command) with `in_city(slug)`; a query made with
no city set raises instead of silently reading every city. Raw SQL goes through
`core.infra.db.fetch`, which takes the city from the same variable.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from tortoise.manager import Manager
from tortoise.queryset import QuerySet

_current_city: ContextVar[str | None] = ContextVar("civicgraph_city", default=None)


class TenancyError(RuntimeError):
    """Raised when city-owned data is touched with no city in scope, or across cities."""


def current_city() -> str:
    slug = _current_city.get()
    if slug is None:
        raise TenancyError("no city in scope: wrap the work in core.infra.tenancy.in_city(slug)")
    return slug


def city_in_scope() -> str | None:
    """The city in scope, or None (migrations, CLI admin work); never raises."""
    return _current_city.get()


@contextmanager
def in_city(slug: str) -> Iterator[str]:
    token = _current_city.set(slug)
    try:
        yield slug
    finally:
        _current_city.reset(token)


class CityManager(Manager):
    def get_queryset(self) -> QuerySet[Any]:
        return QuerySet(self._model).filter(city_id=current_city())
