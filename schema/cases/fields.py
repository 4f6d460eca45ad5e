"""Root fields of the case workflow: moving cases on, councils, ratings, and the reports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import strawberry

from core.cases import councils
from core.cases import flow as case_flow
from core.cases import reports as case_reports
from core.cases import steps as case_steps
from core.cases.filing import cases_by_id
from core.cases.workflow import ANY_MOVER
from core.infra import enums as domain
from core.infra.enums import Role
from core.infra.pagination import Ordering, page_request
from core.models import Community as CommunityModel
from core.models import Compound as CompoundModel
from core.models import Street as StreetModel
from core.places.directory import FIELDS as PLACE_FIELDS
from core.security import audit
from core.security.access import require_role
from core.security.auth import Principal
from schema.api import lookahead
from schema.api.context import Info
from schema.api.enums import CaseCategory, CaseStage, MediationOutcome
from schema.api.errors import UserError, attempt
from schema.api.ids import optional_pk, pk_of, to_global_id
from schema.api.inputs import CaseFilter
from schema.api.relay import Connection, connection
from schema.api.replays import attempt_create, key_description
from schema.api.rereads import CASE, COUNCIL_MEETING
from schema.cases.record_types import CouncilMeeting
from schema.cases.types import Case
from schema.places.types import Compound

MeetingKey = Annotated[str | None, key_description("the meeting is scheduled")]
SessionKey = Annotated[str | None, key_description("the session is recorded")]
ReportKey = Annotated[str | None, key_description("the report is written")]


@strawberry.type
class CasePayload:
    case: Case | None
    errors: list[UserError]


@strawberry.type
class CouncilMeetingPayload:
    meeting: CouncilMeeting | None
    errors: list[UserError]


@strawberry.input(description="Move a case to the next stage of its workflow.")
class AdvanceCaseInput:
    case_id: strawberry.ID
    version: int = strawberry.field(description="The version you read; a stale one conflicts.")
    to_stage: CaseStage
    note: str = ""
    reply: str | None = strawberry.field(default=None, description="COMPLETED -> REPLIED.")
    mediation_outcome: MediationOutcome | None = strawberry.field(
        default=None, description="MEDIATING -> CLOSED."
    )


@strawberry.input
class DetermineTopicInput:
    case_id: strawberry.ID
    version: int
    topic: str
    category: CaseCategory | None = None


@strawberry.input
class AssignExecutorInput:
    case_id: strawberry.ID
    due_on: dt.date
    firm_id: strawberry.ID | None = None
    organisation_id: strawberry.ID | None = strawberry.field(
        default=None, description="A government department or other organisation."
    )


@strawberry.input
class ReportProgressInput:
    case_id: strawberry.ID
    text: str
    percent: int | None = None
    supervisor_id: strawberry.ID | None = strawberry.field(
        default=None,
        description=(
            "Supervision feedback (SUPERVISION_FEEDBACK): the Organisation that supervises, "
            "an owners' committee, residents' committee or party organisation other than "
            "this round's executor. Staff only; without it, an executor's progress report."
        ),
    )


@strawberry.input
class RateCaseInput:
    case_id: strawberry.ID
    score: int = strawberry.field(description="1 (poor) to 5 (very good).")
    comment: str = ""


@strawberry.input
class ReopenCaseInput:
    case_id: strawberry.ID
    version: int
    note: str = ""


@strawberry.input
class AssignMediatorInput:
    case_id: strawberry.ID
    version: int
    mediator_id: strawberry.ID = strawberry.field(description="A Person's ID.")


@strawberry.input
class RecordMediationSessionInput:
    case_id: strawberry.ID
    held_on: dt.date
    note: str = ""


@strawberry.input
class ScheduleCouncilMeetingInput:
    compound_id: strawberry.ID
    held_on: dt.date
    convener_id: strawberry.ID = strawberry.field(description="The party organisation.")
    agenda_case_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    organisation_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    firm_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list,
        description="Property firms invited: each must manage the compound on heldOn.",
    )
    person_ids: list[strawberry.ID] = strawberry.field(default_factory=list)


@strawberry.input
class CouncilDecisionInput:
    case_id: strawberry.ID
    decision: str


@strawberry.input
class RecordCouncilMeetingInput:
    meeting_id: strawberry.ID
    minutes: str
    attendance: int
    decisions: list[CouncilDecisionInput] = strawberry.field(default_factory=list)
    attended_organisation_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    attended_person_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    attended_firm_ids: list[strawberry.ID] = strawberry.field(default_factory=list)


def _case(input_id: str) -> int:
    return pk_of(input_id, "Case", "caseId")


def _ids(ids: list[strawberry.ID], type_name: str, field: str) -> tuple[int, ...]:
    return tuple(pk_of(i, type_name, field) for i in ids)


async def _case_payload(
    info: Info,
    roles: frozenset[Role],
    action: Callable[[], Awaitable[dict[str, Any]]],
    idempotency_key: str | None = None,
) -> CasePayload:
    async def act() -> Case:
        # The role first, before the IDs in the input are decoded: a caller who may never
        # do this gets the role's refusal, not field errors (docs/security.md). The core
        # function checks it again; this only orders it before `action`'s arguments.
        require_role(info.context.principal, roles)
        return Case.from_row(await action())

    # With a key (mutations that add a record beside the case), a repeat reads the case.
    case, errors = await attempt_create(info, act, idempotency_key, CASE)
    return CasePayload(case=case, errors=errors)


def _case_ids(ids: list[int]) -> list[str]:
    return [to_global_id("Case", i) for i in ids]


async def escalate(principal: Principal, as_of: dt.date, arguments: dict[str, Any]) -> list[int]:
    """Escalate the overdue cases in one transaction with one audit entry naming them all.

    Each case keeps its own savepoint (core.cases.flow.escalate_overdue), so a case moved by
    someone else at the same moment is skipped, not the batch. Shared by the mutation and
    `civicgraph escalate`.
    """
    return await audit.perform(
        principal,
        "escalateOverdueCases",
        arguments,
        lambda: case_flow.escalate_overdue(principal, as_of),
        target=_case_ids,
    )


@strawberry.type
class CasesMutation:
    @strawberry.mutation(description="Move a case on one stage; refused if anything is missing.")
    async def advance_case(self, info: Info, input: AdvanceCaseInput) -> CasePayload:
        principal = info.context.principal
        return await _case_payload(
            info,
            ANY_MOVER,
            lambda: case_flow.advance_case(
                principal,
                case_flow.AdvanceInput(
                    case_id=_case(input.case_id),
                    version=input.version,
                    to_stage=domain.CaseStage(input.to_stage).value,
                    note=input.note,
                    reply=input.reply,
                    mediation_outcome=(
                        domain.MediationOutcome(input.mediation_outcome)
                        if input.mediation_outcome
                        else None
                    ),
                ),
            ),
        )

    @strawberry.mutation(description="Set the topic and its category (TOPIC_DETERMINATION).")
    async def determine_topic(self, info: Info, input: DetermineTopicInput) -> CasePayload:
        category = domain.CaseCategory(input.category) if input.category else None
        return await _case_payload(
            info,
            case_steps.TOPIC_SETTERS,
            lambda: case_steps.determine_topic(
                info.context.principal, _case(input.case_id), input.version, input.topic, category
            ),
        )

    @strawberry.mutation(description="Name the executor and due date (DECISION_EXECUTION).")
    async def assign_executor(self, info: Info, input: AssignExecutorInput) -> CasePayload:
        async def action() -> dict[str, Any]:
            data = case_steps.ExecutorInput(
                case_id=_case(input.case_id),
                due_on=input.due_on,
                firm_id=optional_pk(input.firm_id, "Firm", "firmId"),
                organisation_id=optional_pk(
                    input.organisation_id, "Organisation", "organisationId"
                ),
            )
            return await case_steps.assign_executor(info.context.principal, data)

        return await _case_payload(info, case_steps.EXECUTOR_ASSIGNERS, action)

    @strawberry.mutation(
        description="Report progress on carrying out the decision, or the supervision of it."
    )
    async def report_progress(
        self, info: Info, input: ReportProgressInput, idempotency_key: ReportKey = None
    ) -> CasePayload:
        # The payload is the case: a repeat reads the case again (one report written).
        return await _case_payload(
            info,
            case_steps.REPORTERS,
            lambda: case_steps.report_progress(
                info.context.principal,
                _case(input.case_id),
                input.text,
                input.percent,
                optional_pk(input.supervisor_id, "Organisation", "supervisorId"),
            ),
            idempotency_key,
        )

    @strawberry.mutation(description="A resident rates a case once (RESIDENT_EVALUATION).")
    async def rate_case(self, info: Info, input: RateCaseInput) -> CasePayload:
        return await _case_payload(
            info,
            case_steps.RATERS,
            lambda: case_steps.rate_case(
                info.context.principal, _case(input.case_id), input.score, input.comment
            ),
        )

    @strawberry.mutation(description="Send a case rated under the threshold back to execution.")
    async def reopen_case(self, info: Info, input: ReopenCaseInput) -> CasePayload:
        return await _case_payload(
            info,
            case_flow.REOPENERS,
            lambda: case_flow.reopen_case(
                info.context.principal, _case(input.case_id), input.version, input.note
            ),
        )

    @strawberry.mutation
    async def assign_mediator(self, info: Info, input: AssignMediatorInput) -> CasePayload:
        return await _case_payload(
            info,
            case_steps.MEDIATION_ACTORS,
            lambda: case_steps.assign_mediator(
                info.context.principal,
                _case(input.case_id),
                input.version,
                pk_of(input.mediator_id, "Person", "mediatorId"),
            ),
        )

    @strawberry.mutation
    async def record_mediation_session(
        self, info: Info, input: RecordMediationSessionInput, idempotency_key: SessionKey = None
    ) -> CasePayload:
        # The payload is the case: a repeat reads the case again (one session recorded).
        return await _case_payload(
            info,
            case_steps.MEDIATION_ACTORS,
            lambda: case_steps.record_mediation_session(
                info.context.principal, _case(input.case_id), input.held_on, input.note
            ),
            idempotency_key,
        )

    @strawberry.mutation(description="Schedule a council meeting with its agenda and invitees.")
    async def schedule_council_meeting(
        self, info: Info, input: ScheduleCouncilMeetingInput, idempotency_key: MeetingKey = None
    ) -> CouncilMeetingPayload:
        async def act() -> CouncilMeeting:
            data = councils.ScheduleInput(
                compound_id=pk_of(input.compound_id, "Compound", "compoundId"),
                held_on=input.held_on,
                convener_id=pk_of(input.convener_id, "Organisation", "convenerId"),
                agenda_case_ids=_ids(input.agenda_case_ids, "Case", "agendaCaseIds"),
                organisation_ids=_ids(input.organisation_ids, "Organisation", "organisationIds"),
                person_ids=_ids(input.person_ids, "Person", "personIds"),
                firm_ids=_ids(input.firm_ids, "Firm", "firmIds"),
            )
            return CouncilMeeting.from_row(
                await councils.schedule_meeting(info.context.principal, data)
            )

        meeting, errors = await attempt_create(info, act, idempotency_key, COUNCIL_MEETING)
        return CouncilMeetingPayload(meeting=meeting, errors=errors)

    @strawberry.mutation(description="Record a held meeting: minutes, attendance, decisions.")
    async def record_council_meeting(
        self, info: Info, input: RecordCouncilMeetingInput
    ) -> CouncilMeetingPayload:
        async def act() -> CouncilMeeting:
            data = councils.RecordInput(
                meeting_id=pk_of(input.meeting_id, "CouncilMeeting", "meetingId"),
                minutes=input.minutes,
                attendance=input.attendance,
                decisions={
                    pk_of(d.case_id, "Case", "decisions"): d.decision for d in input.decisions
                },
                attended_organisation_ids=_ids(
                    input.attended_organisation_ids, "Organisation", "attendedOrganisationIds"
                ),
                attended_person_ids=_ids(input.attended_person_ids, "Person", "attendedPersonIds"),
                attended_firm_ids=_ids(input.attended_firm_ids, "Firm", "attendedFirmIds"),
            )
            return CouncilMeeting.from_row(
                await councils.record_meeting(info.context.principal, data)
            )

        meeting, errors = await attempt(info, act)
        return CouncilMeetingPayload(meeting=meeting, errors=errors)

    @strawberry.mutation(description="Escalate every case overdue in its stage one level up.")
    async def escalate_overdue_cases(self, info: Info, as_of: dt.date) -> list[Case]:
        principal = info.context.principal
        ids = await escalate(principal, as_of, {"asOf": as_of.isoformat()})
        # Read after the commit: DataLoaders and reads of the result stay out of the
        # audited transaction (core/security/audit.py).
        rows = await cases_by_id(principal, ids)
        return [Case.from_row(rows[i]) for i in ids if i in rows]


PlaceLevel = case_reports.PlaceLevel
# Marked as GraphQL enums apart from the aliases, as in schema/api/enums.py (for mypy).
strawberry.enum(PlaceLevel)

_PLACE_MODELS = {
    case_reports.PlaceLevel.COMPOUND: CompoundModel,
    case_reports.PlaceLevel.COMMUNITY: CommunityModel,
    case_reports.PlaceLevel.STREET: StreetModel,
}


@strawberry.type(description="Open and overdue cases of one place, and time spent in stage.")
class StageFigures:
    level: PlaceLevel
    place_id: strawberry.ID
    place_name: str
    open_cases: int
    overdue_cases: int
    mean_working_days_in_stage: float | None
    max_working_days_in_stage: int | None


def _overdue_report(kinds: tuple[domain.CaseKind, ...], description: str) -> Any:
    """`overdueCases` and `overdueServiceRequests`: one report and one resolver, the second
    narrowed to one kind (core.cases.reports.overdue_cases)."""

    async def resolve(
        info: Info,
        as_of: dt.date,
        first: int | None = None,
        after: str | None = None,
        filter: CaseFilter | None = None,
    ) -> Connection[Case]:
        page = await case_reports.overdue_cases(
            info.context.principal,
            as_of,
            kinds,
            page_request(first, after),
            filter.to_core() if filter else None,
        )
        await lookahead.cases(info, page.rows)
        return connection(page, Case.from_row)

    return strawberry.field(resolver=resolve, description=description)


@strawberry.type
class CasesQuery:
    @strawberry.field(
        description="Compounds without a held council meeting in the six months "
        "before asOf (in the caller's scope)."
    )
    async def overdue_councils(
        self, info: Info, as_of: dt.date, first: int | None = None, after: str | None = None
    ) -> Connection[Compound]:
        page = await councils.overdue_councils(
            info.context.principal,
            as_of,
            Ordering("name"),
            page_request(first, after),
            PLACE_FIELDS[CompoundModel],
        )
        await lookahead.compounds(info, page.rows)
        return connection(page, Compound.from_row)

    overdue_cases: Connection[Case] = _overdue_report(
        (), "Open cases past their stage deadline on asOf."
    )
    overdue_service_requests: Connection[Case] = _overdue_report(
        (domain.CaseKind.SERVICE_REQUEST,),
        "One-window service requests past their deadline on asOf.",
    )

    @strawberry.field(
        description="Per compound, community or street: open and overdue cases "
        "and working days in the current stage, as of a day."
    )
    async def case_stage_figures(
        self, info: Info, as_of: dt.date, level: PlaceLevel
    ) -> list[StageFigures]:
        domain_level = case_reports.PlaceLevel(level)
        figures = await case_reports.stage_figures(info.context.principal, as_of, domain_level)
        model = _PLACE_MODELS[domain_level]
        loader = info.context.loaders.rows[model]
        names = await loader.load_many([f.place_id for f in figures])
        return [
            StageFigures(
                level=level,
                place_id=strawberry.ID(to_global_id(model.__name__, f.place_id)),
                place_name=row["name"] if row else "",
                open_cases=f.open_cases,
                overdue_cases=f.overdue_cases,
                mean_working_days_in_stage=f.mean_working_days_in_stage,
                max_working_days_in_stage=f.max_working_days_in_stage,
            )
            for f, row in zip(figures, names, strict=True)
        ]

    @strawberry.field(description="A compound's council meetings, newest first (up to 100).")
    async def council_meetings(
        self, info: Info, compound_id: strawberry.ID
    ) -> list[CouncilMeeting]:
        pk = pk_of(compound_id, "Compound", "compoundId")
        rows = await councils.meetings_of_compound(info.context.principal, pk)
        return [CouncilMeeting.from_row(r) for r in rows]
