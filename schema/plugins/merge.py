"""A city's schema with its enabled plugins' contributions merged in, and the start-time
check that no two plugins (or a plugin and the core) contribute the same GraphQL name."""

from __future__ import annotations

from collections.abc import Callable
from itertools import combinations

import strawberry
from strawberry.schema.config import StrawberryConfig

from core.plugins import calls as plugins
from core.plugins.contributions import CityPlugins, SchemaContribution

Build = Callable[[tuple[type, ...], tuple[type, ...], tuple[type, ...]], strawberry.Schema]


class PluginConflict(RuntimeError):
    """Two plugins contribute the same GraphQL name; the server refuses to start."""


def compose(
    city: CityPlugins, query_parts: tuple[type, ...], mutation_parts: tuple[type, ...], build: Build
) -> strawberry.Schema:
    contributions = [c for _, c in plugins.schema_contributions(city)]
    query = query_parts + tuple(c.query for c in contributions if c.query)
    mutation = mutation_parts + tuple(c.mutation for c in contributions if c.mutation)
    types = tuple(t for c in contributions for t in c.types)
    return build(query, mutation, types)


def _root_names(contribution: SchemaContribution) -> set[str]:
    converter = StrawberryConfig().name_converter
    names = set()
    for root, part in (("Query", contribution.query), ("Mutation", contribution.mutation)):
        if part is not None:
            for f in part.__strawberry_definition__.fields:  # type: ignore[attr-defined]
                names.add(f"{root}.{converter.get_graphql_name(f)}")
    return names


def _type_names(schema: strawberry.Schema) -> set[str]:
    return {n for n in schema._schema.type_map if n not in ("Query", "Mutation")}


def plugin_names(
    query_parts: tuple[type, ...], mutation_parts: tuple[type, ...], build: Build
) -> dict[str, set[str]]:
    """The GraphQL names each installed plugin contributes, and the core's ("core")."""
    core = build(query_parts, mutation_parts, ())
    core_fields = _root_names(SchemaContribution(query=core.query, mutation=core.mutation))
    found = {"core": core_fields | _type_names(core)}
    everyone = CityPlugins(slug="", enabled=frozenset(plugins.installed()))
    for name, c in plugins.schema_contributions(everyone):
        own = build(
            query_parts + ((c.query,) if c.query else ()),
            mutation_parts + ((c.mutation,) if c.mutation else ()),
            c.types,
        )
        found[name] = _root_names(c) | (_type_names(own) - found["core"])
    return found


def check_conflicts(
    query_parts: tuple[type, ...], mutation_parts: tuple[type, ...], build: Build
) -> None:
    """Refuse to start when two plugins, or a plugin and the core, share a GraphQL name."""
    found = plugin_names(query_parts, mutation_parts, build)
    problems = [
        f"plugins {a!r} and {b!r} both contribute {', '.join(sorted(found[a] & found[b]))}"
        for a, b in combinations(sorted(found), 2)
        if found[a] & found[b]
    ]
    if problems:
        raise PluginConflict("; ".join(problems))
