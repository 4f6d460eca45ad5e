"""The case workflows as data: for each kind, its stages in order, who may move a case on
from each stage, and what a stage needs before it can be left.

The six-stage property consultation procedure follows DOMAIN.md ("Processes", 2): residents
raise issues, the two committees set the topic, the council deliberates and decides,
executors carry it out under supervision, the residents evaluate. No stage is skipped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from core.infra.enums import CaseKind, CaseStage, Role


class Need(StrEnum):
    """What must be on record before a stage can be left (checked in core/cases/flow.py)."""

    TOPIC = "TOPIC"  # a determined topic with a category
    DECISION = "DECISION"  # a held council meeting with a decision on this case
    # A reopened case starts a new round: these three count only the current round's records.
    EXECUTOR = "EXECUTOR"  # a firm, department or organisation with a due date
    PROGRESS = "PROGRESS"  # at least one progress report
    SUPERVISION = "SUPERVISION"  # feedback from a supervisor other than the executor
    RATINGS = "RATINGS"  # at least one resident rating in the current round
    REPLY = "REPLY"  # the reply to the resident (given with the move)
    MEDIATOR = "MEDIATOR"  # an assigned mediator
    SESSION = "SESSION"  # at least one mediation session
    OUTCOME = "OUTCOME"  # the mediation outcome (given with the move)


# Community workers act for their community, street admins for their street; city admins
# everywhere. The scope check (the case's compound inside the caller's scope) is separate.
STAFF = frozenset({Role.COMMUNITY_WORKER, Role.STREET_ADMIN, Role.CITY_ADMIN, Role.PLATFORM_ADMIN})
MEDIATORS = STAFF | {Role.MEDIATOR, Role.BUILDING_HEAD}


@dataclass(frozen=True)
class Step:
    stage: CaseStage
    next: CaseStage
    movers: frozenset[Role]
    needs: tuple[Need, ...] = ()


WORKFLOWS: Mapping[CaseKind, tuple[Step, ...]] = {
    CaseKind.PROPERTY_DISPUTE: (
        Step(CaseStage.TOPIC_COLLECTION, CaseStage.TOPIC_DETERMINATION, STAFF),
        Step(CaseStage.TOPIC_DETERMINATION, CaseStage.CONSULTATION_MEETING, STAFF, (Need.TOPIC,)),
        Step(CaseStage.CONSULTATION_MEETING, CaseStage.DECISION_EXECUTION, STAFF, (Need.DECISION,)),
        Step(CaseStage.DECISION_EXECUTION, CaseStage.SUPERVISION_FEEDBACK, STAFF, (Need.EXECUTOR,)),
        Step(
            CaseStage.SUPERVISION_FEEDBACK,
            CaseStage.RESIDENT_EVALUATION,
            STAFF,
            (Need.PROGRESS, Need.SUPERVISION),
        ),
        Step(CaseStage.RESIDENT_EVALUATION, CaseStage.CLOSED, STAFF, (Need.RATINGS,)),
    ),
    CaseKind.SERVICE_REQUEST: (
        Step(CaseStage.SUBMITTED, CaseStage.ACCEPTED, STAFF),
        Step(CaseStage.ACCEPTED, CaseStage.COMPLETED, STAFF),
        Step(CaseStage.COMPLETED, CaseStage.REPLIED, STAFF, (Need.REPLY,)),
        Step(CaseStage.REPLIED, CaseStage.CLOSED, STAFF),
    ),
    CaseKind.MEDIATION: (
        Step(
            CaseStage.MEDIATING,
            CaseStage.CLOSED,
            MEDIATORS,
            (Need.MEDIATOR, Need.SESSION, Need.OUTCOME),
        ),
    ),
}

# A property dispute rated under the city's threshold goes back to execution.
REOPEN_FROM = CaseStage.RESIDENT_EVALUATION
REOPEN_TO = CaseStage.DECISION_EXECUTION


def stages_of(kind: CaseKind) -> tuple[CaseStage, ...]:
    steps = WORKFLOWS[kind]
    return (*(s.stage for s in steps), CaseStage.CLOSED)


def step_from(kind: CaseKind, stage: CaseStage) -> Step | None:
    """The step that leaves `stage`; None for CLOSED."""
    return next((s for s in WORKFLOWS[kind] if s.stage is stage), None)


def movers_of(kind: CaseKind) -> frozenset[Role]:
    """The roles that may move some step of `kind`'s workflow."""
    return frozenset().union(*(s.movers for s in WORKFLOWS[kind]))


# The roles that may move some step of some workflow: any other role is refused before the
# case is read (docs/security.md, "The order of checks").
ANY_MOVER = frozenset().union(*(movers_of(kind) for kind in WORKFLOWS))
