"""The desks' escalation queue (issue 16): an escalation run puts each overdue case in the
receiving street or city desk's queue, with the reason in the reader's language and the
working days overdue; only callers whose scope covers the desk read it; the desk
acknowledges an entry once, and a repeat changes nothing."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys
from pathlib import Path

import pytest

from core.infra.clock import frozen_at
from core.infra.enums import Role
from core.infra.tenancy import in_city
from core.models import AuditEntry
from core.security.auth import Scope, ScopeKind
from schema.api.ids import to_global_id
from tests.conftest import GraphQLClient, token
from tests.factories import Town, build_town

FILE = """mutation($input: FileCaseInput!) { fileCase(input: $input) {
    case { id } errors { code } } }"""
ESCALATE = "mutation($d: Date!) { escalateOverdueCases(asOf: $d) { id } }"
QUEUE = """query($f: EscalatedCaseFilter) { escalatedCases(first: 20, filter: $f) {
    totalCount nodes { id level stage dueOn escalatedOn daysOverdue reason acknowledged
    acknowledgedBy street { name } case { id title kind escalationLevel } } } }"""
ACK = """mutation($id: ID!) { acknowledgeEscalation(escalationId: $id) {
    escalation { id acknowledged acknowledgedAt acknowledgedBy } errors { field code } } }"""
CASES = "{ cases(first: 100) { nodes { id title } } }"


@pytest.fixture
async def town(empty_db: str) -> Town:
    # Compounds 0 and 1 lie in street 0, compounds 2 and 3 in street 1.
    return await build_town("dongguan", compounds=4, cases_each=0)


def street_admin(town: Town, street: int) -> str:
    scope = Scope(ScopeKind.STREET, town.streets[street].id)
    return token("dongguan", Role.STREET_ADMIN, scope, subject=f"street-{street}")


CITY = token("dongguan", Role.CITY_ADMIN, subject="city-desk")


async def file(gql: GraphQLClient, town: Town, i: int, kind: str, title: str) -> str:
    resident = token(
        "dongguan", Role.RESIDENT, Scope(ScopeKind.COMPOUND, town.compounds[i].id), subject="o-1"
    )
    compound = to_global_id("Compound", town.compounds[i].id)
    with frozen_at(dt.datetime(2026, 6, 1, 2, tzinfo=dt.UTC)):  # Monday
        body = await gql(
            FILE, {"input": {"kind": kind, "title": title, "compoundId": compound}}, auth=resident
        )
    return str(body["data"]["fileCase"]["case"]["id"])


async def queue(gql: GraphQLClient, auth: str, lang: str | None = None, **where: object):
    body = await gql(QUEUE, {"f": where or None}, auth=auth, lang=lang)
    return body["data"]["escalatedCases"]


async def test_the_street_desk_sees_its_escalated_cases_with_reason_and_days_overdue(
    town: Town, gql: GraphQLClient
):
    # A dispute (5 working days in topic collection: due Monday 8 June) and a resident's
    # service request (1 day to acceptance: due 2 June), both in street 0; a dispute in street 1.
    noise = await file(gql, town, 0, "PROPERTY_DISPUTE", "噪音")
    allowance = await file(gql, town, 1, "SERVICE_REQUEST", "高龄津贴")
    parking = await file(gql, town, 2, "PROPERTY_DISPUTE", "停车")
    run = await gql(ESCALATE, {"d": "2026-06-12"}, auth=CITY)  # Friday
    assert len(run["data"]["escalateOverdueCases"]) == 3

    mine = await queue(gql, street_admin(town, 0))
    assert mine["totalCount"] == 2
    by_case = {n["case"]["id"]: n for n in mine["nodes"]}
    assert set(by_case) == {noise, allowance}
    dispute, request = by_case[noise], by_case[allowance]
    # Working days past the deadline on the run's day: 9-12 June; 3-5 and 8-12 June.
    assert (dispute["dueOn"], dispute["escalatedOn"], dispute["daysOverdue"]) == (
        "2026-06-08", "2026-06-12", 4,
    )  # fmt: skip
    assert (request["dueOn"], request["daysOverdue"]) == ("2026-06-02", 8)
    assert dispute["reason"] == "在“议题收集”阶段自 2026-06-08 起超期"
    assert request["stage"] == "SUBMITTED" and request["case"]["kind"] == "SERVICE_REQUEST"
    assert {(n["level"], n["acknowledged"], n["street"]["name"]) for n in mine["nodes"]} == {
        ("STREET", False, "dongguan街道0")
    }
    english = await queue(gql, street_admin(town, 0), lang="en")
    assert {n["reason"] for n in english["nodes"]} == {
        "overdue in topic collection since 2026-06-08",
        "overdue in submitted since 2026-06-02",
    }

    # The other street's desk reads its own case only; a community worker has no desk.
    other = await queue(gql, street_admin(town, 1))
    assert [n["case"]["id"] for n in other["nodes"]] == [parking]
    worker = token(
        "dongguan", Role.COMMUNITY_WORKER, Scope(ScopeKind.COMMUNITY, town.communities[0].id)
    )
    refused = await gql(QUEUE, auth=worker, expect_errors=True)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    # A street admin's filter cannot reach past its desk.
    outside = to_global_id("Street", town.streets[1].id)
    assert (await queue(gql, street_admin(town, 0), streetId=outside))["totalCount"] == 0
    assert (await queue(gql, street_admin(town, 0), level="CITY"))["totalCount"] == 0

    # The city desk covers every desk; filters narrow it.
    assert (await queue(gql, CITY))["totalCount"] == 3
    street0 = to_global_id("Street", town.streets[0].id)
    assert (await queue(gql, CITY, streetId=street0))["totalCount"] == 2
    assert (await queue(gql, CITY, since="2026-06-13"))["totalCount"] == 0

    # Still overdue a lapse later: the dispute goes on to the city desk; the street's entry
    # stays in the street's queue, and the city's is not the street's to read.
    await gql(ESCALATE, {"d": "2026-06-23"}, auth=CITY)
    city_level = await queue(gql, CITY, level="CITY")
    assert {n["case"]["id"] for n in city_level["nodes"]} == {noise, allowance, parking}
    assert {n["case"]["escalationLevel"] for n in city_level["nodes"]} == {"CITY"}
    assert (await queue(gql, street_admin(town, 0)))["totalCount"] == 2

    # The queue's cases are the ones `cases` serves the same caller (on PostgreSQL, the
    # compiled path answers `cases`; the queue goes to the resolvers).
    for auth in (street_admin(town, 0), street_admin(town, 1), CITY):
        listed = {n["id"] for n in (await gql(CASES, auth=auth))["data"]["cases"]["nodes"]}
        assert {n["case"]["id"] for n in (await queue(gql, auth))["nodes"]} <= listed


async def test_the_desk_acknowledges_an_escalation_once(town: Town, gql: GraphQLClient):
    await file(gql, town, 0, "PROPERTY_DISPUTE", "噪音")
    await gql(ESCALATE, {"d": "2026-06-12"}, auth=CITY)
    [entry] = (await queue(gql, street_admin(town, 0)))["nodes"]

    # Another street's admin: the entry reads as absent; nothing is written.
    away = await gql(ACK, {"id": entry["id"]}, auth=street_admin(town, 1))
    assert away["data"]["acknowledgeEscalation"] == {
        "escalation": None,
        "errors": [{"field": "escalationId", "code": "NOT_FOUND"}],
    }
    assert (await queue(gql, street_admin(town, 0), acknowledged=False))["totalCount"] == 1

    first = await gql(ACK, {"id": entry["id"]}, auth=street_admin(town, 0))
    taken = first["data"]["acknowledgeEscalation"]["escalation"]
    assert (taken["acknowledged"], taken["acknowledgedBy"]) == (True, "street-0")
    # A repeat (a retried request, or the city desk) changes nothing: the first stands.
    again = await gql(ACK, {"id": entry["id"]}, auth=CITY)
    assert again["data"]["acknowledgeEscalation"]["escalation"] == taken
    assert (await queue(gql, street_admin(town, 0), acknowledged=False))["totalCount"] == 0
    assert (await queue(gql, street_admin(town, 0), acknowledged=True))["totalCount"] == 1

    # A case ID is not an escalation's; a role without a desk is refused before the ID is read.
    wrong = await gql(ACK, {"id": to_global_id("Case", 1)}, auth=CITY)
    assert wrong["data"]["acknowledgeEscalation"]["errors"] == [
        {"field": "escalationId", "code": "WRONG_TYPE"}
    ]
    worker = token(
        "dongguan",
        Role.COMMUNITY_WORKER,
        Scope(ScopeKind.COMMUNITY, town.communities[0].id),
        subject="window-1",
    )
    refused = await gql(ACK, {"id": "garbage"}, auth=worker, expect_errors=True)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    with in_city("dongguan"):
        entries = await AuditEntry.filter(operation="acknowledgeEscalation").order_by("id")
    assert [(e.subject, e.outcome, e.target_ids) for e in entries] == [
        ("street-1", "NOT_FOUND", []),
        ("street-0", "OK", [entry["id"]]),
        ("city-desk", "OK", [entry["id"]]),
        ("city-desk", "WRONG_TYPE", []),
        ("window-1", "FORBIDDEN", []),
    ]


async def test_a_city_reads_and_acknowledges_only_its_own_escalations(
    town: Town, gql: GraphQLClient
):
    await file(gql, town, 0, "PROPERTY_DISPUTE", "噪音")
    await gql(ESCALATE, {"d": "2026-06-12"}, auth=CITY)
    [entry] = (await queue(gql, CITY))["nodes"]
    zhuhai = token("zhuhai", Role.CITY_ADMIN, subject="zhuhai-desk")
    body = await gql(QUEUE, city="zhuhai", auth=zhuhai)
    assert body["data"]["escalatedCases"] == {"totalCount": 0, "nodes": []}
    ack = await gql(ACK, {"id": entry["id"]}, city="zhuhai", auth=zhuhai)
    assert ack["data"]["acknowledgeEscalation"]["errors"] == [
        {"field": "escalationId", "code": "NOT_FOUND"}
    ]
    assert (await queue(gql, CITY, acknowledged=False))["totalCount"] == 1


async def test_the_daily_escalate_command_fills_the_street_desks_queue(
    town: Town, gql: GraphQLClient, database_url: str
):
    # The run as a scheduler starts it (`civicgraph escalate`, docs/cases.md), in its own
    # process, then the street desk reads the case through the API.
    noise = await file(gql, town, 0, "PROPERTY_DISPUTE", "噪音")
    cli = Path(sys.executable).parent / "civicgraph"
    env = {**os.environ, "CIVICGRAPH_DATABASE_URL": database_url}
    process = await asyncio.create_subprocess_exec(
        str(cli), "escalate", "--city", "dongguan", "--as-of", "2026-06-10", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, err.decode()
    assert out.decode().strip() == "escalated 1 case(s) overdue on 2026-06-10"
    [entry] = (await queue(gql, street_admin(town, 0)))["nodes"]
    assert (entry["case"]["id"], entry["daysOverdue"], entry["reason"]) == (
        noise, 2, "在“议题收集”阶段自 2026-06-08 起超期",
    )  # fmt: skip
    assert (await queue(gql, street_admin(town, 1)))["totalCount"] == 0
