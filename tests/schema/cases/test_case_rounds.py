"""A reopened case's second round needs its own executor, progress and supervision, and the
supervision comes from a body other than the executor, recorded as such (issue 16)."""

from __future__ import annotations

import pytest

from core.infra.clock import frozen_at
from core.infra.enums import OrganisationKind
from core.infra.tenancy import in_city
from core.models import Organisation
from schema.api.ids import to_global_id
from tests.conftest import GraphQLClient
from tests.factories import Town, build_town
from tests.schema.cases.test_case_workflow import (
    EXECUTOR,
    NOW,
    PROGRESS,
    RATE,
    REOPEN,
    _codes,
    advance,
    ok,
    owners_committee,
    party_org,
    people,
    supervise,
    walk_to_evaluation,
)

RECORDS = """query($id: ID!) { node(id: $id) { ... on Case {
    executors { round firm { name } organisation { name } }
    progressReports { round text supervisor { name } } } } }"""


@pytest.fixture
async def town(empty_db: str) -> Town:
    return await build_town("dongguan", compounds=4, cases_each=0)


@pytest.fixture(autouse=True)
def clock():
    with frozen_at(NOW):
        yield


async def reopened(gql: GraphQLClient, town: Town, p: dict) -> dict:
    """A case walked to evaluation, rated 2 and sent back: round 2 in DECISION_EXECUTION."""
    case = await walk_to_evaluation(gql, town, p)
    await gql(RATE, {"input": {"caseId": case["id"], "score": 2}}, auth=p["resident"])
    body = await gql(
        REOPEN, {"input": {"caseId": case["id"], "version": case["version"]}}, auth=p["worker"]
    )
    return ok(body["data"]["reopenCase"])


async def test_the_second_round_needs_its_own_execution_and_supervision(town, gql: GraphQLClient):
    p = people(town)
    case = await reopened(gql, town, p)
    assert case["stage"] == "DECISION_EXECUTION"
    # Round 1's executor does not carry round 2.
    assert await _codes(await advance(gql, case, "SUPERVISION_FEEDBACK", p["worker"])) == [
        ("executor", "EXECUTOR_MISSING")
    ]
    assigned = await gql(
        EXECUTOR,
        {
            "input": {
                "caseId": case["id"],
                "firmId": to_global_id("Firm", town.firms[0].id),
                "dueOn": "2026-07-15",
            }
        },
        auth=p["worker"],
    )
    case = ok(assigned["data"]["assignExecutor"])
    case = ok(await advance(gql, case, "SUPERVISION_FEEDBACK", p["worker"]))
    # Nor do round 1's progress report and supervision.
    assert await _codes(await advance(gql, case, "RESIDENT_EVALUATION", p["worker"])) == [
        ("progress", "PROGRESS_MISSING"),
        ("supervision", "SUPERVISION_MISSING"),
    ]
    # The executing firm reports its progress, but cannot supervise itself.
    body = await gql(
        PROGRESS, {"input": {"caseId": case["id"], "text": "返工补种"}}, auth=p["firm"]
    )
    ok(body["data"]["reportProgress"])
    own = await gql(
        PROGRESS,
        {
            "input": {
                "caseId": case["id"],
                "text": "自查合格",
                "supervisorId": to_global_id("Organisation", (await party_org(town)).id),
            }
        },
        auth=p["firm"],
        expect_errors=True,
    )
    assert own["errors"][0]["extensions"]["code"] == "NOT_SUPERVISOR"
    assert await _codes(await advance(gql, case, "RESIDENT_EVALUATION", p["worker"])) == [
        ("supervision", "SUPERVISION_MISSING")
    ]
    committee = await owners_committee(town)
    ok(await supervise(gql, case, committee, p["worker"]))
    case = ok(await advance(gql, case, "RESIDENT_EVALUATION", p["worker"]))
    # Round 2's ratings: the same resident rates again.
    rated = await gql(RATE, {"input": {"caseId": case["id"], "score": 4}}, auth=p["resident"])
    assert rated["data"]["rateCase"]["case"]["ratings"]["count"] == 1
    case = ok(await advance(gql, case, "CLOSED", p["worker"]))

    read = (await gql(RECORDS, {"id": case["id"]}, auth=p["worker"]))["data"]["node"]
    org = await party_org(town)
    assert read["executors"] == [
        {"round": 1, "firm": None, "organisation": {"name": org.name}},
        {"round": 2, "firm": {"name": town.firms[0].name}, "organisation": None},
    ]
    assert read["progressReports"] == [
        {"round": 1, "text": "已补种", "supervisor": None},
        {"round": 1, "text": "业委会查验", "supervisor": {"name": "业主委员会"}},
        {"round": 2, "text": "返工补种", "supervisor": None},
        {"round": 2, "text": "业委会查验", "supervisor": {"name": "业主委员会"}},
    ]


async def test_the_supervisor_is_a_supervising_body_other_than_the_executor(
    town, gql: GraphQLClient
):
    p = people(town)
    case = await reopened(gql, town, p)
    org = await party_org(town)
    assigned = await gql(
        EXECUTOR,
        {
            "input": {
                "caseId": case["id"],
                "organisationId": to_global_id("Organisation", org.id),
                "dueOn": "2026-07-15",
            }
        },
        auth=p["worker"],
    )
    case = ok(assigned["data"]["assignExecutor"])
    # Supervision belongs to SUPERVISION_FEEDBACK.
    assert await _codes(await supervise(gql, case, await owners_committee(town), p["worker"])) == [
        ("caseId", "WRONG_STAGE")
    ]
    case = ok(await advance(gql, case, "SUPERVISION_FEEDBACK", p["worker"]))
    # The executing party organisation cannot supervise its own work.
    assert await _codes(await supervise(gql, case, org, p["worker"])) == [
        ("supervisorId", "SUPERVISOR_IS_EXECUTOR")
    ]
    with in_city("dongguan"):
        venue = await Organisation.create(kind=OrganisationKind.SERVICE_VENUE, name="服务中心")
    assert await _codes(await supervise(gql, case, venue, p["worker"])) == [
        ("supervisorId", "NOT_A_SUPERVISOR")
    ]
    with in_city("dongguan"):
        residents = await Organisation.create(
            kind=OrganisationKind.RESIDENTS_COMMITTEE,
            name="居民委员会",
            community_id=town.compounds[0].community_id,
        )
    ok(await supervise(gql, case, residents, p["worker"]))
