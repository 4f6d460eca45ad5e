"""Plugins hear the case workflow: transitions and held meetings, inside their transaction."""

from __future__ import annotations

from types import ModuleType

from core.infra.enums import OrganisationKind, Role
from core.infra.tenancy import in_city
from core.models import Case, CaseTransition, Organisation
from core.plugins import settings as plugin_settings
from core.security.auth import Scope, ScopeKind
from schema.api.ids import to_global_id
from tests.conftest import GraphQLClient, token
from tests.factories import build_town
from tests.plugins.conftest import DONGGUAN_ADMIN

FILE = """mutation($input: FileCaseInput!) { fileCase(input: $input) { case { id version } } }"""
ADVANCE = """mutation($input: AdvanceCaseInput!) { advanceCase(input: $input) {
    case { stage version } errors { code } } }"""


async def test_a_move_and_a_meeting_reach_the_plugins(sample: ModuleType, gql: GraphQLClient):
    town = await build_town("dongguan", compounds=1, cases_each=0)
    compound = town.compounds[0]
    worker = token(
        "dongguan",
        Role.COMMUNITY_WORKER,
        Scope(ScopeKind.COMMUNITY, compound.community_id),
        subject="w-1",
    )
    filed = await gql(
        FILE,
        {
            "input": {
                "kind": "PROPERTY_DISPUTE",
                "title": "漏水",
                "compoundId": to_global_id("Compound", compound.id),
            }
        },
        auth=worker,
    )
    case = filed["data"]["fileCase"]["case"]
    moved = await gql(
        ADVANCE,
        {
            "input": {
                "caseId": case["id"],
                "version": 1,
                "toStage": "TOPIC_DETERMINATION",
                "note": "n",
            }
        },
        auth=worker,
    )
    assert moved["data"]["advanceCase"]["errors"] == []
    changed = [event for hook, _, event in sample.calls if hook == "case_stage_changed"]
    event, seen_in_transaction = changed[0]
    assert (event.from_stage, event.to_stage, event.version, event.actor, event.note) == (
        "TOPIC_COLLECTION",
        "TOPIC_DETERMINATION",
        2,
        "w-1",
        "n",
    )
    assert seen_in_transaction

    with in_city("dongguan"):
        org = await Organisation.get(kind=OrganisationKind.PARTY_COMMUNITY)
    meeting = await gql(
        """mutation($input: ScheduleCouncilMeetingInput!) {
        scheduleCouncilMeeting(input: $input) { meeting { id } } }""",
        {
            "input": {
                "compoundId": to_global_id("Compound", compound.id),
                "heldOn": "2026-01-05",
                "convenerId": to_global_id("Organisation", org.id),
                "agendaCaseIds": [case["id"]],
            }
        },
        auth=worker,
    )
    meeting_id = meeting["data"]["scheduleCouncilMeeting"]["meeting"]["id"]
    await gql(
        """mutation($input: RecordCouncilMeetingInput!) {
        recordCouncilMeeting(input: $input) { errors { code } } }""",
        {"input": {"meetingId": meeting_id, "minutes": "m", "attendance": 3}},
        auth=worker,
    )
    held = [event for hook, _, (event, _) in sample.calls if hook == "meeting_held"]
    assert [(e.compound_id, str(e.held_on), e.case_ids) for e in held] == [
        (compound.id, "2026-01-05", (case_pk(case["id"]),))
    ]


def case_pk(global_id: str) -> int:
    from schema.api.ids import pk_of

    return pk_of(global_id, "Case", "id")


async def test_a_failing_plugin_rolls_the_transition_back(sample: ModuleType, gql: GraphQLClient):
    town = await build_town("dongguan", compounds=1, cases_each=0)
    compound = town.compounds[0]
    worker = token(
        "dongguan", Role.COMMUNITY_WORKER, Scope(ScopeKind.COMMUNITY, compound.community_id)
    )
    filed = await gql(
        FILE,
        {
            "input": {
                "kind": "PROPERTY_DISPUTE",
                "title": "漏水",
                "compoundId": to_global_id("Compound", compound.id),
            }
        },
        auth=worker,
    )
    with in_city("dongguan"):
        await plugin_settings.update_plugin(
            DONGGUAN_ADMIN, "sample", {"fail_on": "case_stage_changed"}
        )
    moved = await gql(
        ADVANCE,
        {
            "input": {
                "caseId": filed["data"]["fileCase"]["case"]["id"],
                "version": 1,
                "toStage": "TOPIC_DETERMINATION",
            }
        },
        auth=worker,
    )
    assert moved["data"]["advanceCase"]["errors"] == [{"code": "PLUGIN_FAILED"}]
    with in_city("dongguan"):
        row = await Case.first()
        assert row is not None and (row.stage, row.version) == ("TOPIC_COLLECTION", 1)
        assert await CaseTransition.filter(kind="ADVANCED").count() == 0
