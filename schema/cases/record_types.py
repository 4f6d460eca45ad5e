"""What the case's stages put on record, as GraphQL types."""

from __future__ import annotations

import datetime as dt

import strawberry

from core.infra import enums as domain
from core.infra.i18n import localise
from core.models import Compound as CompoundModel
from core.models import Firm as FirmModel
from core.models import Organisation as OrganisationModel
from schema.api.context import Info
from schema.api.enums import CaseStage, EscalationLevel, TransitionKind
from schema.api.ids import to_global_id
from schema.api.rows import FromRow
from schema.cases.loaders import case_loaders
from schema.firms.types import Firm
from schema.organisations.types import Organisation
from schema.places.types import Compound


@strawberry.type(description="One entry of a case's timeline: who moved it, when, from, to.")
class CaseTransition:
    kind: TransitionKind
    from_stage: CaseStage | None
    to_stage: CaseStage
    actor: str | None = strawberry.field(description="The subject of the caller who acted.")
    actor_role: str | None
    stored_note: strawberry.Private[str]
    escalation_level: EscalationLevel | None
    occurred_at: dt.datetime

    from_row = FromRow(renamed={"actor": "actor_subject", "stored_note": "note"})

    @strawberry.field(description="The note, in the request's language where it has two.")
    def note(self, info: Info) -> str:
        return localise(self.stored_note, info.context.lang)

    @strawberry.field
    def kind_label(self, info: Info) -> str:
        return domain.TransitionKind(self.kind).label(info.context.lang)


@strawberry.type(description="Who carries out the council's decision, and by when.")
class ExecutorAssignment:
    firm_id: strawberry.Private[int | None]
    organisation_id: strawberry.Private[int | None]
    due_on: dt.date
    round: int = strawberry.field(description="The case's round it was assigned in (1, 2, ...).")
    assigned_at: dt.datetime

    @strawberry.field
    async def firm(self, info: Info) -> Firm | None:
        if self.firm_id is None:
            return None
        row = await info.context.loaders.rows[FirmModel].load(self.firm_id)
        return Firm.from_row(row) if row else None

    @strawberry.field(description="The department or organisation, when not a firm.")
    async def organisation(self, info: Info) -> Organisation | None:
        if self.organisation_id is None:
            return None
        row = await info.context.loaders.rows[OrganisationModel].load(self.organisation_id)
        return Organisation.from_row(row) if row else None


@strawberry.type(
    description="The executor's progress report, or with a supervisor the supervision feedback."
)
class ProgressReport:
    text: str
    percent: int | None
    round: int = strawberry.field(description="The case's round it was filed in (1, 2, ...).")
    supervisor_id: strawberry.Private[int | None]
    reported_by: str | None
    reported_at: dt.datetime

    @strawberry.field(description="The supervising body, for supervision feedback; else null.")
    async def supervisor(self, info: Info) -> Organisation | None:
        if self.supervisor_id is None:
            return None
        row = await info.context.loaders.rows[OrganisationModel].load(self.supervisor_id)
        return Organisation.from_row(row) if row else None


@strawberry.type
class MediationSession:
    held_on: dt.date
    note: str


@strawberry.type(description="The residents' ratings of the case in its current round.")
class RatingSummary:
    count: int
    mean: float | None
    threshold: float = strawberry.field(description="The city's threshold for reopening.")

    @strawberry.field(description="True when the case may be reopened to execution.")
    def below_threshold(self) -> bool:
        return self.mean is not None and self.mean < self.threshold


@strawberry.type
class CouncilParticipant:
    organisation_name: str | None
    firm_name: str | None = strawberry.field(description="When the participant is a firm.")
    person_name: str | None
    attended: bool | None


@strawberry.type
class AgendaItem:
    case_id: strawberry.ID
    decision: str | None


@strawberry.type(description="A co-construction council meeting (共建议事会) of a compound.")
class CouncilMeeting:
    id: strawberry.ID
    pk: strawberry.Private[int]
    compound_id: strawberry.Private[int]
    held_on: dt.date
    held: bool = strawberry.field(description="False while only scheduled.")
    attendance: int
    minutes: str
    decision: str | None = strawberry.field(
        default=None, description="Read through a case: the decision on that case."
    )

    from_row = FromRow()

    @strawberry.field
    async def compound(self, info: Info) -> Compound:
        row = await info.context.loaders.rows[CompoundModel].load(self.compound_id)
        return Compound.from_row(row)  # type: ignore[arg-type]

    @strawberry.field
    async def agenda(self, info: Info) -> list[AgendaItem]:
        rows = await case_loaders(info).agenda.load(self.pk)
        return [
            AgendaItem(
                case_id=strawberry.ID(to_global_id("Case", r["case_id"])), decision=r["decision"]
            )
            for r in rows
        ]

    @strawberry.field
    async def participants(self, info: Info) -> list[CouncilParticipant]:
        rows = await case_loaders(info).participants.load(self.pk)
        return [
            CouncilParticipant(
                organisation_name=r["organisation__name"],
                firm_name=r["firm__name"],
                person_name=r["person__name"],
                attended=r["attended"],
            )
            for r in rows
        ]
