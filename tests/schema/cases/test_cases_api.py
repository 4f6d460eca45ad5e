"""Cases through the API: who sees which, filing with bad input, and statement counts."""

from __future__ import annotations

import pytest

from core.infra.db import StatementCounter
from core.infra.enums import Role
from core.infra.tenancy import in_city
from core.models import Case
from core.security.auth import Scope, ScopeKind
from schema.api.ids import to_global_id
from tests.conftest import GraphQLClient, token
from tests.factories import Town, build_town

FILE = """mutation($input: FileCaseInput!) { fileCase(input: $input) {
    case { id title stage kind version compound { name } }
    errors { field code message } } }"""


@pytest.fixture
async def town(empty_db: str) -> Town:
    await build_town("zhuhai", 2)
    return await build_town("dongguan", compounds=30, cases_each=3)


def admin() -> str:
    return token("dongguan", Role.CITY_ADMIN)


async def test_anonymous_callers_cannot_list_cases(town, gql: GraphQLClient):
    body = await gql("{ cases { totalCount } }", expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "AUTH_REQUIRED"
    nested = await gql("{ compounds(first: 2) { nodes { cases { totalCount nodes { id } } } } }")
    assert all(
        n["cases"] == {"totalCount": 0, "nodes": []} for n in nested["data"]["compounds"]["nodes"]
    )


async def test_a_compounds_latest_cases_newest_first(town, gql: GraphQLClient):
    body = await gql(
        """{ compounds(first: 2) { nodes { name cases(first: 2) {
            totalCount pageInfo { hasNextPage } nodes { title } } } } }""",
        auth=admin(),
    )
    first = body["data"]["compounds"]["nodes"][0]
    assert first["cases"] == {
        "totalCount": 3,
        "pageInfo": {"hasNextPage": True},
        "nodes": [{"title": "dongguan小区00纠纷2"}, {"title": "dongguan小区00纠纷1"}],
    }


async def test_a_community_worker_sees_only_her_communitys_cases(town, gql: GraphQLClient):
    community = town.communities[1]
    worker = token("dongguan", Role.COMMUNITY_WORKER, Scope(ScopeKind.COMMUNITY, community.id))
    body = await gql(
        "{ cases(first: 100) { totalCount nodes { compound { name } } } }", auth=worker
    )
    expected = {c.name for c in town.compounds if c.community_id == community.id}
    seen = {n["compound"]["name"] for n in body["data"]["cases"]["nodes"]}
    assert seen == expected
    assert body["data"]["cases"]["totalCount"] == 3 * len(expected)


async def test_firm_staff_see_the_cases_of_compounds_their_firm_manages(town, gql: GraphQLClient):
    staff = token("dongguan", Role.FIRM_STAFF, Scope(ScopeKind.FIRM, town.firms[0].id))
    body = await gql("{ cases(first: 100) { totalCount } }", auth=staff)
    assert body["data"]["cases"]["totalCount"] == 15 * 3  # the even compounds


async def test_nested_lists_cost_the_same_statements_whatever_the_page_size(town, gql, monkeypatch):
    # The resolver path's DataLoaders; the compiled path (PostgreSQL) costs one statement.
    monkeypatch.setenv("CIVICGRAPH_COMPILED", "0")
    query = """query($n: Int) { compounds(first: $n) { nodes { name
        community { name street { name } } firm { name }
        cases(first: 2) { nodes { title stage createdAt } } } } }"""
    counts = {}
    for n in (3, 30):
        with StatementCounter() as counter:
            body = await gql(query, {"n": n}, auth=admin())
        assert len(body["data"]["compounds"]["nodes"]) == n
        counts[n] = counter.count
    assert counts[3] == counts[30]
    # the city's plugin configuration (read once per request), compounds, their communities
    # and streets (one statement), firms (through the contracts in force, one statement),
    # latest cases
    assert counts[30] == 5


async def test_a_resident_files_a_case_in_his_compound(town, gql: GraphQLClient):
    compound = town.compounds[4]
    resident = token(
        "dongguan", Role.RESIDENT, Scope(ScopeKind.COMPOUND, compound.id), subject="owner-1"
    )
    body = await gql(
        FILE,
        {
            "input": {
                "kind": "PROPERTY_DISPUTE",
                "title": " 电梯故障 ",
                "compoundId": to_global_id("Compound", compound.id),
            }
        },
        auth=resident,
    )
    payload = body["data"]["fileCase"]
    assert payload["errors"] == []
    assert payload["case"]["title"] == "电梯故障"
    assert payload["case"]["stage"] == "TOPIC_COLLECTION"
    assert payload["case"]["compound"]["name"] == compound.name
    with in_city("dongguan"):
        case = await Case.get(title="电梯故障")
    assert case.filed_by_subject == "owner-1"


async def test_filing_outside_ones_scope_reads_as_not_found(town, gql: GraphQLClient):
    resident = token("dongguan", Role.RESIDENT, Scope(ScopeKind.COMPOUND, town.compounds[0].id))
    other = to_global_id("Compound", town.compounds[1].id)
    body = await gql(
        FILE,
        {"input": {"kind": "SERVICE_REQUEST", "title": "修路灯", "compoundId": other}},
        auth=resident,
    )
    assert body["data"]["fileCase"]["errors"] == [
        {"field": "compoundId", "code": "NOT_FOUND", "message": "compoundId 指向的对象不存在"}
    ]


async def test_bad_input_names_the_field_and_writes_nothing(town, gql: GraphQLClient):
    with in_city("dongguan"):
        before = await Case.all().count()
    compound = to_global_id("Compound", town.compounds[0].id)
    for title, code in (("   ", "REQUIRED"), ("长" * 201, "TOO_LONG")):
        body = await gql(
            FILE,
            {"input": {"kind": "MEDIATION", "title": title, "compoundId": compound}},
            auth=admin(),
            lang="en",
        )
        (error,) = body["data"]["fileCase"]["errors"]
        assert (error["field"], error["code"]) == ("title", code)
        assert "title" in error["message"]
        assert body["data"]["fileCase"]["case"] is None
    wrong_type = await gql(
        FILE,
        {"input": {"kind": "MEDIATION", "title": "x", "compoundId": to_global_id("Street", 1)}},
        auth=admin(),
    )
    assert wrong_type["data"]["fileCase"]["errors"][0]["code"] == "WRONG_TYPE"
    with in_city("dongguan"):
        assert await Case.all().count() == before


async def test_an_unknown_enum_value_is_rejected_before_anything_runs(town, gql: GraphQLClient):
    compound = to_global_id("Compound", town.compounds[0].id)
    body = await gql(
        FILE,
        {"input": {"kind": "ARSON", "title": "x", "compoundId": compound}},
        auth=admin(),
        expect_errors=True,
    )
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION"


async def test_anonymous_filing_is_refused(town, gql: GraphQLClient):
    compound = to_global_id("Compound", town.compounds[0].id)
    body = await gql(
        FILE,
        {"input": {"kind": "MEDIATION", "title": "x", "compoundId": compound}},
        expect_errors=True,
    )
    assert body["errors"][0]["extensions"]["code"] == "AUTH_REQUIRED"


async def test_firm_staff_may_not_file(town, gql: GraphQLClient):
    staff = token("dongguan", Role.FIRM_STAFF, Scope(ScopeKind.FIRM, town.firms[0].id))
    compound = to_global_id("Compound", town.compounds[0].id)
    body = await gql(
        FILE,
        {"input": {"kind": "MEDIATION", "title": "x", "compoundId": compound}},
        auth=staff,
        expect_errors=True,
    )
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_case_node_respects_visibility(town, gql: GraphQLClient):
    case_id = to_global_id("Case", town.cases[0].id)
    query = "query($id: ID!) { node(id: $id) { ... on Case { title } } }"
    outsider = token("dongguan", Role.RESIDENT, Scope(ScopeKind.COMPOUND, town.compounds[5].id))
    assert (await gql(query, {"id": case_id}, auth=outsider))["data"]["node"] is None
    assert (await gql(query, {"id": case_id}, auth=admin()))["data"]["node"]["title"]


async def test_a_compounds_latest_cases_filtered_by_kind(town, gql: GraphQLClient):
    body = await gql(
        """{ compounds(first: 1) { nodes {
            disputes: cases(first: 5, kind: [PROPERTY_DISPUTE]) { nodes { title } }
            requests: cases(first: 5, kind: [SERVICE_REQUEST, MEDIATION]) { nodes { title } }
        } } }""",
        auth=admin(),
    )
    (compound,) = body["data"]["compounds"]["nodes"]
    assert len(compound["disputes"]["nodes"]) == 3  # the factory files three disputes each
    assert compound["requests"]["nodes"] == []
