"""The committed SDL snapshot changes only on purpose: `make schema` rewrites it."""

from __future__ import annotations

from pathlib import Path

from schema.api.build import core_schema

SNAPSHOT = Path(__file__).resolve().parents[3] / "schema" / "schema.graphql"


def test_the_core_schema_matches_the_committed_snapshot() -> None:
    current = core_schema().as_str() + "\n"
    committed = SNAPSHOT.read_text(encoding="utf-8")
    assert current == committed, (
        "The GraphQL schema changed. If on purpose, run `make schema` and commit "
        "schema/schema.graphql with the change; frontends depend on it."
    )


def test_the_fixed_names_frontends_depend_on() -> None:
    sdl = core_schema().as_str()
    for name in (
        "City",
        "Street",
        "Community",
        "Compound",
        "Building",
        "Organisation",
        "Firm",
        "Case",
    ):
        assert f"type {name} " in sdl
    for field in (
        "city:",
        "streets(",
        "communities(",
        "compounds(",
        "buildings(",
        "organisations(",
        "firms(",
        "cases(",
        "node(id: ID!)",
    ):
        assert f"  {field}" in sdl
