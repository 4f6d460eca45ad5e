"""The compound's property firm takes its seat at the council, beside the party
organisation and the two committees (issue 16)."""

from __future__ import annotations

import pytest

from core.infra.clock import frozen_at
from core.infra.enums import OrganisationKind
from core.infra.tenancy import in_city
from core.models import Organisation
from schema.api.ids import to_global_id
from tests.conftest import GraphQLClient
from tests.factories import Town, build_town
from tests.schema.cases.test_case_workflow import NOW, file_dispute, party_org, people

SCHEDULE = """mutation($input: ScheduleCouncilMeetingInput!) {
    scheduleCouncilMeeting(input: $input) { meeting { id
        participants { organisationName firmName attended } } errors { field code } } }"""
RECORD = """mutation($input: RecordCouncilMeetingInput!) {
    recordCouncilMeeting(input: $input) { meeting { held
        participants { organisationName firmName attended } } errors { field code } } }"""


@pytest.fixture
async def town(empty_db: str) -> Town:
    return await build_town("dongguan", compounds=2, cases_each=0)


@pytest.fixture(autouse=True)
def clock():
    with frozen_at(NOW):
        yield


async def test_the_compounds_property_firm_is_invited_and_attends(town, gql: GraphQLClient):
    p = people(town)
    case = await file_dispute(gql, town, p["resident"])
    party = await party_org(town)
    with in_city("dongguan"):
        owners = await Organisation.create(
            kind=OrganisationKind.OWNERS_COMMITTEE, name="业主委员会", compound=town.compounds[0]
        )
    manager, stranger = town.firms  # the first firm manages compound 0, the second none

    def schedule(firm_ids: list[str]) -> dict:
        return {
            "input": {
                "compoundId": to_global_id("Compound", town.compounds[0].id),
                "heldOn": "2026-06-01",
                "convenerId": to_global_id("Organisation", party.id),
                "agendaCaseIds": [case["id"]],
                "organisationIds": [
                    to_global_id("Organisation", party.id),
                    to_global_id("Organisation", owners.id),
                ],
                "firmIds": firm_ids,
            }
        }

    refused = await gql(
        SCHEDULE,
        schedule([to_global_id("Firm", manager.id), to_global_id("Firm", stranger.id)]),
        auth=p["worker"],
    )
    assert refused["data"]["scheduleCouncilMeeting"]["errors"] == [
        {"field": "firmIds[1]", "code": "NOT_COMPOUND_FIRM"}
    ]
    scheduled = await gql(SCHEDULE, schedule([to_global_id("Firm", manager.id)]), auth=p["worker"])
    payload = scheduled["data"]["scheduleCouncilMeeting"]
    assert payload["errors"] == []
    assert payload["meeting"]["participants"] == [
        {"organisationName": party.name, "firmName": None, "attended": None},
        {"organisationName": "业主委员会", "firmName": None, "attended": None},
        {"organisationName": None, "firmName": manager.name, "attended": None},
    ]
    recorded = await gql(
        RECORD,
        {
            "input": {
                "meetingId": payload["meeting"]["id"],
                "minutes": "物业列席",
                "attendance": 9,
                "decisions": [{"caseId": case["id"], "decision": "物业限期维修"}],
                "attendedOrganisationIds": [to_global_id("Organisation", party.id)],
                "attendedFirmIds": [to_global_id("Firm", manager.id)],
            }
        },
        auth=p["worker"],
    )
    held = recorded["data"]["recordCouncilMeeting"]
    assert held["errors"] == []
    assert held["meeting"]["participants"] == [
        {"organisationName": party.name, "firmName": None, "attended": True},
        {"organisationName": "业主委员会", "firmName": None, "attended": False},
        {"organisationName": None, "firmName": manager.name, "attended": True},
    ]
