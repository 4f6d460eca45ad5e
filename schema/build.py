"""The schema a city is served: the core types plus its enabled plugins' contributions."""

from __future__ import annotations

from functools import cache

import strawberry
from strawberry.extensions import ParserCache, ValidationCache

from schema.errors import CodedErrors
from schema.mutation import Mutation
from schema.query import Query


def extensions() -> list[object]:
    # Factories, not instances: an instance would be shared by concurrent requests.
    # The parse and validation caches are module-level LRUs shared across requests.
    return [
        CodedErrors,
        lambda: ParserCache(maxsize=512),
        lambda: ValidationCache(maxsize=512),
    ]


@cache
def core_schema() -> strawberry.Schema:
    return strawberry.Schema(query=Query, mutation=Mutation, extensions=extensions())


def schema_for_city(city: str) -> strawberry.Schema:
    """Today every city gets the core schema; plugins extend it per city."""
    return core_schema()
