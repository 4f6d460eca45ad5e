"""Service stations in GraphQL: a page costs the same number of statements with one station
as with three (groups, people, communities, meetings and compounds batched)."""

from __future__ import annotations

import datetime as dt

from core.infra.db import StatementCounter
from core.infra.enums import OrganisationKind, Role
from core.infra.tenancy import in_city
from core.models import Organisation, Person
from plugins.dongguan_donghong.models import JointMeeting, ServiceStation
from tests.conftest import GraphQLClient, token
from tests.plugins.dongguan_donghong.conftest import Place

QUERY = """{ donghongServiceStations(first: 10) { totalCount nodes { headName deputyHeadName
    deputyCommunity compound { name } organisation { name } members { total }
    groups { name } jointMeetings { heldOn topic } } } }"""


async def add_station(place: Place, name: str) -> None:
    compound = place.compounds[name]
    with in_city("dongguan"):
        org = await Organisation.create(
            kind=OrganisationKind.SERVICE_VENUE, name=f"{name}党群服务站", compound=compound
        )
        for group in ("党员先锋组", "志愿服务组"):
            await Organisation.create(
                kind=OrganisationKind.SERVICE_GROUP, name=group, parent=org, compound=compound
            )
        head = await Person.create(name=f"{name}经理")
        deputy = await Person.create(name=f"{name}副站长")
        station = await ServiceStation.create(
            organisation=org,
            head=head,
            deputy_head=deputy,
            deputy_community=place.hongtu,
            members=10,
            party_members=3,
            owners=7,
        )
        await JointMeeting.create(station=station, held_on=dt.date(2025, 1, 2), topic="议题")


async def statements(gql: GraphQLClient) -> tuple[int, dict]:
    admin = token("dongguan", Role.CITY_ADMIN, subject="admin-dg")
    await gql(QUERY, auth=admin)  # warm: the city's schema and settings are cached after
    with StatementCounter() as counter:
        result = await gql(QUERY, auth=admin)
    return counter.count, result["data"]["donghongServiceStations"]


async def test_a_page_of_stations_costs_a_fixed_number_of_statements(
    place: Place, gql: GraphQLClient
):
    await add_station(place, "雅园新村")
    one, page = await statements(gql)
    assert page["totalCount"] == 1
    assert page["nodes"][0] == {
        "headName": "雅园新村经理", "deputyHeadName": "雅园新村副站长",
        "deputyCommunity": "宏图社区", "compound": {"name": "雅园新村"},
        "organisation": {"name": "雅园新村党群服务站"}, "members": {"total": 10},
        "groups": [{"name": "党员先锋组"}, {"name": "志愿服务组"}],
        "jointMeetings": [{"heldOn": "2025-01-02", "topic": "议题"}],
    }  # fmt: skip
    await add_station(place, "运河苑")
    await add_station(place, "宏图花园")
    three, page = await statements(gql)
    assert page["totalCount"] == 3
    assert three == one
