"""What the stages need on record: topic, executor, progress, ratings, mediator, sessions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from core.cases.change import (
    announce_case,
    case_for_change,
    check_version,
    fresh_row,
    require_stage,
    write_case,
)
from core.cases.live import case_change
from core.cases.workflow import MEDIATORS, STAFF
from core.infra import clock
from core.infra.enums import CaseCategory, CaseKind, CaseStage, OrganisationKind, Role
from core.infra.errors import AuthError, DomainError, ValidationErrors
from core.infra.tenancy import current_city
from core.models import (
    ExecutorAssignment,
    Firm,
    MediationSession,
    Mediator,
    Organisation,
    Person,
    ProgressReport,
    ResidentRating,
)
from core.security.access import require_role
from core.security.auth import Principal, ScopeKind

TOPIC_MAX = 200
TEXT_MAX = 4000

# Who may do each step, checked first, before the case is read: a caller who may never do
# it learns nothing about the case (docs/security.md, "The order of checks").
TOPIC_SETTERS = STAFF
EXECUTOR_ASSIGNERS = STAFF
REPORTERS = STAFF | {Role.FIRM_STAFF}
RATERS = frozenset({Role.RESIDENT})
MEDIATION_ACTORS = MEDIATORS


def _required_text(value: str, field: str, limit: int, errors: list[DomainError]) -> str:
    """`value` stripped; REQUIRED or TOO_LONG added to `errors` when it is either."""
    value = value.strip()
    if not value:
        errors.append(DomainError("REQUIRED", field))
    elif len(value) > limit:
        errors.append(DomainError("TOO_LONG", field, max=limit))
    return value


def _topic(topic: str, category: CaseCategory | None) -> str:
    """The topic as stored; every field at fault at once."""
    errors: list[DomainError] = []
    topic = _required_text(topic, "topic", TOPIC_MAX, errors)
    if category is None:
        errors.append(DomainError("REQUIRED", "category"))
    if errors:
        raise ValidationErrors(errors)
    return topic


async def determine_topic(
    principal: Principal, case_id: int, version: int, topic: str, category: CaseCategory | None
) -> dict[str, Any]:
    """The two committees set the topic and its category (TOPIC_DETERMINATION)."""
    require_role(principal, TOPIC_SETTERS)
    async with case_change():
        row = await case_for_change(principal, case_id)
        check_version(row, version)
        require_stage(row, CaseStage.TOPIC_DETERMINATION)
        topic = _topic(topic, category)
        new = await write_case(row, version, topic=topic, category=category)
        announce_case(new, "TOPIC")
    return await fresh_row(case_id)


@dataclass(frozen=True)
class ExecutorInput:
    case_id: int
    due_on: dt.date
    firm_id: int | None = None
    organisation_id: int | None = None


async def assign_executor(principal: Principal, data: ExecutorInput) -> dict[str, Any]:
    """Name who carries out the decision (a firm, or a department or organisation)."""
    require_role(principal, EXECUTOR_ASSIGNERS)
    async with case_change():
        row = await case_for_change(principal, data.case_id)
        require_stage(row, CaseStage.DECISION_EXECUTION)
        if (data.firm_id is None) == (data.organisation_id is None):
            raise DomainError("ONE_EXECUTOR", "firmId")
        errors = []
        if data.firm_id is not None and not await Firm.filter(id=data.firm_id).exists():
            errors.append(DomainError("NOT_FOUND", "firmId"))
        if (
            data.organisation_id is not None
            and not await Organisation.filter(id=data.organisation_id).exists()
        ):
            errors.append(DomainError("NOT_FOUND", "organisationId"))
        today = clock.local_date(clock.now(), current_city())
        if data.due_on < today:
            errors.append(DomainError("DATE_IN_PAST", "dueOn"))
        if errors:
            raise ValidationErrors(errors)
        await ExecutorAssignment.create(
            case_id=data.case_id,
            firm_id=data.firm_id,
            organisation_id=data.organisation_id,
            due_on=data.due_on,
            round=row["round"],
            assigned_by_subject=principal.subject,
        )
        announce_case(row, "EXECUTOR")
    return await fresh_row(data.case_id)


# Who may supervise (监督反馈): the owners' committee, the community (its residents'
# committee) or a party organisation; never the executor itself (DOMAIN.md, processes 2).
SUPERVISOR_KINDS = frozenset(
    {
        OrganisationKind.OWNERS_COMMITTEE,
        OrganisationKind.RESIDENTS_COMMITTEE,
        OrganisationKind.PARTY_STREET_COMMITTEE,
        OrganisationKind.PARTY_COMMUNITY,
        OrganisationKind.PARTY_COMPOUND_BRANCH,
        OrganisationKind.PARTY_GRID_BRANCH,
        OrganisationKind.PARTY_BUILDING_GROUP,
    }
)


async def report_progress(
    principal: Principal,
    case_id: int,
    text: str,
    percent: int | None,
    supervisor_id: int | None = None,
) -> dict[str, Any]:
    """The executor's progress report or, naming its supervisor, the supervision feedback."""
    require_role(principal, REPORTERS)
    async with case_change():
        row = await case_for_change(principal, case_id)
        this_round = ExecutorAssignment.filter(case_id=case_id, round=row["round"])
        if principal.role is Role.FIRM_STAFF:
            # Firm staff report only on cases their own firm carries out in this round, and
            # never as their own supervisor.
            if not await this_round.filter(firm_id=principal.scope.id).exists():
                raise AuthError("NOT_EXECUTOR", "caseId")
            if supervisor_id is not None:
                raise AuthError("NOT_SUPERVISOR", "supervisorId")
        if supervisor_id is None:
            require_stage(row, CaseStage.DECISION_EXECUTION, CaseStage.SUPERVISION_FEEDBACK)
        else:
            require_stage(row, CaseStage.SUPERVISION_FEEDBACK)
        text = _report_text(text, percent)
        if supervisor_id is not None:
            await _check_supervisor(supervisor_id, this_round)
        await ProgressReport.create(
            case_id=case_id,
            text=text,
            percent=percent,
            round=row["round"],
            supervisor_id=supervisor_id,
            reported_by_subject=principal.subject,
        )
        announce_case(row, "SUPERVISION" if supervisor_id is not None else "PROGRESS")
    return await fresh_row(case_id)


async def _check_supervisor(org_id: int, this_round: Any) -> None:
    """A supervising body of the right kind that is not this round's executor."""
    rows = await Organisation.filter(id=org_id).values("kind")
    if not rows:
        raise DomainError("NOT_FOUND", "supervisorId")
    if rows[0]["kind"] not in SUPERVISOR_KINDS:
        raise DomainError("NOT_A_SUPERVISOR", "supervisorId")
    if await this_round.filter(organisation_id=org_id).exists():
        raise DomainError("SUPERVISOR_IS_EXECUTOR", "supervisorId")


def _report_text(text: str, percent: int | None) -> str:
    errors: list[DomainError] = []
    text = _required_text(text, "text", TEXT_MAX, errors)
    if percent is not None and not 0 <= percent <= 100:
        errors.append(DomainError("OUT_OF_RANGE", "percent", min=0, max=100))
    if errors:
        raise ValidationErrors(errors)
    return text


SCORE_MIN, SCORE_MAX = 1, 5


async def rate_case(principal: Principal, case_id: int, score: int, comment: str) -> dict[str, Any]:
    """A resident of the case's compound rates it once per round (1 to 5)."""
    require_role(principal, RATERS)
    if principal.scope.kind is not ScopeKind.COMPOUND or not principal.subject:
        raise AuthError("FORBIDDEN")
    async with case_change():
        row = await case_for_change(principal, case_id)  # visible: his own compound only
        require_stage(row, CaseStage.RESIDENT_EVALUATION)
        errors = []
        if not SCORE_MIN <= score <= SCORE_MAX:
            errors.append(DomainError("OUT_OF_RANGE", "score", min=SCORE_MIN, max=SCORE_MAX))
        if len(comment) > TEXT_MAX:
            errors.append(DomainError("TOO_LONG", "comment", max=TEXT_MAX))
        if errors:
            raise ValidationErrors(errors)
        taken = ResidentRating.filter(
            case_id=case_id, round=row["round"], resident_subject=principal.subject
        )
        if await taken.exists():
            raise DomainError("ALREADY_RATED", "caseId")
        try:
            await ResidentRating.create(
                case_id=case_id,
                round=row["round"],
                resident_subject=principal.subject,
                score=score,
                comment=comment.strip(),
            )
        except IntegrityError:  # a concurrent rating by the same resident won
            raise DomainError("ALREADY_RATED", "caseId") from None
        announce_case(row, "RATED")
    return await fresh_row(case_id)


async def _is_mediator(person_id: int) -> bool:
    """On the register of mediators (the `mediators` list) serving today, or a building head.

    The register is the one `mediators` reads (core/grassroots/listing.py); a person merely
    attached to a mediation committee's organisation is not on it.
    """
    rows = await Person.filter(id=person_id).values("roles")
    if not rows:
        raise DomainError("NOT_FOUND", "mediatorId")
    if Role.BUILDING_HEAD.value in (rows[0]["roles"] or []):
        return True
    today = clock.local_date(clock.now(), current_city())
    registered = Mediator.filter(person_id=person_id, appointed_on__lte=today).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=today)
    )
    return await registered.exists()


async def assign_mediator(
    principal: Principal, case_id: int, version: int, person_id: int
) -> dict[str, Any]:
    require_role(principal, MEDIATION_ACTORS)
    async with case_change():
        row = await case_for_change(principal, case_id)
        check_version(row, version)
        if row["kind"] != CaseKind.MEDIATION:
            raise DomainError("NOT_MEDIATION", "caseId")
        if not await _is_mediator(person_id):
            raise DomainError("NOT_A_MEDIATOR", "mediatorId")
        new = await write_case(row, version, mediator_id=person_id)
        announce_case(new, "MEDIATOR")
    return await fresh_row(case_id)


async def record_mediation_session(
    principal: Principal, case_id: int, held_on: dt.date, note: str
) -> dict[str, Any]:
    require_role(principal, MEDIATION_ACTORS)
    async with case_change():
        row = await case_for_change(principal, case_id)
        require_stage(row, CaseStage.MEDIATING)
        if row["mediator_id"] is None:
            raise DomainError("MEDIATOR_MISSING", "mediator")
        if len(note) > TEXT_MAX:
            raise DomainError("TOO_LONG", "note", max=TEXT_MAX)
        if held_on > clock.local_date(clock.now(), current_city()):
            raise DomainError("DATE_IN_FUTURE", "heldOn")
        await MediationSession.create(
            case_id=case_id, held_on=held_on, mediator_id=row["mediator_id"], note=note.strip()
        )
        announce_case(row, "SESSION")
    return await fresh_row(case_id)
