"""Keyset pagination: opaque cursors over (sort value, id), bounded page sizes.

Keyset rather than OFFSET because a city's case list has a million rows: page 5,000 must
cost what page 1 costs.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from core.infra.errors import DomainError
from core.infra.settings import get_settings


@dataclass(frozen=True)
class Ordering:
    field: str
    descending: bool = False


@dataclass(frozen=True)
class PageRequest:
    first: int
    after: tuple[Any, int] | None = None


def encode_cursor(value: Any, row_id: int) -> str:
    tagged = {"t": value.isoformat()} if isinstance(value, dt.datetime) else value
    return base64.urlsafe_b64encode(orjson.dumps([tagged, row_id])).decode()


def decode_cursor(cursor: str, field: str = "after") -> tuple[Any, int]:
    try:
        value, row_id = orjson.loads(base64.urlsafe_b64decode(cursor.encode()))
        if isinstance(value, dict):
            value = dt.datetime.fromisoformat(value["t"])
        if not isinstance(row_id, int):
            raise ValueError(row_id)
    except (ValueError, TypeError, KeyError, orjson.JSONDecodeError):
        raise DomainError("INVALID_CURSOR", field) from None
    return value, row_id


def page_request(first: int | None, after: str | None, field: str = "first") -> PageRequest:
    """Validate `first`/`after` against the hard maximum page size."""
    settings = get_settings()
    size = settings.default_page_size if first is None else first
    if size < 0:
        raise DomainError("NEGATIVE", field)
    if size > settings.max_page_size:
        raise DomainError("PAGE_TOO_LARGE", field, max=settings.max_page_size)
    return PageRequest(size, decode_cursor(after) if after else None)


@dataclass
class Page:
    rows: list[dict[str, Any]]
    has_next: bool
    has_previous: bool
    cursors: list[str]
    # Counting is a second statement: run only when a client asks for totalCount. The count
    # may be known already (a batch loaded ahead): then it is returned as it is.
    count: Callable[[], Awaitable[int] | int] = field(repr=False)


def _after(order: Ordering, value: Any, row_id: int) -> Q:
    op = "lt" if order.descending else "gt"
    # mypy matches a `**{lookup: int}` against Q's `join_type: str`.
    return Q(**{f"{order.field}__{op}": value}) | Q(
        Q(**{order.field: value}),
        Q(**{f"id__{op}": row_id}),  # type: ignore[arg-type]
    )


async def paginate(
    query: QuerySet[Any], order: Ordering, page: PageRequest, fields: tuple[str, ...]
) -> Page:
    """One page of `query` as dicts of `fields`, fetching one row extra to know if more follow."""
    unpaged = query
    if page.after is not None:
        query = query.filter(_after(order, *page.after))
    direction = "-" if order.descending else ""
    keys = [f"{direction}{order.field}", f"{direction}id"]
    rows = await query.order_by(*keys).limit(page.first + 1).values(*fields) if page.first else []
    has_next = len(rows) > page.first
    rows = rows[: page.first]
    return Page(
        rows=rows,
        has_next=has_next,
        has_previous=page.after is not None,
        cursors=[encode_cursor(r[order.field], r["id"]) for r in rows],
        count=unpaged.count,
    )
