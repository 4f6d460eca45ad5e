"""Issue 16 #3: runFirmAssessment graded every firm EXCELLENT for a quarter that had not
ended and had no survey nor party evaluation, and a period could be assessed once only.
Now: a period is assessed after it ends (the city's calendar day); a missing mandatory
input refuses the run naming each firm, compound and input; a re-run supersedes the
previous run, kept as history, until the city publishes; credit consequences follow
publication; credit deducted in the period lowers the score and a blacklisting vetoes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from core.infra.enums import Role
from core.infra.tenancy import in_city
from core.plugins import settings as plugin_settings
from core.security.auth import Principal, Scope, ScopeKind
from plugins.dongguan_assessment.models import AssessmentRun, CreditDeduction, FirmAssessment
from schema.api.ids import to_global_id
from tests.conftest import GraphQLClient, token
from tests.plugins.dongguan_assessment.scenario import (
    INPUT,
    PUBLISH,
    admin,
    assessed_town,
    record,
    run,
    run_and_publish,
    today_is,
)

ADMIN = Principal(city="dongguan", role=Role.CITY_ADMIN, subject="admin-dg")
RESULTS = """query($p: String!, $v: Int) { firmAssessments(period: $p, version: $v) {
    totalCount nodes { rank score grade firm { name } } } }"""
RUNS = """query($p: String!) { firmAssessmentRuns(period: $p) {
    id version status publishedAt assessments { score } } }"""


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    with today_is():
        yield


async def _nothing_written() -> None:
    with in_city("dongguan"):
        assert await AssessmentRun.all().count() == 0
        assert await FirmAssessment.all().count() == 0


async def test_a_period_is_assessed_only_after_it_ends_on_the_citys_calendar(
    empty_db: str, gql: GraphQLClient
):
    town = await assessed_town()
    for c in town.compounds:
        await record(gql, c.id, "2026Q4", survey=80, party=80, failed=[])
    refused = await run(gql, "2026Q4", lang="en")
    assert refused["run"] is None and refused["assessments"] is None
    [error] = refused["errors"]
    assert (error["code"], error["field"]) == ("PERIOD_NOT_ENDED", "period")
    assert error["message"] == (
        "period: 2026Q4 ends on 2026-12-31 and can be assessed only after it ends"
    )
    zh = await run(gql, "2026Q4")
    assert zh["errors"][0]["message"] == "period：2026Q4 于 2026-12-31 结束，结束后方可考核"
    # Its last day is not after its end; the year 2026 has not ended either.
    with today_is(dt.datetime(2026, 12, 31, 15, 59, tzinfo=dt.UTC)):  # 23:59 in Dongguan
        assert [e["code"] for e in (await run(gql, "2026Q4"))["errors"]] == ["PERIOD_NOT_ENDED"]
        assert [e["code"] for e in (await run(gql, "2026"))["errors"]] == ["PERIOD_NOT_ENDED"]
    await _nothing_written()
    # 00:00 on 1 January in Dongguan, still 31 December in UTC: the city's day counts.
    with today_is(dt.datetime(2026, 12, 31, 16, 0, tzinfo=dt.UTC)):
        ran = await run(gql, "2026Q4")
    assert ran["errors"] == [] and ran["run"]["version"] == 1


async def test_missing_mandatory_inputs_refuse_the_run_naming_each_firm_and_input(
    empty_db: str, gql: GraphQLClient
):
    town = await assessed_town()
    c0, c1, c2 = town.compounds
    f0, f1 = (f.name for f in town.firms)
    await record(gql, c0.id, "2026Q3", survey=80, party=80, failed=[])
    c2_id = to_global_id("Compound", c2.id)
    body = await gql(
        INPUT, {"c": c2_id, "p": "2026Q3", "k": "owner_survey", "v": "90"}, auth=admin()
    )
    assert body["data"]["recordAssessmentInput"]["errors"] == []

    refused = await run(gql, "2026Q3", lang="en")
    [error] = refused["errors"]
    assert (error["code"], error["field"]) == ("ASSESSMENT_INPUTS_MISSING", "period")
    missing = error["extensions"]["missing"]
    assert [(m["firm"], m["compound"], m["criterion"]) for m in missing] == [
        (f0, c2.name, "party_evaluation"),
        (f1, c1.name, "owner_survey"),
        (f1, c1.name, "party_evaluation"),
    ]
    assert missing[0]["firmId"] == to_global_id("Firm", town.firms[0].id)
    assert missing[0]["compoundId"] == c2_id
    assert error["message"] == (
        f"period: 2026Q3 lacks 3 mandatory inputs: {f0} / {c2.name}: party organisation's "
        f"evaluation; {f1} / {c1.name}: owners' satisfaction survey; {f1} / {c1.name}: "
        "party organisation's evaluation"
    )
    zh = (await run(gql, "2026Q3"))["errors"][0]["message"]
    assert zh.startswith(
        f"period：2026Q3 缺少 3 项必填考核数据：{f0} / {c2.name}：社区党组织评价；"
    )
    await _nothing_written()

    # The city makes the inspection mandatory too: the compounds without one are named.
    with in_city("dongguan"):
        await plugin_settings.update_plugin(
            ADMIN,
            "dongguan_assessment",
            {"mandatory_inputs": ["owner_survey", "party_evaluation", "inspection"]},
        )
    await record(gql, c1.id, "2026Q3", survey=60, party=60, failed=[])
    body = await gql(
        INPUT, {"c": c2_id, "p": "2026Q3", "k": "party_evaluation", "v": "85"}, auth=admin()
    )
    [error] = (await run(gql, "2026Q3"))["errors"]
    assert [(m["compound"], m["criterion"]) for m in error["extensions"]["missing"]] == [
        (c2.name, "inspection")
    ]
    await record(gql, c2.id, "2026Q3", survey=90, party=85, failed=[])
    ran = await run(gql, "2026Q3")
    assert ran["errors"] == [] and len(ran["assessments"]) == 2


async def test_a_run_is_superseded_by_a_rerun_until_the_city_publishes_it(
    empty_db: str, gql: GraphQLClient
):
    town = await assessed_town()
    c0, c1, c2 = town.compounds
    for c in (c0, c2):
        await record(gql, c.id, "2026Q2", survey=80, party=80, failed=[])
    await record(gql, c1.id, "2026Q2", survey=20, party=30, failed=["FIRE_ACCESS"])
    first = await run(gql, "2026Q2")
    assert first["run"]["version"] == 1 and first["run"]["status"] == "DRAFT"
    assert [a["grade"] for a in first["assessments"]] == ["GOOD", "FAIL"]
    # A draft costs nothing: the failing firm has no deduction yet.
    with in_city("dongguan"):
        assert await CreditDeduction.all().count() == 0

    # The survey was entered wrong: corrected, and the period run again.
    await record(gql, c1.id, "2026Q2", survey=90, party=90, failed=[])
    second = await run(gql, "2026Q2")
    assert (second["run"]["version"], second["errors"]) == (2, [])
    assert [a["grade"] for a in second["assessments"]] == ["EXCELLENT", "GOOD"]

    current = (await gql(RESULTS, {"p": "2026Q2"}, auth=admin()))["data"]["firmAssessments"]
    assert [n["grade"] for n in current["nodes"]] == ["EXCELLENT", "GOOD"]
    earlier = (await gql(RESULTS, {"p": "2026Q2", "v": 1}, auth=admin()))["data"]
    assert [n["grade"] for n in earlier["firmAssessments"]["nodes"]] == ["GOOD", "FAIL"]
    # Drafts are the office's: anyone else sees no result of the period until it is published.
    public = (await gql(RESULTS, {"p": "2026Q2"}))["data"]["firmAssessments"]
    assert (public["totalCount"], public["nodes"]) == (0, [])
    assert (await gql(RUNS, {"p": "2026Q2"}))["data"]["firmAssessmentRuns"] == []
    history = (await gql(RUNS, {"p": "2026Q2"}, auth=admin()))["data"]["firmAssessmentRuns"]
    assert [(r["version"], r["status"]) for r in history] == [(2, "DRAFT"), (1, "SUPERSEDED")]
    assert len(history[1]["assessments"]) == 2  # the earlier result is kept

    # Both runs are in the audit log, each naming its run.
    log = await gql(
        '{ auditLog(first: 10, filter: {operation: "runFirmAssessment"}) {'
        " nodes { targetIds outcome } } }",
        auth=admin(),
    )
    assert [n["targetIds"] for n in log["data"]["auditLog"]["nodes"]] == [
        [second["run"]["id"]],
        [first["run"]["id"]],
    ]

    # Only the current run is published, and only by the city.
    stale = (await gql(PUBLISH, {"id": first["run"]["id"]}, auth=admin(), lang="en"))["data"]
    [error] = stale["publishFirmAssessment"]["errors"]
    assert (error["code"], error["message"]) == (
        "ASSESSMENT_SUPERSEDED",
        "runId: run 1 of 2026Q2 is superseded by run 2",
    )
    street = token(
        "dongguan", Role.STREET_ADMIN, Scope(ScopeKind.STREET, town.streets[0].id), subject="s"
    )
    forbidden = await gql(PUBLISH, {"id": second["run"]["id"]}, auth=street, expect_errors=True)
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    published = (await gql(PUBLISH, {"id": second["run"]["id"]}, auth=admin()))["data"]
    assert published["publishFirmAssessment"]["run"]["status"] == "PUBLISHED"
    public = (await gql(RESULTS, {"p": "2026Q2"}))["data"]["firmAssessments"]
    assert [n["grade"] for n in public["nodes"]] == ["EXCELLENT", "GOOD"]
    assert [
        r["version"] for r in (await gql(RUNS, {"p": "2026Q2"}))["data"]["firmAssessmentRuns"]
    ] == [2]

    # Published: final. No re-run, no input changed, no second publication.
    again = await run(gql, "2026Q2", lang="en")
    [error] = again["errors"]
    assert error["code"] == "ASSESSMENT_PUBLISHED"
    assert error["message"] == (
        "period: the assessment of 2026Q2 (run 2) was published on 2026-12-08; "
        "it can no longer change"
    )
    changed = await gql(
        INPUT,
        {"c": to_global_id("Compound", c1.id), "p": "2026Q2", "k": "owner_survey", "v": "10"},
        auth=admin(),
    )
    assert [e["code"] for e in changed["data"]["recordAssessmentInput"]["errors"]] == [
        "ASSESSMENT_PUBLISHED"
    ]
    twice = (await gql(PUBLISH, {"id": second["run"]["id"]}, auth=admin()))["data"]
    assert [e["code"] for e in twice["publishFirmAssessment"]["errors"]] == ["ASSESSMENT_PUBLISHED"]
    with in_city("dongguan"):
        assert await AssessmentRun.filter(period="2026Q2").count() == 2


async def test_publication_applies_the_credit_consequences_of_the_published_run(
    empty_db: str, gql: GraphQLClient
):
    town = await assessed_town()
    c0, c1, c2 = town.compounds
    for c in (c0, c2):
        await record(gql, c.id, "2026Q1", survey=80, party=80, failed=[])
    await record(gql, c1.id, "2026Q1", survey=20, party=30, failed=["FIRE_ACCESS"])
    await run_and_publish(gql, "2026Q1")
    with in_city("dongguan"):
        deducted = await CreditDeduction.all().values("firm_id", "kind", "source")
    assert deducted == [
        {"firm_id": town.firms[1].id, "kind": "ASSESSMENT_FAILED", "source": "assessment:2026Q1"}
    ]


DEDUCT = """mutation($i: RecordCreditEventInput!) { recordCreditEvent(input: $i) {
    errors { field code } } }"""


async def test_credit_deducted_in_the_period_lowers_the_score_and_a_blacklisting_vetoes(
    empty_db: str, gql: GraphQLClient
):
    town = await assessed_town()
    c0, c1, c2 = town.compounds
    for c in (c0, c2):
        await record(gql, c.id, "2026Q1", survey=90, party=90, failed=[])  # 94 each
    await record(gql, c1.id, "2026Q1", survey=80, party=80, failed=[])  # 88
    firm0, firm1 = (to_global_id("Firm", f.id) for f in town.firms)
    for points, day in (("8", "2026-02-10"), ("3", "2026-04-02")):  # the second: next quarter
        event = {"firmId": firm0, "kind": "DEDUCTION", "points": points, "reason": "公示不全",
                 "source": "street_office", "occurredOn": day}  # fmt: skip
        assert (await gql(DEDUCT, {"i": event}, auth=admin()))["data"]["recordCreditEvent"][
            "errors"
        ] == []
    ran = await run(gql, "2026Q1", lang="en")
    # Firm 0 would lead with 94; 8 points deducted in the quarter put it behind firm 1's 88.
    second, first = ran["assessments"][1], ran["assessments"][0]
    assert (first["firm"]["name"], first["score"], first["creditPoints"]) == (
        town.firms[1].name,
        "88.00",
        "0.00",
    )
    assert (second["firm"]["name"], second["baseScore"], second["creditPoints"]) == (
        town.firms[0].name,
        "94.00",
        "8.00",
    )
    assert (second["creditDeduction"], second["score"], second["grade"]) == (
        "8.00",
        "86.00",
        "GOOD",
    )

    # The city weighs credit half as much: run again, 4 points off.
    with in_city("dongguan"):
        await plugin_settings.update_plugin(
            ADMIN, "dongguan_assessment", {"credit_points_factor": "0.5"}
        )
    again = (await run(gql, "2026Q1"))["assessments"][0]
    assert (again["firm"]["name"], again["creditDeduction"], again["score"], again["grade"]) == (
        town.firms[0].name,
        "4.00",
        "90.00",
        "EXCELLENT",
    )

    # A serious violation in the quarter blacklists firm 1: vetoed, FAIL, ranked last.
    serious = {"firmId": firm1, "kind": "SERIOUS_VIOLATION", "reason": "挪用专项维修资金",
               "source": "inspection", "occurredOn": "2026-03-15"}  # fmt: skip
    assert (await gql(DEDUCT, {"i": serious}, auth=admin()))["data"]["recordCreditEvent"][
        "errors"
    ] == []
    vetoed = await run(gql, "2026Q1", lang="en")
    assert [
        (a["firm"]["name"], a["rank"], a["grade"], a["passed"]) for a in vetoed["assessments"]
    ] == [
        (town.firms[0].name, 1, "EXCELLENT", True),
        (town.firms[1].name, 2, "FAIL", False),
    ]
    assert vetoed["assessments"][1]["veto"] == (
        "blacklisted on 2026-03-15 (serious violation: 挪用专项维修资金): vetoed"
    )
    # Once the city no longer vetoes, the blacklisted firm's score stands.
    with in_city("dongguan"):
        await plugin_settings.update_plugin(
            ADMIN, "dongguan_assessment", {"blacklisting_fails": False}
        )
    lifted = (await run(gql, "2026Q1"))["assessments"]
    assert [(a["rank"], a["veto"]) for a in lifted] == [(1, None), (2, None)]
