"""The public directory through the API: relations, pagination bounds, filters, tenancy."""

from __future__ import annotations

import pytest

from schema.api.ids import to_global_id
from tests.conftest import GraphQLClient
from tests.factories import Town, build_town


@pytest.fixture
async def towns(empty_db: str) -> dict[str, Town]:
    return {"dongguan": await build_town("dongguan"), "zhuhai": await build_town("zhuhai", 3)}


async def test_compounds_with_their_community_street_and_firm(towns, gql: GraphQLClient):
    body = await gql(
        """{ compounds(first: 3, orderBy: {field: NAME}) { totalCount nodes {
            name homes kind community { name street { name } } firm { name isStateOwned } } } }"""
    )
    page = body["data"]["compounds"]
    assert page["totalCount"] == 6
    first, second = page["nodes"][0], page["nodes"][1]
    assert first == {
        "name": "dongguan小区00",
        "homes": 100,
        "kind": "PUBLIC_RENTAL",
        "community": {"name": "dongguan社区00", "street": {"name": "dongguan街道0"}},
        "firm": {"name": "dongguan物业0", "isStateOwned": True},
    }
    assert second["firm"] is None  # odd compounds have no contract


async def test_paging_with_cursors_visits_every_row_once(towns, gql: GraphQLClient):
    seen, after, pages = [], None, 0
    while True:
        body = await gql(
            "query($after: String) { compounds(first: 4, after: $after) {"
            " edges { cursor node { name } } pageInfo { hasNextPage endCursor } } }",
            {"after": after},
        )
        conn = body["data"]["compounds"]
        seen += [e["node"]["name"] for e in conn["edges"]]
        pages += 1
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert pages == 2
    assert seen == sorted(f"dongguan小区{i:02d}" for i in range(6))


async def test_descending_order_by_homes(towns, gql: GraphQLClient):
    body = await gql(
        "{ compounds(first: 2, orderBy: {field: HOMES, direction: DESC}) { nodes { homes } } }"
    )
    assert [n["homes"] for n in body["data"]["compounds"]["nodes"]] == [600, 500]


@pytest.mark.parametrize("first", [101, -1])
async def test_page_size_is_bounded(towns, gql: GraphQLClient, first: int):
    body = await gql(
        "query($n: Int) { compounds(first: $n) { nodes { name } } }",
        {"n": first},
        expect_errors=True,
    )
    error = body["errors"][0]
    assert error["extensions"]["code"] in {"PAGE_TOO_LARGE", "NEGATIVE"}
    assert error["extensions"]["field"] == "first"


async def test_a_malformed_cursor_is_a_coded_error(towns, gql: GraphQLClient):
    body = await gql('{ compounds(after: "not-a-cursor") { nodes { name } } }', expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "INVALID_CURSOR"


async def test_filters(towns, gql: GraphQLClient):
    town = towns["dongguan"]
    firm_id = to_global_id("Firm", town.firms[0].id)
    street_id = to_global_id("Street", town.streets[0].id)
    body = await gql(
        """query($firm: ID, $street: ID) {
            managed: compounds(filter: {firmId: $firm}) { totalCount }
            mature: compounds(filter: {mature: true, kind: [PUBLIC_RENTAL]}) { totalCount }
            inStreet: compounds(filter: {streetId: $street}) { totalCount }
            named: compounds(filter: {nameContains: "小区05"}) { nodes { name } }
            stateOwned: firms(filter: {isStateOwned: true}) { nodes { name } }
        }""",
        {"firm": firm_id, "street": street_id},
    )
    data = body["data"]
    assert data["managed"]["totalCount"] == 3  # compounds 0, 2, 4
    # public rental: 0 and 3; mature: 0, 2, 4; both: 0 only
    assert data["mature"]["totalCount"] == 1
    # street 0 holds communities 0 and 1, i.e. compounds 0, 1, 4, 5 (compound i is in i % 4)
    assert data["inStreet"]["totalCount"] == 4
    assert data["named"]["nodes"] == [{"name": "dongguan小区05"}]
    assert data["stateOwned"]["nodes"] == [{"name": "dongguan物业0"}]


async def test_a_filter_id_of_the_wrong_type_names_the_field(towns, gql: GraphQLClient):
    body = await gql(
        "query($id: ID) { compounds(filter: {streetId: $id}) { totalCount } }",
        {"id": to_global_id("Firm", 1)},
        expect_errors=True,
    )
    ext = body["errors"][0]["extensions"]
    assert (ext["code"], ext["field"]) == ("WRONG_TYPE", "filter.streetId")


async def test_each_city_sees_only_its_own_rows(towns, gql: GraphQLClient):
    zhuhai = await gql("{ compounds(first: 50) { totalCount nodes { name } } }", city="zhuhai")
    names = [n["name"] for n in zhuhai["data"]["compounds"]["nodes"]]
    assert zhuhai["data"]["compounds"]["totalCount"] == 3
    assert all(name.startswith("zhuhai") for name in names)


async def test_another_citys_global_id_reads_as_not_found(towns, gql: GraphQLClient):
    foreign = to_global_id("Compound", towns["dongguan"].compounds[0].id)
    query = "query($id: ID!) { node(id: $id) { id ... on Compound { name } } }"
    assert (await gql(query, {"id": foreign}, city="zhuhai"))["data"]["node"] is None
    own = await gql(query, {"id": foreign}, city="dongguan")
    assert own["data"]["node"]["name"] == "dongguan小区00"


async def test_the_party_tree_walks_both_ways(towns, gql: GraphQLClient):
    body = await gql(
        """{ organisations(filter: {rootOnly: true}) { nodes { name kind
            place { ... on Street { name } }
            children { name parent { name } place { ... on Community { name } } } } } }"""
    )
    (root,) = body["data"]["organisations"]["nodes"]
    assert root["kind"] == "PARTY_STREET_COMMITTEE"
    assert root["place"] == {"name": "dongguan街道0"}
    assert root["children"] == [
        {
            "name": "dongguan社区党委",
            "parent": {"name": root["name"]},
            "place": {"name": "dongguan社区00"},
        }
    ]


async def test_labels_follow_accept_language(towns, gql: GraphQLClient):
    query = "{ compounds(first: 1) { nodes { kindLabel } } }"
    zh = await gql(query, lang="zh-CN,zh;q=0.9")
    en = await gql(query, lang="en-GB,en;q=0.8")
    assert zh["data"]["compounds"]["nodes"][0]["kindLabel"] == "公租房"
    assert en["data"]["compounds"]["nodes"][0]["kindLabel"] == "public rental housing"


async def test_an_unknown_city_is_404(client):
    response = await client.post("/graphql/atlantis", json={"query": "{ city { name } }"})
    assert response.status_code == 404
    assert response.json()["errors"][0]["extensions"]["code"] == "UNKNOWN_CITY"


async def test_city_root(towns, gql: GraphQLClient):
    body = await gql("{ city { slug name nameEn viewerRole viewerScope } }")
    assert body["data"]["city"] == {
        "slug": "dongguan",
        "name": "东莞市",
        "nameEn": "Dongguan",
        "viewerRole": "ANONYMOUS",
        "viewerScope": "city",
    }
