"""The Donghong demo on top of the core demo: Yayuan New Village under Donghong with a sync
report, and its party-mass service station as GraphQL shows it; a second load adds nothing."""

from __future__ import annotations

from core.infra.enums import Role
from core.infra.tenancy import in_city
from core.plugins import calls as plugins
from plugins.dongguan_donghong import plugin
from plugins.dongguan_donghong.demo import load_donghong_demo
from plugins.dongguan_donghong.models import DonghongProject, DonghongSyncRun
from tests.conftest import GraphQLClient, token

STATIONS = """{ donghongServiceStations(first: 5) { totalCount nodes {
    organisation { name } compound { name } headName headTitle deputyHeadName deputyCommunity
    members { total partyMembers owners } groups { name }
    jointMeetings { heldOn topic attendees decision } } } }"""
RUNS = """{ donghongSyncRuns(first: 5) { nodes { status actor matched created changed ended
    conflicting rows { status projectCode detail compound { name } } } } }"""


async def test_the_demo_shows_yayuan_under_donghong_a_sync_report_and_the_station(
    writable_demo_db: str, gql: GraphQLClient
):
    said: list[str] = []
    # As `civicgraph demo-data` runs it: through the load_demo_data hook, Dongguan in scope.
    with in_city("dongguan"):
        city = await plugins.city_plugins()
        demo = plugin.load_demo_data(city, said.append)
        assert demo is not None
        counts = await demo
    assert counts == {
        "sync_runs": 1, "projects": 26, "service_stations": 1, "joint_meetings": 3,
    }  # fmt: skip
    assert "dongguan: Donghong sync: matched 4, conflicting 1" in said
    with in_city("dongguan"):
        # The source's 26 projects: the four compounds the feed matches and 22 beyond them.
        assert await DonghongProject.all().count() == 26
        assert await DonghongProject.filter(compound_id__isnull=False).count() == 4
        assert await DonghongSyncRun.all().count() == 1

    admin = token("dongguan", Role.CITY_ADMIN, subject="admin-dg")
    [run] = (await gql(RUNS, auth=admin))["data"]["donghongSyncRuns"]["nodes"]
    assert {k: run[k] for k in ("status", "actor", "matched", "created", "conflicting")} == {
        "status": "APPLIED", "actor": "demo", "matched": 4, "created": 0, "conflicting": 1,
    }  # fmt: skip
    assert run["rows"][0] == {
        "status": "MATCHED", "projectCode": "DH-DG-001", "detail": "",
        "compound": {"name": "雅园新村"},
    }  # fmt: skip
    assert run["rows"][-1] == {
        "status": "CONFLICTING", "projectCode": "DH-SW-001",
        "detail": "社区 香洲街道 未知", "compound": None,
    }  # fmt: skip

    stations = (await gql(STATIONS, auth=admin))["data"]["donghongServiceStations"]
    assert stations["totalCount"] == 1
    [station] = stations["nodes"]
    assert {k: station[k] for k in ("headName", "headTitle", "deputyHeadName")} == {
        "headName": "陈志强", "headTitle": "项目物业经理", "deputyHeadName": "李慧玲",
    }  # fmt: skip
    assert station["organisation"] == {"name": "雅园新村党群服务站"}
    assert station["compound"] == {"name": "雅园新村"}
    assert station["deputyCommunity"] == "宏图社区"
    assert station["members"] == {"total": 43, "partyMembers": 12, "owners": 31}
    assert len(station["groups"]) == 8
    assert station["groups"][0] == {"name": "党员小组"}
    assert [m["heldOn"] for m in station["jointMeetings"]] == [
        "2021-07-01", "2023-04-12", "2025-09-18",
    ]  # fmt: skip

    assert await load_donghong_demo() == {}
