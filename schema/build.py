"""The schema a city is served: the core types plus its enabled plugins' contributions.

Query and Mutation are composed from parts, one per area of the domain, so that each
area (directory, cases, councils, figures, ...) keeps its root fields in its own module.
"""

from __future__ import annotations

from functools import cache

import strawberry
from strawberry.extensions import ParserCache
from strawberry.tools import merge_types

from schema.errors import CodedErrors
from schema.limits import GuardedValidationCache, QueryLimits, profile_extensions, schema_config
from schema.cases import CasesMutation, CasesQuery
from schema.mutation import Mutation as CoreMutation
from schema.query import Query as DirectoryQuery
from schema.subscription import CaseSubscription
from schema.votes import VotesMutation, VotesQuery

# Add an area's root fields here: one class of @strawberry.field methods per area.
QUERY_PARTS: tuple[type, ...] = (DirectoryQuery, VotesQuery, CasesQuery)
MUTATION_PARTS: tuple[type, ...] = (CoreMutation, VotesMutation, CasesMutation)
# One subscription type for every city: live case updates (schema/subscription.py).
Subscription = merge_types("Subscription", (CaseSubscription,))


def extensions() -> list[object]:
    # Factories, not instances: an instance would be shared by concurrent requests.
    # The parse and validation caches are module-level LRUs shared across requests.
    # QueryLimits comes first: it counts tokens before ParserCache parses and measures the
    # document before GuardedValidationCache validates it (schema/limits.py).
    return [
        QueryLimits,
        CodedErrors,
        lambda: ParserCache(maxsize=512),
        lambda: GuardedValidationCache(maxsize=512),
        *profile_extensions(),
    ]


@cache
def core_schema() -> strawberry.Schema:
    query = merge_types("Query", QUERY_PARTS)
    mutation = merge_types("Mutation", MUTATION_PARTS)
    return strawberry.Schema(
        query=query,
        mutation=mutation,
        subscription=Subscription,
        extensions=extensions(),
        config=schema_config(),
    )


def schema_for_city(city: str) -> strawberry.Schema:
    """Today every city gets the core schema; plugins extend it per city."""
    return core_schema()
