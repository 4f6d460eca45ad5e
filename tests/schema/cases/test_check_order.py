"""The caller's authority is checked before anything about the case (docs/security.md,
"The order of checks"): a caller who may not act learns nothing of the case's stage or
version, and gets the role's refusal even when the version is stale, the stage wrong and
the input bad; only the right role, in scope, hears about those."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from core.infra.clock import frozen_at
from core.infra.enums import CaseKind, CaseStage, OrganisationKind, Role
from core.infra.tenancy import in_city
from core.models import (
    AuditEntry,
    Case,
    ExecutorAssignment,
    MediationSession,
    Organisation,
    ProgressReport,
    ResidentRating,
)
from core.security.auth import CITY_WIDE, Scope, ScopeKind
from schema.api.ids import to_global_id
from tests.conftest import GraphQLClient, token
from tests.factories import Town, build_town

NOW = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)  # Monday 10:00 in Dongguan
STALE = 7
Input = Callable[[str, int], dict[str, Any]]  # (case ID, version) -> the mutation's input


@pytest.fixture(autouse=True)
def clock():
    with frozen_at(NOW):
        yield


@pytest.fixture
async def town(empty_db: str) -> Town:
    return await build_town("dongguan", compounds=4, cases_each=0)


async def new_case(town: Town, kind: CaseKind, stage: CaseStage) -> Case:
    with in_city("dongguan"):
        return await Case.create(
            kind=kind,
            title="楼道漏水",
            compound_id=town.compounds[0].id,
            stage=stage,
            stage_entered_at=NOW,
        )


def caller(town: Town, role: Role, *, away: bool = False) -> str:
    """A token of `role` whose scope holds compound 0 (or, `away`, does not)."""
    # Compound 1: another community of the same street, managed by no firm; street 1 holds
    # neither. City-wide roles have no "away".
    compound = town.compounds[1 if away else 0]
    scopes = {
        Role.RESIDENT: Scope(ScopeKind.COMPOUND, compound.id),
        Role.BUILDING_HEAD: Scope(ScopeKind.COMPOUND, compound.id),
        Role.COMMUNITY_WORKER: Scope(ScopeKind.COMMUNITY, compound.community_id),
        Role.MEDIATOR: Scope(ScopeKind.COMMUNITY, compound.community_id),
        Role.FIRM_STAFF: Scope(ScopeKind.FIRM, town.firms[1 if away else 0].id),
        Role.SOCIAL_ORG_STAFF: Scope(ScopeKind.ORGANISATION, 1),
        Role.STREET_ADMIN: Scope(ScopeKind.STREET, town.streets[1 if away else 0].id),
    }
    return token("dongguan", role, scopes.get(role, CITY_WIDE), subject=f"{role.value}-1")


@dataclass(frozen=True)
class Op:
    """One case mutation, and a case and input that are wrong for it in every way."""

    name: str
    kind: CaseKind
    wrong_stage: CaseStage  # the case sits here: the operation is not possible from it
    bad_input: Input  # a stale version where there is one, and fields at fault
    never: frozenset[Role]  # roles that may never do it
    right: Role  # a role that may, inside its scope
    stage_error: str  # what the right role hears about `wrong_stage`
    current_input: Input  # the current version, for the right role's stage error

    @property
    def query(self) -> str:
        input_type = self.name[0].upper() + self.name[1:] + "Input"
        return f"""mutation($input: {input_type}!) {{ {self.name}(input: $input) {{
            case {{ id version }} errors {{ field code }} }} }}"""


LONG = "长" * 4001
NOT_STAFF = frozenset(
    {Role.RESIDENT, Role.BUILDING_HEAD, Role.MEDIATOR, Role.FIRM_STAFF, Role.SOCIAL_ORG_STAFF}
)
NOT_MEDIATORS = frozenset({Role.RESIDENT, Role.FIRM_STAFF, Role.SOCIAL_ORG_STAFF})


def _advance(case: str, version: int) -> dict[str, Any]:
    # Skips a stage, with a note too long.
    return {"caseId": case, "version": version, "toStage": "CLOSED", "note": LONG}


def _topic(case: str, version: int) -> dict[str, Any]:
    return {"caseId": case, "version": version, "topic": " "}


def _executor(case: str, _: int) -> dict[str, Any]:
    return {"caseId": case, "dueOn": "2020-01-01"}  # no executor, and in the past


def _progress(case: str, _: int) -> dict[str, Any]:
    return {"caseId": case, "text": "", "percent": 101}


def _rating(case: str, _: int) -> dict[str, Any]:
    return {"caseId": case, "score": 9, "comment": LONG}


def _reopen(case: str, version: int) -> dict[str, Any]:
    return {"caseId": case, "version": version}


def _mediator(case: str, version: int) -> dict[str, Any]:
    return {"caseId": case, "version": version, "mediatorId": to_global_id("Person", 999)}


def _session(case: str, _: int) -> dict[str, Any]:
    return {"caseId": case, "heldOn": "2030-01-01", "note": LONG}


def stale(make: Input) -> Input:
    return lambda case, _: make(case, STALE)


PD = CaseKind.PROPERTY_DISPUTE
OPS = [
    Op(
        "advanceCase",
        PD,
        CaseStage.TOPIC_COLLECTION,
        stale(_advance),
        frozenset({Role.RESIDENT, Role.FIRM_STAFF, Role.SOCIAL_ORG_STAFF}),
        Role.COMMUNITY_WORKER,
        "OUT_OF_ORDER",
        lambda case, v: {"caseId": case, "version": v, "toStage": "CLOSED"},
    ),
    Op(
        "determineTopic",
        PD,
        CaseStage.TOPIC_COLLECTION,
        stale(_topic),
        NOT_STAFF,
        Role.STREET_ADMIN,
        "WRONG_STAGE",
        _topic,
    ),
    Op(
        "assignExecutor",
        PD,
        CaseStage.TOPIC_COLLECTION,
        _executor,
        NOT_STAFF,
        Role.COMMUNITY_WORKER,
        "WRONG_STAGE",
        _executor,
    ),
    Op(
        "reportProgress",
        PD,
        CaseStage.TOPIC_COLLECTION,
        _progress,
        NOT_STAFF - {Role.FIRM_STAFF},
        Role.COMMUNITY_WORKER,
        "WRONG_STAGE",
        _progress,
    ),
    Op(
        "rateCase",
        PD,
        CaseStage.TOPIC_COLLECTION,
        _rating,
        frozenset(Role) - {Role.RESIDENT, Role.ANONYMOUS},
        Role.RESIDENT,
        "WRONG_STAGE",
        _rating,
    ),
    Op(
        "reopenCase",
        PD,
        CaseStage.TOPIC_COLLECTION,
        stale(_reopen),
        NOT_STAFF,
        Role.COMMUNITY_WORKER,
        "WRONG_STAGE",
        _reopen,
    ),
    Op(
        "assignMediator",
        PD,  # a mediator for a property dispute: NOT_MEDIATION for the right role
        CaseStage.TOPIC_COLLECTION,
        stale(_mediator),
        NOT_MEDIATORS,
        Role.MEDIATOR,
        "NOT_MEDIATION",
        _mediator,
    ),
    Op(
        "recordMediationSession",
        PD,
        CaseStage.TOPIC_COLLECTION,
        _session,
        NOT_MEDIATORS,
        Role.BUILDING_HEAD,
        "WRONG_STAGE",
        _session,
    ),
]
IDS = [op.name for op in OPS]


async def codes(gql: GraphQLClient, op: Op, variables: dict[str, Any], auth: str | None):
    """The refusal's codes: top-level (authorisation) or the payload's user errors."""
    body = await gql(op.query, {"input": variables}, auth=auth, expect_errors=True)
    if body.get("errors"):
        return [e["extensions"]["code"] for e in body["errors"]]
    payload = body["data"][op.name]
    assert payload["case"] is None, payload
    return [e["code"] for e in payload["errors"]]


async def nothing_written(case: Case) -> None:
    with in_city("dongguan"):
        row = await Case.get(id=case.id)
        assert (row.version, row.stage) == (1, case.stage)
        for model in (ExecutorAssignment, ProgressReport, ResidentRating, MediationSession):
            assert await model.filter(case_id=case.id).count() == 0, model.__name__


@pytest.mark.parametrize("op", OPS, ids=IDS)
async def test_a_caller_who_may_never_do_it_hears_only_that(town, gql, op: Op) -> None:
    case = await new_case(town, op.kind, op.wrong_stage)
    case_id = to_global_id("Case", case.id)
    # Anonymous: authentication first, whatever is wrong with the case or the input.
    assert await codes(gql, op, op.bad_input(case_id, 1), None) == ["AUTH_REQUIRED"]
    # Every role that may never do this, each able to read the case (or, for social
    # organisation staff, no case at all): the role's refusal, not the stale version, the
    # wrong stage or the field errors.
    for role in sorted(op.never):
        got = await codes(gql, op, op.bad_input(case_id, 1), caller(town, role))
        assert got == ["FORBIDDEN"], role
    await nothing_written(case)
    # Each refusal is on the audit log with its code.
    with in_city("dongguan"):
        outcomes = await AuditEntry.filter(operation=op.name).values_list("outcome", flat=True)
    assert sorted(outcomes) == sorted(["AUTH_REQUIRED"] + ["FORBIDDEN"] * len(op.never))


@pytest.mark.parametrize("op", OPS, ids=IDS)
async def test_the_right_role_hears_scope_then_version_then_stage(town, gql, op: Op) -> None:
    case = await new_case(town, op.kind, op.wrong_stage)
    case_id = to_global_id("Case", case.id)
    # Out of scope reads as absent, never as forbidden: before the version and the stage.
    away = caller(town, op.right, away=True)
    assert await codes(gql, op, op.bad_input(case_id, 1), away) == ["NOT_FOUND"]
    home = caller(town, op.right)
    if "version" in op.bad_input(case_id, 1):
        assert await codes(gql, op, op.bad_input(case_id, 1), home) == ["VERSION_CONFLICT"]
    assert await codes(gql, op, op.current_input(case_id, 1), home) == [op.stage_error]
    await nothing_written(case)


async def test_a_role_that_moves_other_workflows_is_refused_before_the_version(town, gql):
    # Building heads and mediators move mediation cases, not property disputes: they may read
    # the dispute, and are told that their role may not move it, not that it moved on.
    op = OPS[0]
    case = await new_case(town, CaseKind.PROPERTY_DISPUTE, CaseStage.TOPIC_COLLECTION)
    case_id = to_global_id("Case", case.id)
    for role in (Role.BUILDING_HEAD, Role.MEDIATOR):
        got = await codes(gql, op, op.bad_input(case_id, 1), caller(town, role))
        assert got == ["STAGE_FORBIDDEN"], role
    await nothing_written(case)


async def test_another_compounds_resident_cannot_tell_a_case_exists(town, gql) -> None:
    rate = next(op for op in OPS if op.name == "rateCase")
    case = await new_case(town, CaseKind.PROPERTY_DISPUTE, CaseStage.RESIDENT_EVALUATION)
    outsider = caller(town, Role.RESIDENT, away=True)
    for case_id in (to_global_id("Case", case.id), to_global_id("Case", case.id + 100)):
        assert await codes(gql, rate, _rating(case_id, 1), outsider) == ["NOT_FOUND"]
    await nothing_written(case)


async def test_firm_staff_not_executing_the_case_are_refused_before_its_stage(town, gql):
    # Firm staff may report progress only as the case's executor: said before the stage.
    op = next(op for op in OPS if op.name == "reportProgress")
    case = await new_case(town, CaseKind.PROPERTY_DISPUTE, CaseStage.TOPIC_COLLECTION)
    case_id = to_global_id("Case", case.id)
    got = await codes(gql, op, op.bad_input(case_id, 1), caller(town, Role.FIRM_STAFF))
    assert got == ["NOT_EXECUTOR"]
    await nothing_written(case)


async def test_the_right_role_still_gets_the_input_errors(town, gql) -> None:
    # After the role, the scope, the version and the stage: every field at fault at once.
    op = next(op for op in OPS if op.name == "determineTopic")
    case = await new_case(town, CaseKind.PROPERTY_DISPUTE, CaseStage.TOPIC_DETERMINATION)
    case_id = to_global_id("Case", case.id)
    got = await codes(gql, op, _topic(case_id, 1), caller(town, Role.COMMUNITY_WORKER))
    assert got == ["REQUIRED", "REQUIRED"]
    with in_city("dongguan"):
        org = await Organisation.get(kind=OrganisationKind.PARTY_COMMUNITY)
        await Case.filter(id=case.id).update(stage=CaseStage.DECISION_EXECUTION)
    executor = next(op for op in OPS if op.name == "assignExecutor")
    good = {"caseId": case_id, "dueOn": "2026-06-30"}
    worker = caller(town, Role.COMMUNITY_WORKER)
    assert await codes(gql, executor, good, worker) == ["ONE_EXECUTOR"]
    both = {**good, "firmId": to_global_id("Firm", town.firms[0].id)}
    both["organisationId"] = to_global_id("Organisation", org.id)
    assert await codes(gql, executor, both, worker) == ["ONE_EXECUTOR"]


UPDATE = """mutation($plugin: String!, $settings: JSON!) {
    updatePluginSettings(plugin: $plugin, settings: $settings) {
        plugin { plugin } errors { field code } } }"""


async def test_plugin_settings_refuse_non_admins_before_reading_the_settings(town, gql) -> None:
    # Not an object, an unknown plugin: an admin hears that; nobody else does.
    for settings, plugin in (([1, 2], "dongguan_donghong"), ({"x": 1}, "no_such_plugin")):
        variables = {"plugin": plugin, "settings": settings}
        body = await gql(UPDATE, variables, expect_errors=True)
        assert body["errors"][0]["extensions"]["code"] == "AUTH_REQUIRED"
        for role in (Role.STREET_ADMIN, Role.RESIDENT):
            body = await gql(UPDATE, variables, auth=caller(town, role), expect_errors=True)
            assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        body = await gql(UPDATE, variables, auth=caller(town, Role.CITY_ADMIN))
        assert [e["code"] for e in body["data"]["updatePluginSettings"]["errors"]] == [
            "INVALID_SETTING" if plugin == "dongguan_donghong" else "UNKNOWN_PLUGIN"
        ]
