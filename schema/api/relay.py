"""Relay conventions: the Node interface, cursor connections and their page info."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

import strawberry

from core.infra.pagination import Page

T = TypeVar("T")


@strawberry.interface(description="An object with a global ID, fetchable with `node(id:)`.")
class Node:
    id: strawberry.ID


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type(description="A page of results; `totalCount` costs one more statement.")
class Connection(Generic[T]):
    edges: list[Edge[T]]
    nodes: list[T]
    page_info: PageInfo
    _count: strawberry.Private[Callable[[], Awaitable[int] | int]]

    # Not `async def`: a count loaded ahead (schema/api/lookahead.py) is answered without a task;
    # otherwise graphql-core awaits the awaitable returned.
    @strawberry.field(description="All matching objects, across every page.")
    def total_count(self) -> int:
        return self._count()  # type: ignore[return-value]


def connection(page: Page, make: Callable[[dict[str, Any]], T]) -> Connection[T]:
    nodes = [make(row) for row in page.rows]
    return Connection(
        edges=[Edge(cursor=c, node=n) for c, n in zip(page.cursors, nodes, strict=True)],
        nodes=nodes,
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=page.has_previous,
            start_cursor=page.cursors[0] if page.cursors else None,
            end_cursor=page.cursors[-1] if page.cursors else None,
        ),
        _count=page.count,
    )
