"""The case workflow below the API: per-city rules, the six-month window, core-only refusals."""

from __future__ import annotations

import datetime as dt

import pytest

from core.cases.councils import six_months_before
from core.cases.filing import FileCaseInput, file_case
from core.cases.flow import AdvanceInput, advance_case
from core.cases.rules import parse_rules, rules_for
from core.cases.workflow import WORKFLOWS, stages_of
from core.infra.clock import frozen_at
from core.infra.enums import CaseKind, CaseStage, Role
from core.infra.errors import DomainError, ValidationErrors
from core.infra.tenancy import in_city
from core.models import Case, CaseTransition
from core.security.auth import Principal, Scope, ScopeKind
from tests.factories import build_town


def test_each_workflow_is_a_chain_without_skips():
    for kind, steps in WORKFLOWS.items():
        stages = stages_of(kind)
        assert [s.next for s in steps] == list(stages[1:]), kind
        assert stages[-1] is CaseStage.CLOSED
    assert stages_of(CaseKind.PROPERTY_DISPUTE) == (
        CaseStage.TOPIC_COLLECTION,
        CaseStage.TOPIC_DETERMINATION,
        CaseStage.CONSULTATION_MEETING,
        CaseStage.DECISION_EXECUTION,
        CaseStage.SUPERVISION_FEEDBACK,
        CaseStage.RESIDENT_EVALUATION,
        CaseStage.CLOSED,
    )


def test_cities_have_their_own_numbers():
    assert rules_for("dongguan").evaluation_threshold == 3.0
    assert rules_for("zhuhai").evaluation_threshold == 3.5
    assert rules_for("zhuhai").days_for(CaseStage.ACCEPTED) == 3
    assert rules_for("dongguan").days_for(CaseStage.DECISION_EXECUTION) == 20
    assert rules_for("dongguan").days_for(CaseStage.CLOSED) is None


@pytest.mark.parametrize(
    ("raw", "complaint"),
    [
        ({"evaluation_threshold": 7}, "cases.evaluation_threshold"),
        ({"service_reply_days": -1}, "cases.service_reply_days"),
        ({"stage_days": {"TOPIC_GUESSING": 3}}, "cases.stage_days.TOPIC_GUESSING"),
        ({"stage_days": {"TOPIC_COLLECTION": 0}}, "cases.stage_days.TOPIC_COLLECTION"),
        ({"reply_days": 2}, "reply_days"),
    ],
)
def test_a_bad_cases_table_names_the_key(raw, complaint):
    with pytest.raises(ValueError, match=complaint.replace(".", r"\.")):
        parse_rules(raw, "x.toml")


@pytest.mark.parametrize(
    ("day", "before"),
    [
        ("2026-05-31", "2025-11-30"),
        ("2026-08-31", "2026-02-28"),
        ("2024-08-29", "2024-02-29"),
        ("2026-01-15", "2025-07-15"),
    ],
)
def test_six_months_before(day, before):
    assert six_months_before(dt.date.fromisoformat(day)) == dt.date.fromisoformat(before)


async def _filed(town_compound: int, worker: Principal) -> dict:
    with in_city("dongguan"):
        return await file_case(
            worker, FileCaseInput(CaseKind.PROPERTY_DISPUTE, "漏水", town_compound)
        )


async def test_an_unknown_stage_name_is_refused_by_core(empty_db):
    town = await build_town("dongguan", compounds=1, cases_each=0)
    worker = Principal(
        "dongguan",
        Role.COMMUNITY_WORKER,
        Scope(ScopeKind.COMMUNITY, town.compounds[0].community_id),
        "w",
    )
    with frozen_at(dt.datetime(2026, 6, 1, 2, tzinfo=dt.UTC)):
        case = await _filed(town.compounds[0].id, worker)
        with in_city("dongguan"), pytest.raises(DomainError) as refused:
            await advance_case(worker, AdvanceInput(case["id"], 1, "TOPIC_GUESSING"))
    assert (refused.value.code, refused.value.field) == ("UNKNOWN_STAGE", "toStage")


async def test_a_deadline_past_the_calendar_refuses_the_move_and_writes_nothing(empty_db):
    town = await build_town("dongguan", compounds=1, cases_each=0)
    worker = Principal("dongguan", Role.CITY_ADMIN, subject="admin")
    with frozen_at(dt.datetime(2028, 12, 19, 2, tzinfo=dt.UTC)):
        case = await _filed(town.compounds[0].id, worker)  # due 26 December: still 2028
    with frozen_at(dt.datetime(2028, 12, 27, 2, tzinfo=dt.UTC)):
        with in_city("dongguan"), pytest.raises(DomainError) as refused:
            # 5 working days after 27 December 2028 fall in 2029: past even the provisional years.
            await advance_case(worker, AdvanceInput(case["id"], 1, "TOPIC_DETERMINATION"))
    assert refused.value.code == "CALENDAR_OUT_OF_RANGE"
    assert "2028" in refused.value.render("en")
    with in_city("dongguan"):
        row = await Case.get(id=case["id"])
        assert (row.stage, row.version) == (CaseStage.TOPIC_COLLECTION, 1)
        assert await CaseTransition.filter(case_id=case["id"]).count() == 1  # the filing


async def test_several_missing_things_are_reported_at_once(empty_db):
    town = await build_town("dongguan", compounds=1, cases_each=0)
    admin = Principal("dongguan", Role.CITY_ADMIN, subject="admin")
    with in_city("dongguan"), frozen_at(dt.datetime(2026, 6, 1, 2, tzinfo=dt.UTC)):
        case = await file_case(
            admin, FileCaseInput(CaseKind.MEDIATION, "吵架", town.compounds[0].id)
        )
        with pytest.raises(ValidationErrors) as refused:
            await advance_case(admin, AdvanceInput(case["id"], 1, "CLOSED"))
    assert [(e.code, e.field) for e in refused.value.errors] == [
        ("MEDIATOR_MISSING", "mediator"),
        ("SESSION_MISSING", "sessions"),
        ("REQUIRED", "mediationOutcome"),
    ]


async def test_ratings_reach_the_firm_that_carried_the_decision_out(empty_db):
    from core.cases.reports import ratings_of_firms
    from core.models import ExecutorAssignment, ResidentRating

    town = await build_town("dongguan", compounds=1, cases_each=3)
    firm, other = town.firms
    with in_city("dongguan"):
        for case, firm_id in zip(town.cases, (firm.id, firm.id, None), strict=True):
            if firm_id:
                await ExecutorAssignment.create(
                    case=case, firm_id=firm_id, due_on=dt.date(2026, 6, 30)
                )
        for case, scores in zip(town.cases, ((5, 4), (2,), (1,)), strict=True):
            for i, score in enumerate(scores):
                await ResidentRating.create(case=case, resident_subject=f"o{i}", score=score)
        assert await ratings_of_firms([firm.id, other.id]) == {
            firm.id: (3, 11 / 3),
            other.id: (0, None),
        }
