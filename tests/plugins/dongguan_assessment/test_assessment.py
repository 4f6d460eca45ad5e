"""Dongguan's assessment, credit and blacklist with real rows: a score computed from
residents' ratings, hand inputs and complaints; two failed quarters blacklist a firm, which
core/firms/contracts.py then refuses; an admin lifts the listing; recordCreditEvent's serious
violation blacklists at once; settings changes take effect on the next run."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest

from core.firms.contracts import create_management_contract
from core.infra.enums import CaseKind, CaseStage, Role
from core.infra.errors import ValidationErrors
from core.infra.tenancy import in_city
from core.models import Case, ResidentRating
from core.plugins import settings as plugin_settings
from core.security.auth import Principal
from schema.api.ids import to_global_id
from tests.conftest import GraphQLClient
from tests.plugins.dongguan_assessment.scenario import (
    STANDING,
    admin,
    assessed_town,
    record,
    run,
    run_and_publish,
    today_is,
)

ADMIN = Principal(city="dongguan", role=Role.CITY_ADMIN, subject="admin-dg")


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    with today_is():
        yield


async def _rated_cases(compound_id: int, scores: list[int], on: dt.datetime) -> None:
    with in_city("dongguan"):
        for i, score in enumerate(scores):
            case = await Case.create(
                kind=CaseKind.PROPERTY_DISPUTE,
                title=f"电梯停运{i}",
                compound_id=compound_id,
                stage=CaseStage.CLOSED,
                stage_entered_at=on,
            )
            await Case.filter(id=case.id).update(created_at=on)
            rating = await ResidentRating.create(case=case, resident_subject=f"r{i}", score=score)
            await ResidentRating.filter(id=rating.id).update(created_at=on)


async def test_scores_come_from_ratings_inputs_and_complaints_and_are_explained(
    empty_db: str, gql: GraphQLClient
):
    town = await assessed_town()
    c0, c1, c2 = town.compounds  # 100, 200, 300 homes; firm 0 manages c0 and c2
    await _rated_cases(c2.id, [5, 4, 3], dt.datetime(2026, 2, 1, 2, tzinfo=dt.UTC))
    await record(gql, c2.id, "2026Q1", survey=85, party=90, failed=["FIRE_ACCESS"])
    await record(gql, c0.id, "2026Q1", survey=60, party=70, failed=["CLEANING", "GREENING"])
    bad = ["FIRE_ACCESS", "FACILITY_UPKEEP", "SECURITY_PATROL"]
    await record(gql, c1.id, "2026Q1", survey=30, party=40, failed=bad)

    result = await run(gql, "2026q1")
    assert result["errors"] == []
    assert result["run"]["period"] == "2026Q1"
    first, second = result["assessments"]
    # c2: satisfaction 0.5*85 + 0.5*75 (ratings 4.0 of 5) = 80, party 90, inspection 80,
    # complaints 3 per 300 homes = 1 per 100 -> 90: (40*80+20*90+30*80+10*90)/100 = 83.
    # c0: (40*60 + 20*70 + 30*75 + 10*100)/100 = 70.5; firm 0 by homes: (100*70.5+300*83)/400.
    assert (first["rank"], first["firm"]["name"], first["score"], first["grade"]) == (
        1,
        town.firms[0].name,
        "79.88",
        "GOOD",
    )
    assert (second["rank"], second["score"], second["grade"], second["passed"]) == (
        2,
        "43.50",
        "FAIL",
        False,
    )
    c2_score = next(c for c in first["compounds"] if c["compound"]["name"] == c2.name)
    assert (c2_score["score"], c2_score["homes"]) == ("83.00", 300)
    inputs = {i["criterion"]: i for i in c2_score["inputs"]}
    assert inputs["owner_satisfaction"]["value"] == "80.00"
    assert inputs["owner_satisfaction"]["detail"]["ratings"] == 3
    assert inputs["owner_satisfaction"]["detail"]["mean_rating"] == "4.00"
    assert inputs["complaint_rate"]["detail"]["complaints"] == 3
    assert inputs["inspection"]["detail"]["failed"][0]["code"] == "FIRE_ACCESS"
    assert inputs["party_evaluation"]["weight"] == "20"
    # No credit deducted in the quarter: the score is the compounds' mean.
    assert (first["baseScore"], first["creditPoints"], first["veto"]) == ("79.88", "0.00", None)


async def test_two_failed_quarters_blacklist_the_firm_and_the_core_refuses_a_contract(
    empty_db: str, gql: GraphQLClient
):
    town = await assessed_town()
    c0, c1, c2 = town.compounds
    bad = ["FIRE_ACCESS", "FACILITY_UPKEEP", "SECURITY_PATROL"]
    for period in ("2026Q1", "2026Q2"):
        for good in (c0, c2):
            await record(gql, good.id, period, survey=80, party=85, failed=[])
        await record(gql, c1.id, period, survey=30, party=40, failed=bad)
        await run_and_publish(gql, period)

    weak = to_global_id("Firm", town.firms[1].id)
    standing = (await gql(STANDING, {"id": weak}, lang="en"))["data"]["node"]["creditStanding"]
    assert standing["level"] == "BLACKLISTED" and standing["label"] == "Blacklisted"
    assert "NO_NEW_CONTRACTS" in standing["restrictions"]
    assert standing["reasons"][0] == "Blacklisted: failed 2 assessments in a row (2026Q1, 2026Q2)"

    with in_city("dongguan"), pytest.raises(ValidationErrors) as refused:
        await create_management_contract(
            ADMIN, c0.id, town.firms[1].id, dt.date(2026, 12, 1), authority_decision="住建局决定"
        )
    [error] = refused.value.errors
    assert (error.code, error.field, error.params["plugin"]) == (
        "PLUGIN_REFUSED",
        "firmId",
        "dongguan_assessment",
    )
    assert "黑名单" in error.render("zh") and "blacklist" in error.render("en")

    listing = await gql(
        "{ dongguanBlacklist(first: 5) { nodes { id reason firm { name } } } }", auth=admin()
    )
    [entry] = listing["data"]["dongguanBlacklist"]["nodes"]
    lift = await gql(
        """mutation($id: ID!) { removeFromBlacklist(entryId: $id, reason: "整改到位，复核通过") {
            entry { removedOn removalReason } errors { code } } }""",
        {"id": entry["id"]},
        auth=admin(),
    )
    assert lift["data"]["removeFromBlacklist"]["entry"]["removalReason"] == "整改到位，复核通过"
    with in_city("dongguan"):
        contract = await create_management_contract(
            ADMIN, c0.id, town.firms[1].id, dt.date(2026, 12, 1), authority_decision="住建局决定"
        )
    assert contract["firm_id"] == town.firms[1].id

    deductions = await gql(
        "query($f: ID!) { firmCreditDeductions(firmId: $f) { nodes { kind points source } } }",
        {"f": weak},
        auth=admin(),
    )
    assert deductions["data"]["firmCreditDeductions"]["nodes"] == [
        {"kind": "ASSESSMENT_FAILED", "points": "10.00", "source": "assessment:2026Q2"},
        {"kind": "ASSESSMENT_FAILED", "points": "10.00", "source": "assessment:2026Q1"},
    ]


RECORD = """mutation($input: RecordCreditEventInput!) { recordCreditEvent(input: $input) {
    record { kind points severity } errors { field code } } }"""


async def test_a_serious_violation_blacklists_at_once_and_settings_take_effect(
    empty_db: str, gql: GraphQLClient
):
    town = await assessed_town()
    firm = to_global_id("Firm", town.firms[0].id)
    event = {
        "firmId": firm,
        "kind": "SERIOUS_VIOLATION",
        "reason": "擅自占用消防通道",
        "source": "inspection",
    }
    body = await gql(RECORD, {"input": event}, auth=admin())
    assert body["data"]["recordCreditEvent"]["record"]["severity"] == "SERIOUS"
    standing = (await gql(STANDING, {"id": firm}))["data"]["node"]["creditStanding"]
    assert standing["level"] == "BLACKLISTED" and standing["regime"] == "dongguan_assessment"

    # An unknown kind and a missing amount are refused together; then the city allows it.
    other = to_global_id("Firm", town.firms[1].id)
    warning = {"firmId": other, "kind": "WARNING", "reason": "公示不全", "source": "hotline"}
    refused = (await gql(RECORD, {"input": warning}, auth=admin()))["data"]["recordCreditEvent"]
    assert {(e["field"], e["code"]) for e in refused["errors"]} == {
        ("kind", "PLUGIN_RULE_VIOLATED"),
        ("points", "REQUIRED"),
    }
    with in_city("dongguan"):
        await plugin_settings.update_plugin(
            ADMIN, "dongguan_assessment", {"deduction_kinds": ["DEDUCTION", "WARNING"]}
        )
    warning["points"] = "3"
    accepted = (await gql(RECORD, {"input": warning}, auth=admin()))["data"]["recordCreditEvent"]
    assert accepted["errors"] == [] and accepted["record"]["points"] == "3.00"

    # Lower the blacklist threshold: the next deduction blacklists by points.
    with in_city("dongguan"):
        await plugin_settings.update_plugin(
            ADMIN, "dongguan_assessment", {"blacklist_points_in_year": Decimal(5)}
        )
    again = dict(warning, kind="DEDUCTION")
    assert (await gql(RECORD, {"input": again}, auth=admin()))["data"]["recordCreditEvent"][
        "errors"
    ] == []
    standing = (await gql(STANDING, {"id": other}))["data"]["node"]["creditStanding"]
    assert standing["level"] == "BLACKLISTED"
    assert standing["reasons"][0] == "黑名单：12个月内累计扣分 6 分，达到 5 分"


async def test_credit_standings_of_a_page_of_firms_cost_a_fixed_number_of_statements(
    empty_db: str, gql: GraphQLClient
):
    from core.infra.db import StatementCounter

    town = await assessed_town()
    c0, c1, c2 = town.compounds
    await record(gql, c0.id, "2026Q1", survey=80, party=90, failed=[])
    await record(gql, c2.id, "2026Q1", survey=90, party=90, failed=[])
    await record(gql, c1.id, "2026Q1", survey=30, party=40, failed=["RECORDS"])
    await run_and_publish(gql, "2026Q1")
    query = "query($n: Int!) { firms(first: $n) { nodes { name creditStanding { level } } } }"
    counts = []
    for n in (1, 2):
        with StatementCounter() as counter:
            body = await gql(query, {"n": n})
        counts.append(counter.count)
        assert len(body["data"]["firms"]["nodes"]) == n
    assert counts[0] == counts[1]
    ranking = await gql(
        "{ firmCreditRanking(first: 5) { nodes { rank firm { name } standing { level score } } } }"
    )
    nodes = ranking["data"]["firmCreditRanking"]["nodes"]
    # Firm 0: c0 (40*80+20*90+30*100+10*100)/100 = 90, c2 94 -> (100*90+300*94)/400 = 93;
    # firm 1: (40*30+20*40+30*90+10*100)/100 = 57.
    assert [(n["rank"], n["standing"]["level"], n["standing"]["score"]) for n in nodes] == [
        (1, "EXCELLENT", "93.00"),
        (2, "FAIL", "57.00"),
    ]


async def test_a_blacklisted_firm_ranks_after_every_firm_in_good_standing(
    empty_db: str, gql: GraphQLClient
):
    # Issue 16.4: the ranking sorted by the regime's score only, so a firm blacklisted for a
    # serious violation kept its high assessment score and ranked first.
    town = await assessed_town()
    best, worst = town.firms
    c0, c1, c2 = town.compounds
    await record(gql, c0.id, "2026Q1", survey=85, party=90, failed=[])
    await record(gql, c2.id, "2026Q1", survey=85, party=90, failed=[])
    await record(gql, c1.id, "2026Q1", survey=30, party=40, failed=["RECORDS"])
    await run_and_publish(gql, "2026Q1")
    serious = {"firmId": to_global_id("Firm", best.id), "kind": "SERIOUS_VIOLATION",
               "reason": "挪用专项维修资金", "source": "inspection"}  # fmt: skip
    body = await gql(
        "mutation($i: RecordCreditEventInput!) { recordCreditEvent(input: $i) {"
        " errors { code } } }",
        {"i": serious},
        auth=admin(),
    )
    assert body["data"]["recordCreditEvent"]["errors"] == []
    ranking = await gql(
        "{ firmCreditRanking(first: 5) { nodes { rank firm { name }"
        " standing { level score blacklisted } } } }"
    )
    nodes = ranking["data"]["firmCreditRanking"]["nodes"]
    assert [(n["rank"], n["firm"]["name"], n["standing"]["level"]) for n in nodes] == [
        (1, worst.name, "FAIL"),
        (2, best.name, "BLACKLISTED"),
    ]
    assert [n["standing"]["blacklisted"] for n in nodes] == [False, True]
    assert Decimal(nodes[1]["standing"]["score"]) > Decimal(nodes[0]["standing"]["score"])
