"""The Dongguan demo tells the source document's story with its figures, read through the
GraphQL API as a city's dashboard reads them (../shared/seed/, DOMAIN.md)."""

from __future__ import annotations

import datetime as dt

from core.cases.councils import six_months_before
from core.infra.enums import Role
from core.infra.tenancy import in_city
from core.plugins import calls as plugins
from plugins.dongguan_donghong import plugin
from tests.conftest import GraphQLClient, token


def _admin() -> str:
    return token("dongguan", Role.CITY_ADMIN, subject="admin-dg")


COMPOUNDS = """{ compounds(first: 100) { totalCount nodes {
    id name homes mature buildings { homes } } } }"""


async def _compounds(gql: GraphQLClient) -> list[dict]:
    found = (await gql(COMPOUNDS))["data"]["compounds"]
    assert found["totalCount"] == len(found["nodes"]) == 25
    return found["nodes"]


async def test_yayuan_s_buildings_add_up_to_the_source_s_4852_homes(
    demo_db: str, gql: GraphQLClient
) -> None:
    compounds = {c["name"]: c for c in await _compounds(gql)}
    yayuan = compounds["雅园新村"]
    assert yayuan["homes"] == 4852
    assert len(yayuan["buildings"]) == 8
    assert sum(b["homes"] for b in yayuan["buildings"]) == 4852
    # No compound's buildings say other than the compound does.
    for c in compounds.values():
        assert sum(b["homes"] for b in c["buildings"]) == c["homes"], c["name"]


GROUPS = """{ organisations(first: 20, filter: {kind: [SERVICE_GROUP]}) { totalCount nodes {
    name membersCount parent { name membersCount } } } }"""


async def test_the_station_s_eight_groups_carry_the_source_s_names_and_43_members(
    demo_db: str, gql: GraphQLClient
) -> None:
    groups = (await gql(GROUPS))["data"]["organisations"]["nodes"]
    members = {g["name"]: g["membersCount"] for g in groups}
    assert sorted(members) == sorted(
        ["党员小组", "安全监督组", "法律服务组", "环境监督组", "矛盾调解组", "文化活动组",
         "物业管家组", "志愿服务组"]
    )  # fmt: skip
    assert all(n > 0 for n in members.values())
    assert sum(members.values()) == 43
    # The 12 party members make up the party members' group; the 31 owners the others.
    assert members["党员小组"] == 12
    assert {g["parent"]["name"] for g in groups} == {"雅园新村党群服务站"}
    assert {g["parent"]["membersCount"] for g in groups} == {43}


CHAIN = """{ organisations(first: 10, filter: {kind: [PARTY_BUILDING_GROUP]}) { nodes {
    name kind parent { name kind place { ... on Grid { name } }
        parent { name kind parent { name kind } } } } } }"""


async def test_the_party_chain_is_community_grid_branch_building_group(
    demo_db: str, gql: GraphQLClient
) -> None:
    [group] = (await gql(CHAIN))["data"]["organisations"]["nodes"]
    branch = group["parent"]
    assert (group["kind"], branch["kind"]) == ("PARTY_BUILDING_GROUP", "PARTY_GRID_BRANCH")
    assert branch["place"] == {"name": "宏图社区第一网格"}
    community = branch["parent"]
    assert (community["name"], community["kind"]) == ("中共宏图社区委员会", "PARTY_COMMUNITY")
    assert community["parent"]["kind"] == "PARTY_STREET_COMMITTEE"


FIGURES = """{ figures { asOf councilCompliance { covered total } } }"""
MEETINGS = """query($c: ID!) { councilMeetings(compoundId: $c) { heldOn held
    participants { organisationName firmName attended } } }"""
OVERDUE = """query($d: Date!) { overdueCouncils(asOf: $d, first: 50) { totalCount
    nodes { name } } }"""


async def test_council_compliance_is_what_the_meetings_imply(
    demo_db: str, gql: GraphQLClient
) -> None:
    figures = (await gql(FIGURES, auth=_admin()))["data"]["figures"]
    as_of = dt.date.fromisoformat(figures["asOf"])
    since = six_months_before(as_of)
    compliant, overdue = set(), set()
    for c in await _compounds(gql):
        meetings = (await gql(MEETINGS, {"c": c["id"]}, auth=_admin()))["data"]["councilMeetings"]
        assert meetings, c["name"]
        held = [m for m in meetings if m["held"]]
        # Convened every half year, the compound's party organisation, the residents'
        # committee and the property firm at the table.
        assert len(held) >= 3
        for m in held:
            names = [p["organisationName"] or p["firmName"] for p in m["participants"]]
            assert any(n.endswith("居民委员会") or n.endswith("村民委员会") for n in names)
            assert all(p["attended"] for p in m["participants"])
        if any(since < dt.date.fromisoformat(m["heldOn"]) <= as_of for m in held):
            compliant.add(c["name"])
        else:
            overdue.add(c["name"])
    assert figures["councilCompliance"] == {"covered": len(compliant), "total": 25}
    assert figures["councilCompliance"]["covered"] > 0
    late = (await gql(OVERDUE, {"d": as_of.isoformat()}, auth=_admin()))["data"]["overdueCouncils"]
    assert {n["name"] for n in late["nodes"]} == overdue
    # The compounds too small for a party branch of their own are the ones behind.
    assert overdue == {c["name"] for c in await _compounds(gql) if not c["mature"]}

    yayuan = next(c for c in await _compounds(gql) if c["name"] == "雅园新村")
    [newest, *_] = (await gql(MEETINGS, {"c": yayuan["id"]}, auth=_admin()))["data"][
        "councilMeetings"
    ]
    assert {p["organisationName"] or p["firmName"] for p in newest["participants"]} == {
        "雅园新村党支部",
        "宏图社区居民委员会",
        "广东东鸿物业发展有限公司",
    }
    jinghu = next(c for c in await _compounds(gql) if c["name"] == "景湖春晓")
    [newest, *_] = (await gql(MEETINGS, {"c": jinghu["id"]}, auth=_admin()))["data"][
        "councilMeetings"
    ]
    names = {p["organisationName"] or p["firmName"] for p in newest["participants"]}
    assert "景湖春晓业主委员会" in names


VENUES = """{ serviceVenues(first: 100) { nodes { venue { name place { __typename } }
    runBy { name kind } } } }"""
SOCIAL = """{ organisations(first: 50, filter: {kind: [SOCIAL_ORGANISATION]}) { totalCount } }"""


async def test_nineteen_social_organisations_run_service_centres(
    demo_db: str, gql: GraphQLClient
) -> None:
    venues = (await gql(VENUES))["data"]["serviceVenues"]["nodes"]
    centres = [v for v in venues if v["venue"]["name"].endswith("综合服务中心")]
    assert len(centres) == 19
    assert {v["runBy"]["kind"] for v in centres} == {"SOCIAL_ORGANISATION"}
    assert len({v["runBy"]["name"] for v in centres}) == 19
    assert (await gql(SOCIAL))["data"]["organisations"]["totalCount"] == 19
    # Each of the demo's ten communities has its centre.
    places = [v["venue"]["place"]["__typename"] for v in centres]
    assert places.count("Community") == 10


MASS = """{ organisations(first: 20, filter: {kind: [MASS_ORGANISATION]}) { nodes { name } } }"""


async def test_the_four_mass_organisations_include_the_youth_league(
    demo_db: str, gql: GraphQLClient
) -> None:
    names = [o["name"] for o in (await gql(MASS))["data"]["organisations"]["nodes"]]
    for word in ("工会", "共青团", "妇女联合会", "残疾人联合会"):
        assert any(word in n for n in names), word


PROJECTS = """{ donghongProjects(first: 50) { totalCount nodes { projectCode floorArea
    managedUntil compound { name } } } }"""


async def test_donghong_manages_26_projects_over_3_million_square_metres(
    writable_demo_db: str, gql: GraphQLClient
) -> None:
    with in_city("dongguan"):
        demo = plugin.load_demo_data(await plugins.city_plugins(), lambda _: None)
        assert demo is not None
        await demo
    projects = (await gql(PROJECTS, auth=_admin()))["data"]["donghongProjects"]
    assert projects["totalCount"] == len(projects["nodes"]) == 26
    assert all(p["managedUntil"] is None for p in projects["nodes"])
    area = sum(p["floorArea"] for p in projects["nodes"])
    assert 3_000_000 < area < 3_100_000  # 在管总面积逾300万平方米
    linked = {p["compound"]["name"] for p in projects["nodes"] if p["compound"]}
    assert linked == {"雅园新村", "石鼓怡景苑", "金泰名苑", "运河苑"}
