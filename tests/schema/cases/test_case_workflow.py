"""The six-stage procedure through the API: a dispute from filing to closing, each refusal."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from core.infra.clock import frozen_at
from core.infra.enums import OrganisationKind, Role
from core.infra.tenancy import in_city
from core.models import Case, CaseTransition, Organisation, ResidentRating
from core.security.auth import Scope, ScopeKind
from schema.api.ids import to_global_id
from tests.conftest import GraphQLClient, token
from tests.factories import Town, build_town

CASE = "id stage version topic category stageDueOn escalationLevel"
FILE = f"""mutation($input: FileCaseInput!) {{ fileCase(input: $input) {{
    case {{ {CASE} onBehalfOf }} errors {{ field code message }} }} }}"""
ADVANCE = f"""mutation($input: AdvanceCaseInput!) {{ advanceCase(input: $input) {{
    case {{ {CASE} }} errors {{ field code message }} }} }}"""
TOPIC = f"""mutation($input: DetermineTopicInput!) {{ determineTopic(input: $input) {{
    case {{ {CASE} }} errors {{ field code }} }} }}"""
SCHEDULE = """mutation($input: ScheduleCouncilMeetingInput!) {
    scheduleCouncilMeeting(input: $input) { meeting { id held } errors { field code } } }"""
RECORD = """mutation($input: RecordCouncilMeetingInput!) {
    recordCouncilMeeting(input: $input) { meeting { id held attendance
        agenda { caseId decision } participants { organisationName attended } }
        errors { field code } } }"""
EXECUTOR = f"""mutation($input: AssignExecutorInput!) {{ assignExecutor(input: $input) {{
    case {{ {CASE} executors {{ dueOn firm {{ name }} }} }} errors {{ field code }} }} }}"""
PROGRESS = f"""mutation($input: ReportProgressInput!) {{ reportProgress(input: $input) {{
    case {{ {CASE} }} errors {{ field code }} }} }}"""
RATE = """mutation($input: RateCaseInput!) { rateCase(input: $input) {
    case { id ratings { count mean threshold belowThreshold } } errors { field code } } }"""
REOPEN = f"""mutation($input: ReopenCaseInput!) {{ reopenCase(input: $input) {{
    case {{ {CASE} }} errors {{ field code }} }} }}"""
READ = """query($id: ID!) { node(id: $id) { ... on Case { stage version
    timeline { kind fromStage toStage actor actorRole note }
    ratings { count mean } meetings { heldOn held decision } progressReports { text } } } }"""

NOW = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)  # Monday 10:00 in Dongguan


@pytest.fixture
async def town(empty_db: str) -> Town:
    return await build_town("dongguan", compounds=4, cases_each=0)


@pytest.fixture(autouse=True)
def clock():
    with frozen_at(NOW):
        yield


def people(town: Town) -> dict[str, str]:
    compound = town.compounds[0]
    return {
        "resident": token(
            "dongguan", Role.RESIDENT, Scope(ScopeKind.COMPOUND, compound.id), subject="owner-1"
        ),
        "resident2": token(
            "dongguan", Role.RESIDENT, Scope(ScopeKind.COMPOUND, compound.id), subject="owner-2"
        ),
        "worker": token(
            "dongguan",
            Role.COMMUNITY_WORKER,
            Scope(ScopeKind.COMMUNITY, compound.community_id),
            subject="worker-1",
        ),
        "other_worker": token(
            "dongguan", Role.COMMUNITY_WORKER, Scope(ScopeKind.COMMUNITY, town.communities[1].id)
        ),
        "firm": token(
            "dongguan",
            Role.FIRM_STAFF,
            Scope(ScopeKind.FIRM, town.firms[0].id),
            subject="steward-1",
        ),
        "outsider": token(
            "dongguan",
            Role.RESIDENT,
            Scope(ScopeKind.COMPOUND, town.compounds[1].id),
            subject="owner-9",
        ),
    }


async def file_dispute(gql: GraphQLClient, town: Town, auth: str) -> dict:
    body = await gql(
        FILE,
        {
            "input": {
                "kind": "PROPERTY_DISPUTE",
                "title": "电梯长期停用",
                "compoundId": to_global_id("Compound", town.compounds[0].id),
            }
        },
        auth=auth,
    )
    assert body["data"]["fileCase"]["errors"] == []
    return body["data"]["fileCase"]["case"]


async def advance(gql, case, to, auth, **extra):
    body = await gql(
        ADVANCE,
        {"input": {"caseId": case["id"], "version": case["version"], "toStage": to, **extra}},
        auth=auth,
        lang="en",
    )
    return body["data"]["advanceCase"]


def ok(payload: dict) -> dict:
    assert payload["errors"] == [], payload["errors"]
    return payload["case"]


async def party_org(town: Town) -> Organisation:
    with in_city("dongguan"):
        return await Organisation.get(kind=OrganisationKind.PARTY_COMMUNITY)


async def test_a_dispute_walks_from_filing_to_closing(town, gql: GraphQLClient):
    p = people(town)
    case = await file_dispute(gql, town, p["resident"])
    assert case["stage"] == "TOPIC_COLLECTION"
    assert case["stageDueOn"] == "2026-06-08"  # 5 working days
    case = ok(await advance(gql, case, "TOPIC_DETERMINATION", p["worker"], note="收集完毕"))
    case = ok(
        (
            await gql(
                TOPIC,
                {
                    "input": {
                        "caseId": case["id"],
                        "version": case["version"],
                        "topic": "更换电梯",
                        "category": "REPAIRS",
                    }
                },
                auth=p["worker"],
            )
        )["data"]["determineTopic"]
    )
    assert (case["topic"], case["category"]) == ("更换电梯", "REPAIRS")
    case = ok(await advance(gql, case, "CONSULTATION_MEETING", p["worker"]))

    org = await party_org(town)
    scheduled = await gql(
        SCHEDULE,
        {
            "input": {
                "compoundId": to_global_id("Compound", town.compounds[0].id),
                "heldOn": "2026-06-01",
                "convenerId": to_global_id("Organisation", org.id),
                "agendaCaseIds": [case["id"]],
                "organisationIds": [to_global_id("Organisation", org.id)],
            }
        },
        auth=p["worker"],
    )
    meeting = scheduled["data"]["scheduleCouncilMeeting"]
    assert meeting["errors"] == [] and meeting["meeting"]["held"] is False
    recorded = await gql(
        RECORD,
        {
            "input": {
                "meetingId": meeting["meeting"]["id"],
                "minutes": "议定更换电梯",
                "attendance": 12,
                "decisions": [{"caseId": case["id"], "decision": "由物业更换电梯，维修基金支付"}],
                "attendedOrganisationIds": [to_global_id("Organisation", org.id)],
            }
        },
        auth=p["worker"],
    )
    held = recorded["data"]["recordCouncilMeeting"]
    assert held["errors"] == []
    assert held["meeting"]["held"] is True and held["meeting"]["attendance"] == 12
    assert held["meeting"]["agenda"] == [
        {"caseId": case["id"], "decision": "由物业更换电梯，维修基金支付"}
    ]
    assert held["meeting"]["participants"] == [{"organisationName": org.name, "attended": True}]

    case = ok(await advance(gql, case, "DECISION_EXECUTION", p["worker"]))
    case = ok(
        (
            await gql(
                EXECUTOR,
                {
                    "input": {
                        "caseId": case["id"],
                        "firmId": to_global_id("Firm", town.firms[0].id),
                        "dueOn": "2026-07-01",
                    }
                },
                auth=p["worker"],
            )
        )["data"]["assignExecutor"]
    )
    case = ok(await advance(gql, case, "SUPERVISION_FEEDBACK", p["worker"]))
    # The executing firm's staff report progress on their own case.
    case = ok(
        (
            await gql(
                PROGRESS,
                {"input": {"caseId": case["id"], "text": "电梯已安装", "percent": 100}},
                auth=p["firm"],
            )
        )["data"]["reportProgress"]
    )
    # The party organisation supervises the firm's work (监督反馈).
    case = ok(
        (
            await gql(
                PROGRESS,
                {
                    "input": {
                        "caseId": case["id"],
                        "text": "党组织现场查验",
                        "supervisorId": to_global_id("Organisation", org.id),
                    }
                },
                auth=p["worker"],
            )
        )["data"]["reportProgress"]
    )
    case = ok(await advance(gql, case, "RESIDENT_EVALUATION", p["worker"]))
    for who, score in (("resident", 5), ("resident2", 4)):
        rated = await gql(RATE, {"input": {"caseId": case["id"], "score": score}}, auth=p[who])
        assert rated["data"]["rateCase"]["errors"] == []
    assert rated["data"]["rateCase"]["case"]["ratings"] == {
        "count": 2,
        "mean": 4.5,
        "threshold": 3.0,
        "belowThreshold": False,
    }
    case = ok(await advance(gql, case, "CLOSED", p["worker"], note="居民满意"))
    assert case["stage"] == "CLOSED" and case["stageDueOn"] is None

    read = (await gql(READ, {"id": case["id"]}, auth=p["resident"]))["data"]["node"]
    assert [(t["kind"], t["fromStage"], t["toStage"]) for t in read["timeline"]] == [
        ("FILED", None, "TOPIC_COLLECTION"),
        ("ADVANCED", "TOPIC_COLLECTION", "TOPIC_DETERMINATION"),
        ("ADVANCED", "TOPIC_DETERMINATION", "CONSULTATION_MEETING"),
        ("ADVANCED", "CONSULTATION_MEETING", "DECISION_EXECUTION"),
        ("ADVANCED", "DECISION_EXECUTION", "SUPERVISION_FEEDBACK"),
        ("ADVANCED", "SUPERVISION_FEEDBACK", "RESIDENT_EVALUATION"),
        ("ADVANCED", "RESIDENT_EVALUATION", "CLOSED"),
    ]
    assert read["timeline"][1]["actor"] == "worker-1"
    assert read["timeline"][1]["actorRole"] == "COMMUNITY_WORKER"
    assert read["timeline"][1]["note"] == "收集完毕"
    assert read["meetings"] == [
        {"heldOn": "2026-06-01", "held": True, "decision": "由物业更换电梯，维修基金支付"}
    ]
    assert read["ratings"] == {"count": 2, "mean": 4.5}

    # Closed is read-only.
    closed = await advance(gql, case, "CLOSED", p["worker"])
    assert [e["code"] for e in closed["errors"]] == ["CASE_CLOSED"]


async def _codes(payload: dict) -> list[tuple[str | None, str]]:
    return [(e["field"], e["code"]) for e in payload["errors"]]


async def test_refusals_name_what_is_wrong_and_write_nothing(town, gql: GraphQLClient):
    p = people(town)
    case = await file_dispute(gql, town, p["resident"])
    with in_city("dongguan"):
        before = await CaseTransition.all().count()
    # Skipping a stage.
    assert await _codes(await advance(gql, case, "CONSULTATION_MEETING", p["worker"])) == [
        ("toStage", "OUT_OF_ORDER")
    ]
    # A stage of another workflow.
    assert await _codes(await advance(gql, case, "ACCEPTED", p["worker"])) == [
        ("toStage", "STAGE_NOT_IN_WORKFLOW")
    ]
    # A stage that does not exist is refused by the schema.
    body = await gql(
        ADVANCE,
        {"input": {"caseId": case["id"], "version": 1, "toStage": "NOPE"}},
        auth=p["worker"],
        expect_errors=True,
    )
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION"
    # A resident may file but move no case on, whatever its stage; another community
    # cannot see it.
    body = await gql(
        ADVANCE,
        {"input": {"caseId": case["id"], "version": 1, "toStage": "TOPIC_DETERMINATION"}},
        auth=p["resident"],
        expect_errors=True,
    )
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await _codes(await advance(gql, case, "TOPIC_DETERMINATION", p["other_worker"])) == [
        ("caseId", "NOT_FOUND")
    ]
    # A stale version.
    stale = {**case, "version": 7}
    assert await _codes(await advance(gql, stale, "TOPIC_DETERMINATION", p["worker"])) == [
        ("version", "VERSION_CONFLICT")
    ]
    case = ok(await advance(gql, case, "TOPIC_DETERMINATION", p["worker"]))
    # Leaving topic determination needs the topic and its category.
    payload = await advance(gql, case, "CONSULTATION_MEETING", p["worker"])
    assert await _codes(payload) == [("topic", "TOPIC_MISSING")]
    assert "topic" in payload["errors"][0]["message"]
    topic = await gql(
        TOPIC,
        {"input": {"caseId": case["id"], "version": case["version"], "topic": " "}},
        auth=p["worker"],
    )
    assert await _codes(topic["data"]["determineTopic"]) == [
        ("topic", "REQUIRED"),
        ("category", "REQUIRED"),
    ]
    case = ok(
        (
            await gql(
                TOPIC,
                {
                    "input": {
                        "caseId": case["id"],
                        "version": case["version"],
                        "topic": "停车",
                        "category": "PARKING",
                    }
                },
                auth=p["worker"],
            )
        )["data"]["determineTopic"]
    )
    case = ok(await advance(gql, case, "CONSULTATION_MEETING", p["worker"]))
    # No meeting decided it yet.
    assert await _codes(await advance(gql, case, "DECISION_EXECUTION", p["worker"])) == [
        ("decision", "DECISION_MISSING")
    ]
    with in_city("dongguan"):
        assert await CaseTransition.all().count() == before + 2
        # filed 1, moved 2, topic 3, moved 4: no refusal wrote anything.
        assert (await Case.first()).version == 4  # type: ignore[union-attr]


async def walk_to_evaluation(gql: GraphQLClient, town: Town, p: dict) -> dict:
    """File and move a dispute to RESIDENT_EVALUATION with everything on record."""
    case = await file_dispute(gql, town, p["resident"])
    case = ok(await advance(gql, case, "TOPIC_DETERMINATION", p["worker"]))
    case = ok(
        (
            await gql(
                TOPIC,
                {
                    "input": {
                        "caseId": case["id"],
                        "version": case["version"],
                        "topic": "绿化",
                        "category": "ENVIRONMENT",
                    }
                },
                auth=p["worker"],
            )
        )["data"]["determineTopic"]
    )
    case = ok(await advance(gql, case, "CONSULTATION_MEETING", p["worker"]))
    org = await party_org(town)
    meeting = (
        await gql(
            SCHEDULE,
            {
                "input": {
                    "compoundId": to_global_id("Compound", town.compounds[0].id),
                    "heldOn": "2026-05-30",
                    "convenerId": to_global_id("Organisation", org.id),
                    "agendaCaseIds": [case["id"]],
                }
            },
            auth=p["worker"],
        )
    )["data"]["scheduleCouncilMeeting"]["meeting"]
    await gql(
        RECORD,
        {
            "input": {
                "meetingId": meeting["id"],
                "minutes": "m",
                "attendance": 5,
                "decisions": [{"caseId": case["id"], "decision": "补种"}],
            }
        },
        auth=p["worker"],
    )
    case = ok(await advance(gql, case, "DECISION_EXECUTION", p["worker"]))
    assert await _codes(await advance(gql, case, "SUPERVISION_FEEDBACK", p["worker"])) == [
        ("executor", "EXECUTOR_MISSING")
    ]
    case = ok(
        (
            await gql(
                EXECUTOR,
                {
                    "input": {
                        "caseId": case["id"],
                        "organisationId": to_global_id("Organisation", org.id),
                        "dueOn": "2026-06-30",
                    }
                },
                auth=p["worker"],
            )
        )["data"]["assignExecutor"]
    )
    case = ok(await advance(gql, case, "SUPERVISION_FEEDBACK", p["worker"]))
    assert await _codes(await advance(gql, case, "RESIDENT_EVALUATION", p["worker"])) == [
        ("progress", "PROGRESS_MISSING"),
        ("supervision", "SUPERVISION_MISSING"),
    ]
    # Firm staff whose firm is not the executor may not report.
    body = await gql(
        PROGRESS, {"input": {"caseId": case["id"], "text": "x"}}, auth=p["firm"], expect_errors=True
    )
    assert body["errors"][0]["extensions"]["code"] == "NOT_EXECUTOR"
    case = ok(
        (
            await gql(
                PROGRESS, {"input": {"caseId": case["id"], "text": "已补种"}}, auth=p["worker"]
            )
        )["data"]["reportProgress"]
    )
    await supervise(gql, case, await owners_committee(town), p["worker"])
    case = ok(await advance(gql, case, "RESIDENT_EVALUATION", p["worker"]))
    assert await _codes(await advance(gql, case, "CLOSED", p["worker"])) == [
        ("ratings", "RATINGS_MISSING")
    ]
    return case


async def owners_committee(town: Town) -> Organisation:
    with in_city("dongguan"):
        return await Organisation.create(
            kind=OrganisationKind.OWNERS_COMMITTEE, name="业主委员会", compound=town.compounds[0]
        )


async def supervise(gql: GraphQLClient, case: dict, org: Organisation, auth: str) -> dict:
    body = await gql(
        PROGRESS,
        {
            "input": {
                "caseId": case["id"],
                "text": "业委会查验",
                "supervisorId": to_global_id("Organisation", org.id),
            }
        },
        auth=auth,
    )
    return body["data"]["reportProgress"]


async def test_rating_rules_and_reopening_below_the_threshold(town, gql: GraphQLClient):
    p = people(town)
    case = await walk_to_evaluation(gql, town, p)
    for score in (0, 6):
        body = await gql(
            RATE, {"input": {"caseId": case["id"], "score": score}}, auth=p["resident"]
        )
        assert await _codes(body["data"]["rateCase"]) == [("score", "OUT_OF_RANGE")]
    body = await gql(
        RATE, {"input": {"caseId": case["id"], "score": 2, "comment": "没补完"}}, auth=p["resident"]
    )
    assert body["data"]["rateCase"]["case"]["ratings"]["belowThreshold"] is True
    again = await gql(RATE, {"input": {"caseId": case["id"], "score": 5}}, auth=p["resident"])
    assert await _codes(again["data"]["rateCase"]) == [("caseId", "ALREADY_RATED")]
    # A resident of another compound cannot see the case, so cannot rate it.
    other = await gql(RATE, {"input": {"caseId": case["id"], "score": 5}}, auth=p["outsider"])
    assert await _codes(other["data"]["rateCase"]) == [("caseId", "NOT_FOUND")]
    # Staff do not rate.
    body = await gql(
        RATE, {"input": {"caseId": case["id"], "score": 5}}, auth=p["worker"], expect_errors=True
    )
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    with in_city("dongguan"):
        assert await ResidentRating.all().count() == 1

    reopened = (
        await gql(
            REOPEN, {"input": {"caseId": case["id"], "version": case["version"]}}, auth=p["worker"]
        )
    )["data"]["reopenCase"]
    case = ok(reopened)
    assert case["stage"] == "DECISION_EXECUTION"
    # A new round: the same resident may rate again once the case is back in evaluation.
    read = (await gql(READ, {"id": case["id"]}, auth=p["worker"]))["data"]["node"]
    assert read["ratings"] == {"count": 0, "mean": None}
    assert read["timeline"][-1]["kind"] == "REOPENED"


async def test_a_well_rated_case_cannot_be_reopened(town, gql: GraphQLClient):
    p = people(town)
    case = await walk_to_evaluation(gql, town, p)
    await gql(RATE, {"input": {"caseId": case["id"], "score": 3}}, auth=p["resident"])
    body = await gql(
        REOPEN, {"input": {"caseId": case["id"], "version": case["version"]}}, auth=p["worker"]
    )
    assert await _codes(body["data"]["reopenCase"]) == [("caseId", "NOT_BELOW_THRESHOLD")]


async def test_two_concurrent_moves_with_one_version_exactly_one_wins(town, gql: GraphQLClient):
    p = people(town)
    case = await file_dispute(gql, town, p["resident"])
    results = await asyncio.gather(
        advance(gql, case, "TOPIC_DETERMINATION", p["worker"], note="first"),
        advance(gql, case, "TOPIC_DETERMINATION", p["worker"], note="second"),
    )
    codes = sorted(tuple(e["code"] for e in r["errors"]) for r in results)
    assert codes == [(), ("VERSION_CONFLICT",)]
    with in_city("dongguan"):
        row = await Case.get(id=(await Case.first()).id)
        assert (row.stage, row.version) == ("TOPIC_DETERMINATION", 2)
        moves = await CaseTransition.filter(kind="ADVANCED").values_list("note", flat=True)
    assert len(moves) == 1


async def test_case_records_cost_the_same_statements_whatever_the_page_size(
    town, gql: GraphQLClient
):
    from core.infra.db import StatementCounter

    p = people(town)
    for i in range(10):
        case = await file_dispute(gql, town, p["resident"])
        if i % 2:
            ok(await advance(gql, case, "TOPIC_DETERMINATION", p["worker"]))
    query = """query($n: Int) { cases(first: $n) { nodes { title
        timeline { kind actor } ratings { count mean } meetings { heldOn decision }
        executors { dueOn firm { name } organisation { name } } progressReports { text }
        mediationSessions { heldOn } } } }"""
    counts = {}
    for n in (2, 10):
        with StatementCounter() as counter:
            body = await gql(query, {"n": n}, auth=p["worker"])
        assert len(body["data"]["cases"]["nodes"]) == n
        counts[n] = counter.count
    assert counts[2] == counts[10]
