"""The register of units and owners, the frozen owner list, and changing the management mode."""

from __future__ import annotations

import datetime as dt

import pytest

from core.infra.enums import Role
from core.infra.tenancy import in_city
from core.models import Person, Unit, UnitOwnership
from core.security.auth import Scope, ScopeKind
from schema.api.ids import to_global_id
from tests.conftest import GraphQLClient, token
from tests.factories import Town, build_town

RECORD = """mutation($input: RecordUnitInput!) { recordUnit(input: $input) {
    unit { number area ownersCount compound { name } } errors { field code } } }"""
OPEN = """mutation($input: OpenVoteInput!) { openVote(input: $input) {
    vote { id options { id } } errors { field code } } }"""
ELECTORS = """query($id: ID!) { voteElectors(voteId: $id, first: 10) {
    totalCount nodes { units area heads voted } } }"""
MODE = """mutation($input: ChangeManagementModeInput!) { changeManagementMode(input: $input) {
    compound { managementMode } errors { field code } } }"""


@pytest.fixture
async def town(empty_db: str) -> Town:
    town = await build_town("dongguan", compounds=3, cases_each=0)
    with in_city("dongguan"):
        for name in ("王", "李", "张"):
            await Person.create(name=name, subject=name)
    return town


def worker(town: Town) -> str:
    community = town.compounds[2].community_id
    return token("dongguan", Role.COMMUNITY_WORKER, Scope(ScopeKind.COMMUNITY, community))


async def people() -> dict[str, str]:
    with in_city("dongguan"):
        return {p.subject: to_global_id("Person", p.id) for p in await Person.all()}


async def record(gql, town, number, area, owners, auth=None) -> dict:
    body = await gql(
        RECORD,
        {
            "input": {
                "compoundId": to_global_id("Compound", town.compounds[2].id),
                "number": number,
                "area": area,
                "ownerIds": owners,
            }
        },
        auth=auth or worker(town),
    )
    return body["data"]["recordUnit"]


async def test_units_with_owners_and_co_owners_make_the_electorate(town, gql: GraphQLClient):
    p = await people()
    one = await record(gql, town, "1-101", "89.50", [p["王"], p["李"]])
    assert one == {
        "unit": {
            "number": "1-101",
            "area": "89.50",
            "ownersCount": 2,
            "compound": {"name": town.compounds[2].name},
        },
        "errors": [],
    }
    await record(gql, town, "1-102", "60", [p["张"]])
    await record(gql, town, "1-103", "40.25", [p["张"]])
    closes = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).isoformat()
    opened = await gql(
        OPEN,
        {
            "input": {
                "compoundId": to_global_id("Compound", town.compounds[2].id),
                "matter": "MAINTENANCE_FUND_USE",
                "title": "维修电梯",
                "closesAt": closes,
            }
        },
        auth=worker(town),
    )
    vote = opened["data"]["openVote"]["vote"]
    resident = token(
        "dongguan", Role.RESIDENT, Scope(ScopeKind.COMPOUND, town.compounds[2].id), subject="李"
    )
    await gql(
        """mutation($v: ID!, $o: ID!) { castBallot(input: {voteId: $v, optionId: $o}) {
        errors { code } } }""",
        {"v": vote["id"], "o": vote["options"][1]["id"]},
        auth=resident,
    )
    body = await gql(ELECTORS, {"id": vote["id"]}, auth=worker(town))
    assert body["data"]["voteElectors"] == {
        "totalCount": 2,
        "nodes": [
            {"units": "1-101", "area": "89.50", "heads": 1, "voted": True},
            {"units": "1-102, 1-103", "area": "100.25", "heads": 1, "voted": False},
        ],
    }
    refused = await gql(ELECTORS, {"id": vote["id"]}, auth=resident, expect_errors=True)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_bad_units_are_refused_all_at_once(town, gql: GraphQLClient):
    p = await people()
    await record(gql, town, "2-201", "70.00", [p["王"]])
    payload = await record(gql, town, "2-201", "70.001", [])
    assert payload["unit"] is None
    assert {(e["field"], e["code"]) for e in payload["errors"]} == {
        ("area", "INVALID_AREA"),
        ("ownerIds", "REQUIRED"),
        ("number", "UNIT_EXISTS"),
    }
    assert (await record(gql, town, "2-202", "-1", [p["王"]]))["errors"] == [
        {"field": "area", "code": "INVALID_AREA"}
    ]
    with in_city("dongguan"):
        assert await Unit.all().count() == 1
        assert await UnitOwnership.all().count() == 1
    resident = token("dongguan", Role.RESIDENT, Scope(ScopeKind.COMPOUND, town.compounds[2].id))
    body = await gql(
        RECORD,
        {
            "input": {
                "compoundId": to_global_id("Compound", town.compounds[2].id),
                "number": "x",
                "area": "1",
                "ownerIds": [p["王"]],
            }
        },
        auth=resident,
        expect_errors=True,
    )
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_changing_the_management_mode_needs_the_owners_vote(town, gql: GraphQLClient):
    admin = token("dongguan", Role.CITY_ADMIN)
    body = await gql(
        MODE,
        {
            "input": {
                "compoundId": to_global_id("Compound", town.compounds[2].id),
                "mode": "OWNER_SELF_MANAGED",
                "effectiveOn": dt.date.today().isoformat(),
            }
        },
        auth=admin,
    )
    assert body["data"]["changeManagementMode"] == {
        "compound": None,
        "errors": [{"field": "voteId", "code": "VOTE_REQUIRED"}],
    }
    rental = await gql(
        MODE,
        {
            "input": {
                "compoundId": to_global_id("Compound", town.compounds[0].id),
                "mode": "COMMUNITY_CARETAKER",
                "effectiveOn": dt.date.today().isoformat(),
                "authorityDecision": "住建局决定社区托管",
            }
        },
        auth=admin,
    )
    assert rental["data"]["changeManagementMode"] == {
        "compound": {"managementMode": "COMMUNITY_CARETAKER"},
        "errors": [],
    }
