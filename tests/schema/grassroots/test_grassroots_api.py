"""Grassroots people and work-item admission through the API, on the hand-made town."""

from __future__ import annotations

import csv
import datetime as dt
import io

import httpx
import pytest

from core.grassroots import roster as grassroots
from core.infra.enums import OrganisationKind, Role
from core.infra.tenancy import in_city
from core.models import Building, Organisation, PartyMemberReport, Person, WorkItemRequest
from core.security.auth import Principal, Scope, ScopeKind
from schema.api.ids import to_global_id
from tests.conftest import GraphQLClient, token
from tests.figures_town import FiguresTown, build_figures_town

ADMIN = token("dongguan", Role.CITY_ADMIN)

REQUEST = """
mutation($input: RequestWorkItemInput!) {
  requestWorkItemAssignment(input: $input) {
    request { itemName outcome refusalCode refusalReason communities { name } }
    errors { field code }
  }
}
"""


@pytest.fixture
async def town(empty_db: str) -> FiguresTown:
    return await build_figures_town()


async def _department(
    name: str = "东莞市民政局", kind=OrganisationKind.GOVERNMENT_DEPARTMENT
) -> str:
    with in_city("dongguan"):
        org = await Organisation.create(kind=kind, name=name)
    return to_global_id("Organisation", org.id)


async def test_work_item_admission(town: FiguresTown, gql: GraphQLClient) -> None:
    department = await _department()
    c1 = to_global_id("Community", town.communities["C1"].id)
    body = await gql(
        'mutation { admitWorkItem(name: "环境卫生整治", admittedOn: "2026-01-01") '
        "{ workItem { id name } errors { code } } }",
        auth=ADMIN,
    )
    item_id = body["data"]["admitWorkItem"]["workItem"]["id"]

    def ask(name: str, on: str) -> dict[str, object]:
        return {"input": {"departmentId": department, "itemName": name, "communityIds": [c1],
                          "requestedOn": on}}  # fmt: skip

    accepted = (await gql(REQUEST, ask("环境卫生整治", "2026-03-01"), auth=ADMIN, lang="en"))[
        "data"
    ]["requestWorkItemAssignment"]["request"]
    assert accepted == {
        "itemName": "环境卫生整治", "outcome": "ACCEPTED", "refusalCode": None,
        "refusalReason": None, "communities": [{"name": "一社区"}],
    }  # fmt: skip
    refused = (await gql(REQUEST, ask("人口普查入户", "2026-03-01"), auth=ADMIN, lang="en"))[
        "data"
    ]["requestWorkItemAssignment"]["request"]
    assert refused["outcome"] == "REFUSED" and refused["refusalCode"] == "WORK_ITEM_NOT_ADMITTED"
    assert (
        "人口普查入户" in refused["refusalReason"] and "not on the list" in refused["refusalReason"]
    )

    await gql(
        'mutation($id: ID!) { withdrawWorkItem(id: $id, on: "2026-04-01") { errors { code } } }',
        {"id": item_id},
        auth=ADMIN,
    )
    late = (await gql(REQUEST, ask("环境卫生整治", "2026-05-01"), auth=ADMIN))["data"][
        "requestWorkItemAssignment"
    ]["request"]
    assert late["refusalCode"] == "WORK_ITEM_WITHDRAWN" and "2026-04-01" in late["refusalReason"]

    listing = await gql(
        "{ refusals: workItemRequests(outcome: REFUSED) { totalCount nodes { itemName } }"
        '  march: admittedWorkItems(asOf: "2026-03-01") { nodes { name } }'
        '  may: admittedWorkItems(asOf: "2026-05-01") { nodes { name } } }',
        auth=ADMIN,
    )
    data = listing["data"]
    assert data["refusals"]["totalCount"] == 2
    assert [n["itemName"] for n in data["refusals"]["nodes"]] == ["环境卫生整治", "人口普查入户"]
    assert data["march"]["nodes"] == [{"name": "环境卫生整治"}] and data["may"]["nodes"] == []


async def test_the_list_the_requests_and_the_export_agree_on_every_day(
    town: FiguresTown, gql: GraphQLClient, client: httpx.AsyncClient
) -> None:
    # Issue 16.1: an item never withdrawn (no withdrawal date) was left off the list on
    # every day, while requests for it were accepted and the export listed it.
    department = await _department()
    c1 = to_global_id("Community", town.communities["C1"].id)
    admit = "mutation($n: String!, $on: Date!) { admitWorkItem(name: $n, admittedOn: $on) { workItem { id } errors { code } } }"  # noqa: E501
    kept = await gql(admit, {"n": "垃圾分类督导", "on": "2025-02-01"}, auth=ADMIN)
    assert kept["data"]["admitWorkItem"]["errors"] == []
    gone = await gql(admit, {"n": "消防巡查", "on": "2025-03-01"}, auth=ADMIN)
    await gql(
        'mutation($id: ID!) { withdrawWorkItem(id: $id, on: "2026-06-01") { errors { code } } }',
        {"id": gone["data"]["admitWorkItem"]["workItem"]["id"]},
        auth=ADMIN,
    )
    await gql(admit, {"n": "入户走访", "on": "2027-01-01"}, auth=ADMIN)
    names = ["入户走访", "垃圾分类督导", "消防巡查"]
    expected = {
        "2025-01-15": [],
        "2025-02-01": ["垃圾分类督导"],
        "2025-12-31": ["垃圾分类督导", "消防巡查"],
        "2026-05-31": ["垃圾分类督导", "消防巡查"],
        "2026-06-01": ["垃圾分类督导"],
        "2027-03-01": ["入户走访", "垃圾分类督导"],
    }
    for day, admitted in expected.items():
        listed = await gql(
            "query($d: Date!) { admittedWorkItems(asOf: $d) { nodes { name } } }", {"d": day}
        )
        assert [n["name"] for n in listed["data"]["admittedWorkItems"]["nodes"]] == admitted, day
        accepted = []
        for name in names:
            ask = {"departmentId": department, "itemName": name, "communityIds": [c1],
                   "requestedOn": day}  # fmt: skip
            body = await gql(REQUEST, {"input": ask}, auth=ADMIN)
            if body["data"]["requestWorkItemAssignment"]["request"]["outcome"] == "ACCEPTED":
                accepted.append(name)
        assert accepted == admitted, day
        r = await client.get(
            f"/admin/dongguan/export/work-items.csv?asOf={day}",
            headers={"Authorization": f"Bearer {ADMIN}"},
        )
        assert r.status_code == 200, r.text
        header, *rows = csv.reader(io.StringIO(r.text.lstrip("\ufeff")))
        assert sorted(row[header.index("name")] for row in rows) == admitted, day


async def test_bad_requests_write_nothing(town: FiguresTown, gql: GraphQLClient) -> None:
    not_a_department = await _department("某业委会", OrganisationKind.OWNERS_COMMITTEE)
    body = await gql(
        REQUEST,
        {"input": {"departmentId": not_a_department, "itemName": " ", "communityIds": []}},
        auth=ADMIN,
    )
    payload = body["data"]["requestWorkItemAssignment"]
    assert payload["request"] is None
    assert {(e["field"], e["code"]) for e in payload["errors"]} == {
        ("itemName", "REQUIRED"),
        ("departmentId", "NOT_A_DEPARTMENT"),
        ("communityIds", "EMPTY_LIST"),
    }
    with in_city("dongguan"):
        assert await WorkItemRequest.all().count() == 0
    resident = token("dongguan", Role.RESIDENT, Scope(ScopeKind.COMPOUND, 1))
    body = await gql(
        REQUEST,
        {"input": {"departmentId": not_a_department, "itemName": "x", "communityIds": []}},
        auth=resident,
        expect_errors=True,
    )
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_building_heads_and_workers(town: FiguresTown, gql: GraphQLClient) -> None:
    with in_city("dongguan"):
        person = await Person.create(name="新楼栋长", roles=["BUILDING_HEAD"], phone="13900000000")
        b = (
            await Building.filter(name__in=["x1", "d2"])
            .order_by("name")
            .values_list("id", flat=True)
        )
    body = await gql(
        "mutation($input: AppointBuildingHeadInput!) { appointBuildingHead(input: $input) "
        "{ buildingHead { personName duties buildings { name } } errors { code } } }",
        {
            "input": {
                "personId": to_global_id("Person", person.id),
                "appointedOn": "2026-06-01",
                "buildingIds": [to_global_id("Building", i) for i in b],
            }
        },
        auth=ADMIN,
    )
    head = body["data"]["appointBuildingHead"]["buildingHead"]
    assert head["duties"] == ["MEDIATOR", "PUBLICIST", "INFORMANT", "PATROLLER", "LIAISON"]
    assert sorted(x["name"] for x in head["buildings"]) == ["d2", "x1"]
    serving = await gql(
        '{ buildingHeads(servingOn: "2026-06-30") { totalCount nodes { personName } } }',
        auth=ADMIN,
    )
    # H1 and H3 of the town, and the new one; H2 left in March, H4 starts in August.
    assert serving["data"]["buildingHeads"]["totalCount"] == 3
    assert "13900000000" not in str(serving)

    c2 = to_global_id("Community", town.communities["C2"].id)
    body = await gql(
        "mutation($p: ID!, $c: ID!) { admitCommunityWorker(personId: $p, communityId: $c, "
        'admittedOn: "2025-01-01", payGrade: "S1") { communityWorker { id } errors { code } } }',
        {"p": to_global_id("Person", person.id), "c": c2},
        auth=ADMIN,
    )
    worker = body["data"]["admitCommunityWorker"]["communityWorker"]["id"]
    event = (
        "mutation($input: WorkerEventInput!) { recordWorkerEvent(input: $input) "
        "{ communityWorker { payGrade exitedOn records { kind occurredOn score } } "
        "errors { field code } } }"
    )
    for kind, extra in (
        ("TRAINING", {"detail": "调解技能培训"}),
        ("PAY_GRADE", {"payGrade": "S2"}),
        ("ASSESSMENT", {"score": 92.5}),
        ("INCENTIVE", {"amount": 500}),
    ):
        await gql(event, {"input": {"workerId": worker, "kind": kind,
                                    "occurredOn": "2025-06-01", **extra}}, auth=ADMIN)  # fmt: skip
    bad = await gql(
        event,
        {
            "input": {
                "workerId": worker,
                "kind": "ASSESSMENT",
                "occurredOn": "2024-01-01",
                "score": 150,
            }
        },
        auth=ADMIN,
    )
    assert {(e["field"], e["code"]) for e in bad["data"]["recordWorkerEvent"]["errors"]} == {
        ("occurredOn", "DATE_ORDER"),
        ("score", "OUT_OF_RANGE"),
    }
    done = await gql(
        event,
        {
            "input": {
                "workerId": worker,
                "kind": "EXIT",
                "occurredOn": "2026-01-31",
                "detail": "合同期满",
            }
        },
        auth=ADMIN,
    )
    w = done["data"]["recordWorkerEvent"]["communityWorker"]
    assert w["payGrade"] == "S2" and w["exitedOn"] == "2026-01-31"
    assert [r["kind"] for r in w["records"]] == [
        "ADMISSION", "TRAINING", "PAY_GRADE", "ASSESSMENT", "INCENTIVE", "EXIT",
    ]  # fmt: skip
    after = await gql(
        event,
        {"input": {"workerId": worker, "kind": "TRAINING", "occurredOn": "2026-02-01"}},
        auth=ADMIN,
    )
    assert after["data"]["recordWorkerEvent"]["errors"][0]["code"] == "WORKER_EXITED"


async def test_party_members_report_and_serve(town: FiguresTown, gql: GraphQLClient) -> None:
    admin = Principal("dongguan", Role.CITY_ADMIN)
    employer = await _department("东莞市住建局机关党委", OrganisationKind.GOVERNMENT_DEPARTMENT)
    with in_city("dongguan"):
        person = await Person.create(name="党员甲", roles=[])
        member = await grassroots.report_party_member(
            admin, person.id, town.communities["C1"].id, dt.date(2026, 1, 10),
            employer_organisation_id=int(await Organisation.filter(name="东莞市住建局机关党委")
                                         .first().values_list("id", flat=True)),
        )  # fmt: skip
    member_id = to_global_id("PartyMember", member["id"])
    for hours in (2.5, 3):
        body = await gql(
            "mutation($m: ID!, $h: Float!) { recordPartyService(memberId: $m, "
            'servedOn: "2026-02-01", hours: $h, activity: "垃圾分类宣传") { code } }',
            {"m": member_id, "h": hours},
            auth=ADMIN,
        )
        assert body["data"]["recordPartyService"] == []
    body = await gql(
        "mutation($m: ID!) { recordPartyService(memberId: $m, "
        'servedOn: "2026-02-01", hours: 30, activity: "") { field code } }',
        {"m": member_id},
        auth=ADMIN,
    )
    assert {e["field"] for e in body["data"]["recordPartyService"]} == {"hours", "activity"}
    listing = await gql(
        "{ partyMembers { nodes { personName serviceHours community { name } "
        "employerOrganisation { id name } } } }",
        auth=ADMIN,
    )
    node = listing["data"]["partyMembers"]["nodes"][0]
    assert node["serviceHours"] == 5.5 and node["community"]["name"] == "一社区"
    assert node["employerOrganisation"]["id"] == employer
    with in_city("dongguan"):
        assert await PartyMemberReport.all().count() == 1


async def test_venue_with_staggered_hours(town: FiguresTown, gql: GraphQLClient) -> None:
    admin = Principal("dongguan", Role.CITY_ADMIN)
    with in_city("dongguan"):
        social = await Organisation.create(
            kind=OrganisationKind.SOCIAL_ORGANISATION, name="阳光社工服务中心"
        )
        venue = await Organisation.create(
            kind=OrganisationKind.SERVICE_VENUE, name="一社区综合服务中心", parent=social
        )
        await grassroots.set_venue_hours(
            admin, venue.id,
            [grassroots.OpeningPeriod(1, 9 * 60, 18 * 60),
             grassroots.OpeningPeriod(1, 19 * 60, 21 * 60, staggered=True),
             grassroots.OpeningPeriod(6, 9 * 60, 12 * 60, staggered=True)],
        )  # fmt: skip
    body = await gql(
        "{ serviceVenues { nodes { venue { name } runBy { name } "
        "openingHours { weekday opens closes staggered } } } }"
    )
    node = body["data"]["serviceVenues"]["nodes"][0]
    assert node["runBy"] == {"name": "阳光社工服务中心"}
    assert node["openingHours"] == [
        {"weekday": 1, "opens": "09:00", "closes": "18:00", "staggered": False},
        {"weekday": 1, "opens": "19:00", "closes": "21:00", "staggered": True},
        {"weekday": 6, "opens": "09:00", "closes": "12:00", "staggered": True},
    ]
