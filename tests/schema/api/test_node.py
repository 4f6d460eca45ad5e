"""`node(id:)` answers every Node type of the schema for a caller who may read it, and null
for one who may not (docs/api.md "IDs", docs/security.md). On PostgreSQL the types without a
compiled lookup go to the resolver path; tests/schema/compiler/test_compiled.py compares the
two paths for every type."""

from __future__ import annotations

import logging

import pytest

from core.infra.enums import Role
from core.security.auth import Scope, ScopeKind
from schema.api.ids import from_global_id
from schema.api.nodes import READS
from tests.conftest import GraphQLClient, token
from tests.schema.every_node import PUBLIC, node_query, node_types, one_of_each

ADMIN = token("dongguan", Role.CITY_ADMIN)


def test_every_node_type_of_the_schema_has_a_read() -> None:
    assert len(node_types()) >= 24
    assert set(node_types()) == set(READS)


@pytest.fixture
async def every_node(empty_db: str) -> dict[str, str]:
    return await one_of_each()


async def test_a_city_admin_reads_every_node_type(
    every_node: dict[str, str], gql: GraphQLClient, caplog: pytest.LogCaptureFixture
) -> None:
    assert set(every_node) == set(node_types())
    with caplog.at_level(logging.INFO):
        for type_name in node_types():
            body = await gql(node_query(type_name), {"id": every_node[type_name]}, auth=ADMIN)
            node = body["data"]["node"]
            assert node is not None, type_name
            assert (node["__typename"], node["id"]) == (type_name, every_node[type_name])
    assert not [r for r in caplog.records if r.exc_info], "no traceback for a node lookup"


async def test_an_anonymous_caller_reads_only_the_public_types(
    every_node: dict[str, str], gql: GraphQLClient
) -> None:
    for type_name in node_types():
        body = await gql(node_query(type_name), {"id": every_node[type_name]})
        node = body["data"]["node"]
        assert (node is not None) == (type_name in PUBLIC), type_name


async def test_a_scope_elsewhere_reads_as_null(
    every_node: dict[str, str], gql: GraphQLClient
) -> None:
    # A street admin of another street reads the public types and nothing of this compound.
    other = token("dongguan", Role.STREET_ADMIN, Scope(ScopeKind.STREET, 999_999))
    for type_name in node_types():
        body = await gql(node_query(type_name), {"id": every_node[type_name]}, auth=other)
        node = body["data"]["node"]
        # Purchases and their providers are read city-wide by street admins, as
        # `servicePurchases` and `socialWorkers` list them; deliveries by the purchase's street.
        readable = PUBLIC | {"ServicePurchase", "SocialWorker"}
        assert (node is not None) == (type_name in readable), type_name


async def test_the_owner_reads_their_vote_and_the_residents_none_of_the_registers(
    every_node: dict[str, str], gql: GraphQLClient
) -> None:
    _, compound = from_global_id(every_node["Compound"])
    resident = token("dongguan", Role.RESIDENT, Scope(ScopeKind.COMPOUND, compound))
    seen = set()
    for type_name in node_types():
        body = await gql(node_query(type_name), {"id": every_node[type_name]}, auth=resident)
        if body["data"]["node"] is not None:
            seen.add(type_name)
    # The case is a neighbour's service request: personal (docs/security.md, "Cases by kind").
    assert seen == PUBLIC | {"Vote", "VoteOption"}
