"""Every report of days in stage and of overdue cases gives the same number, before and after
an escalation run (issue 16.5): days count in working days from entering the stage (the
timeline's last filing, advance or reopening), and an escalation does not restart them."""

from __future__ import annotations

import datetime as dt
import statistics

import pytest

from core.infra.clock import frozen_at
from core.infra.enums import Role
from schema.api.ids import to_global_id
from tests.conftest import GraphQLClient, token
from tests.factories import Town, build_town

ADMIN = token("dongguan", Role.CITY_ADMIN, subject="admin-dg")
AS_OF = "2026-06-30"
FILE = """mutation($input: FileCaseInput!) { fileCase(input: $input) {
    case { id version } errors { field code } } }"""
ADVANCE = """mutation($input: AdvanceCaseInput!) { advanceCase(input: $input) {
    case { stage } errors { field code } } }"""
ESCALATE = """mutation($d: Date!) { escalateOverdueCases(asOf: $d) { title } }"""
REPORTS = """query($d: Date!) {
  figures(asOf: $d) { cases { overdue byStage { stage cases overdue medianDaysInStage } } }
  caseStageFigures(asOf: $d, level: STREET) {
    openCases overdueCases meanWorkingDaysInStage maxWorkingDaysInStage }
  overdueCases(asOf: $d) { totalCount }
  cases(first: 50) { nodes { title stage workingDaysInStage(asOf: $d) overdue(asOf: $d) } }
}"""


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=2, tzinfo=dt.UTC)


@pytest.fixture
async def town(empty_db: str) -> Town:
    return await build_town("dongguan", compounds=1, cases_each=0)


async def _file(gql: GraphQLClient, town: Town, title: str, day: str) -> dict[str, str]:
    compound = to_global_id("Compound", town.compounds[0].id)
    with frozen_at(at(day)):
        body = await gql(
            FILE,
            {"input": {"kind": "PROPERTY_DISPUTE", "title": title, "compoundId": compound}},
            auth=ADMIN,
        )
    case: dict[str, str] = body["data"]["fileCase"]["case"]
    return case


async def _reports(gql: GraphQLClient) -> dict:
    data: dict = (await gql(REPORTS, {"d": AS_OF}, auth=ADMIN))["data"]
    return data


def _agree(data: dict) -> None:
    nodes = data["cases"]["nodes"]
    by_stage = {s["stage"]: s for s in data["figures"]["cases"]["byStage"]}
    for stage in {n["stage"] for n in nodes}:
        days = [n["workingDaysInStage"] for n in nodes if n["stage"] == stage]
        assert by_stage[stage]["cases"] == len(days)
        assert by_stage[stage]["medianDaysInStage"] == pytest.approx(statistics.median(days))
        overdue = sum(n["overdue"] for n in nodes if n["stage"] == stage)
        assert by_stage[stage]["overdue"] == overdue, stage
    all_days = [n["workingDaysInStage"] for n in nodes]
    [street] = data["caseStageFigures"]
    assert street["openCases"] == len(nodes)
    assert street["meanWorkingDaysInStage"] == pytest.approx(statistics.mean(all_days))
    assert street["maxWorkingDaysInStage"] == max(all_days)
    overdue = sum(n["overdue"] for n in nodes)
    assert data["figures"]["cases"]["overdue"] == street["overdueCases"] == overdue
    assert data["overdueCases"]["totalCount"] == overdue


async def test_days_in_stage_and_overdue_agree_across_reports_after_escalation(
    town: Town, gql: GraphQLClient
) -> None:
    await _file(gql, town, "三月", "2026-03-02")
    await _file(gql, town, "五月", "2026-05-11")
    await _file(gql, town, "昨天", "2026-06-29")
    moved = await _file(gql, town, "四月推进", "2026-03-16")
    with frozen_at(at("2026-04-01")):
        body = await gql(
            ADVANCE,
            {
                "input": {
                    "caseId": moved["id"],
                    "version": moved["version"],
                    "toStage": "TOPIC_DETERMINATION",
                }
            },
            auth=ADMIN,
        )
    assert body["data"]["advanceCase"]["errors"] == []

    before = await _reports(gql)
    _agree(before)
    days = {n["title"]: n["workingDaysInStage"] for n in before["cases"]["nodes"]}
    # Entered 2 March, 11 May, 29 June and 1 April: working days on the statutory calendar.
    assert days == {"三月": 82, "五月": 35, "昨天": 1, "四月推进": 60}
    assert before["figures"]["cases"]["overdue"] == 3

    with frozen_at(at(AS_OF)):
        escalated = await gql(ESCALATE, {"d": AS_OF}, auth=ADMIN)
    assert sorted(c["title"] for c in escalated["data"]["escalateOverdueCases"]) == [
        "三月",
        "五月",
        "四月推进",
    ]
    after = await _reports(gql)
    _agree(after)
    # The escalation gave each stage its time limit again (docs/cases.md), so nothing is
    # overdue; the days in the stage stay those counted from entering it.
    assert {n["title"]: n["workingDaysInStage"] for n in after["cases"]["nodes"]} == days
    collecting = next(
        s for s in after["figures"]["cases"]["byStage"] if s["stage"] == "TOPIC_COLLECTION"
    )
    assert collecting["medianDaysInStage"] == 35
    assert after["figures"]["cases"]["overdue"] == 0
