"""The schema a city is served: the core types plus its enabled plugins' contributions.

Query and Mutation are composed from parts, one per area of the domain, so that each
area (directory, cases, councils, figures, ...) keeps its root fields in its own module.
"""

from __future__ import annotations

from functools import cache

import strawberry
from strawberry.tools import merge_types

from core.plugins import calls as plugins
from core.plugins.contributions import CityPlugins
from schema.api.checks import InputChecks, scalar_overrides
from schema.api.documents import PersistedParserCache
from schema.api.errors import CodedErrors
from schema.api.errors import Schema as LoggedSchema
from schema.api.limits import (
    Extension,
    GuardedValidationCache,
    QueryLimits,
    profile_extensions,
    schema_config,
)
from schema.api.query import Query as DirectoryQuery
from schema.cases.escalations import EscalationsMutation, EscalationsQuery
from schema.cases.fields import CasesMutation, CasesQuery
from schema.cases.filing import Mutation as CoreMutation
from schema.cases.subscription import CaseSubscription
from schema.figures.fields import FiguresQuery
from schema.firms.credit import CreditMutation, CreditQuery
from schema.grassroots.fields import GrassrootsMutation, GrassrootsQuery
from schema.grassroots.people import PeopleQuery
from schema.plugins import merge as plugin_schema
from schema.plugins.settings import PluginSettingsMutation, PluginSettingsQuery
from schema.purchases.fields import PurchasesMutation, PurchasesQuery
from schema.purchases.lifecycle import PurchaseLifecycleMutation
from schema.security.audit import AuditQuery
from schema.votes.fields import VotesMutation, VotesQuery

# Add an area's root fields here: one class of @strawberry.field methods per area.
QUERY_PARTS: tuple[type, ...] = (
    DirectoryQuery,
    PluginSettingsQuery,
    VotesQuery,
    CasesQuery,
    EscalationsQuery,
    AuditQuery,
    FiguresQuery,
    PeopleQuery,
    GrassrootsQuery,
    CreditQuery,
    PurchasesQuery,
)
MUTATION_PARTS: tuple[type, ...] = (
    CoreMutation,
    PluginSettingsMutation,
    VotesMutation,
    CasesMutation,
    EscalationsMutation,
    GrassrootsMutation,
    CreditMutation,
    PurchasesMutation,
    PurchaseLifecycleMutation,
)
# One subscription type for every city: live case updates (schema/cases/subscription.py).
Subscription = merge_types("Subscription", (CaseSubscription,))


def extensions() -> list[Extension]:
    # Factories, not instances: an instance would be shared by concurrent requests.
    # The parse and validation caches are module-level LRUs shared across requests.
    # QueryLimits comes first: it counts tokens before ParserCache parses and measures the
    # document before GuardedValidationCache validates it (schema/api/limits.py).
    return [
        QueryLimits,
        CodedErrors,
        lambda: PersistedParserCache(maxsize=512),  # a persisted document: parsed already
        InputChecks,  # refuses control characters in any string input (schema/api/checks.py)
        lambda: GuardedValidationCache(maxsize=512),
        *profile_extensions(),
    ]


@cache
def core_schema() -> strawberry.Schema:
    query = merge_types("Query", QUERY_PARTS)
    mutation = merge_types("Mutation", MUTATION_PARTS)
    return LoggedSchema(
        query=query,
        mutation=mutation,
        subscription=Subscription,
        extensions=extensions(),
        config=schema_config(),
        scalar_overrides=scalar_overrides(),  # checked Date, DateTime, Decimal, JSON
    )


def _build(
    query: tuple[type, ...], mutation: tuple[type, ...], types: tuple[type, ...]
) -> strawberry.Schema:
    return LoggedSchema(
        query=merge_types("Query", query),
        mutation=merge_types("Mutation", mutation),
        subscription=Subscription,
        types=types,
        extensions=extensions(),
        config=schema_config(),
        scalar_overrides=scalar_overrides(),  # checked Date, DateTime, Decimal, JSON
    )


# Schemas by the set of enabled plugins (and the installation they came from): cities that
# enable the same plugins share one schema, and a change of the set is seen at once.
_by_plugins: dict[tuple[frozenset[str], int], strawberry.Schema] = {}


def schema_for_city(city: CityPlugins) -> strawberry.Schema:
    """The core schema plus exactly the contributions of the city's enabled plugins."""
    if not city.enabled:
        return core_schema()
    key = (city.enabled, plugins.generation())
    schema = _by_plugins.get(key)
    if schema is None:
        schema = plugin_schema.compose(city, QUERY_PARTS, MUTATION_PARTS, _build)
        _by_plugins[key] = schema
    return schema


def check_plugin_schemas() -> None:
    """At start: refuse two plugins (or a plugin and the core) contributing one name."""
    plugin_schema.check_conflicts(QUERY_PARTS, MUTATION_PARTS, _build)
