"""Cross-city tries through the API: another city's global IDs read as not found, through
node IDs, filters, connections and mutations, whoever asks. On PostgreSQL the same tries run
again with the application signed in as civicgraph_app, under row-level security."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from core.infra.enums import Role
from core.infra.tenancy import in_city
from core.models import AuditEntry, Case
from schema.api.ids import to_global_id
from tests.app_role import app_serving_as_app_role
from tests.conftest import ON_POSTGRES, GraphQLClient, token
from tests.factories import Town, build_town

MODES = ["superuser", "app-role"] if ON_POSTGRES else ["embedded"]


@pytest.fixture(params=MODES)
async def towns(request, empty_db: str) -> AsyncIterator[dict[str, Town]]:
    built = {"zhuhai": await build_town("zhuhai", 2), "dongguan": await build_town("dongguan", 3)}
    if request.param == "app-role":
        async with app_serving_as_app_role(empty_db):
            yield built
    else:
        yield built


def admin(city: str = "dongguan") -> str:
    return token(city, Role.CITY_ADMIN)


def foreign_ids(town: Town) -> dict[str, str]:
    return {
        "Street": to_global_id("Street", town.streets[0].id),
        "Community": to_global_id("Community", town.communities[0].id),
        "Compound": to_global_id("Compound", town.compounds[0].id),
        "Firm": to_global_id("Firm", town.firms[0].id),
        "Case": to_global_id("Case", town.cases[0].id),
    }


async def test_another_citys_node_ids_read_as_null(towns, gql: GraphQLClient) -> None:
    for type_name, gid in foreign_ids(towns["zhuhai"]).items():
        body = await gql("query($id: ID!) { node(id: $id) { id } }", {"id": gid}, auth=admin())
        assert body["data"]["node"] is None, type_name
    # The same IDs at their own city's endpoint do resolve: the test asks a real question.
    gid = foreign_ids(towns["zhuhai"])["Compound"]
    body = await gql(
        "query($id: ID!) { node(id: $id) { id } }", {"id": gid}, auth=admin("zhuhai"), city="zhuhai"
    )
    assert body["data"]["node"] == {"id": gid}


async def test_filters_on_another_citys_ids_match_nothing(towns, gql: GraphQLClient) -> None:
    ids = foreign_ids(towns["zhuhai"])
    tries = [
        ("compounds", "CompoundFilter", {"communityId": ids["Community"]}),
        ("compounds", "CompoundFilter", {"streetId": ids["Street"]}),
        ("compounds", "CompoundFilter", {"firmId": ids["Firm"]}),
        ("cases", "CaseFilter", {"compoundId": ids["Compound"]}),
        ("cases", "CaseFilter", {"streetId": ids["Street"]}),
        ("buildings", "PlaceFilter", {"compoundId": ids["Compound"]}),
    ]
    for field, input_type, where in tries:
        query = (
            f"query($f: {input_type}) {{ {field}(first: 50, filter: $f) "
            "{ totalCount nodes { id } } }"
        )
        body = await gql(query, {"f": where}, auth=admin())
        assert body["data"][field] == {"totalCount": 0, "nodes": []}, (field, where)


async def test_connections_hold_only_the_citys_rows(towns, gql: GraphQLClient) -> None:
    query = (
        "{ compounds(first: 50) { totalCount nodes { name } } cases(first: 100) { totalCount } }"
    )
    body = await gql(query, auth=admin())
    names = [n["name"] for n in body["data"]["compounds"]["nodes"]]
    assert len(names) == body["data"]["compounds"]["totalCount"] == 3
    assert all(name.startswith("dongguan") for name in names)
    assert body["data"]["cases"]["totalCount"] == len(towns["dongguan"].cases)


FILE = """mutation($input: FileCaseInput!) { fileCase(input: $input) {
  case { id } errors { field code } } }"""
REOPEN = """mutation($input: ReopenCaseInput!) { reopenCase(input: $input) {
  case { id } errors { field code } } }"""


async def test_mutations_on_another_citys_ids_find_nothing(towns, gql: GraphQLClient) -> None:
    ids = foreign_ids(towns["zhuhai"])
    with in_city("zhuhai"):
        zhuhai_cases = await Case.all().count()
    body = await gql(
        FILE,
        {"input": {"kind": "PROPERTY_DISPUTE", "title": "越界", "compoundId": ids["Compound"]}},
        auth=admin(),
    )
    assert body["data"]["fileCase"] == {
        "case": None,
        "errors": [{"field": "compoundId", "code": "NOT_FOUND"}],
    }
    body = await gql(REOPEN, {"input": {"caseId": ids["Case"], "version": 1}}, auth=admin())
    assert body["data"]["reopenCase"]["case"] is None
    assert [e["code"] for e in body["data"]["reopenCase"]["errors"]] == ["NOT_FOUND"]
    with in_city("zhuhai"):
        assert await Case.all().count() == zhuhai_cases
        assert await AuditEntry.all().count() == 0  # the tries are dongguan's to audit
    with in_city("dongguan"):
        outcomes = await AuditEntry.all().order_by("id").values_list("outcome", flat=True)
    assert outcomes == ["NOT_FOUND", "NOT_FOUND"]
