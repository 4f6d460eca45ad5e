"""Cases: property disputes, one-window service requests, mediation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry

from core.cases import reports as case_reports
from core.cases.rules import rules_for
from core.infra import enums as domain
from core.models import Compound as CompoundModel
from schema.api import lookahead
from schema.api.context import Info
from schema.api.enums import CaseCategory, CaseKind, CaseStage, EscalationLevel, MediationOutcome
from schema.api.loaders import MISSING, answer, later, loaded
from schema.api.relay import Node
from schema.api.rows import FromRow
from schema.cases.loaders import case_loaders
from schema.cases.record_types import (
    CaseTransition,
    CouncilMeeting,
    ExecutorAssignment,
    MediationSession,
    ProgressReport,
    RatingSummary,
)
from schema.places.types import Compound


def _escalation_level(r: dict[str, Any]) -> domain.EscalationLevel:
    return r.get("escalation_level") or domain.EscalationLevel.COMMUNITY


@strawberry.type(description="A case a resident brought: dispute, service request or mediation.")
class Case(Node):
    pk: strawberry.Private[int]
    compound_id: strawberry.Private[int]
    kind: CaseKind
    title: str
    description: str
    stage: CaseStage
    stage_entered_at: dt.datetime
    version: int = strawberry.field(description="Pass it back when moving the case on.")
    created_at: dt.datetime = strawberry.field(description="When the case was filed.")
    round: strawberry.Private[int] = 1
    on_behalf_of: str | None = strawberry.field(
        default=None, description="Proxy filing (代办): the resident staff filed for."
    )
    topic: str | None = None
    category: CaseCategory | None = None
    stage_due_on: dt.date | None = strawberry.field(
        default=None, description="The working day by which the current stage must be left."
    )
    escalation_level: EscalationLevel = strawberry.field(
        default=domain.EscalationLevel.COMMUNITY, description="Who answers for it when overdue."
    )
    reply: str | None = strawberry.field(default=None, description="Service requests: the reply.")
    mediation_outcome: MediationOutcome | None = None

    from_row = FromRow(computed={"escalation_level": _escalation_level})

    @strawberry.field
    def kind_label(self, info: Info) -> str:
        return domain.CaseKind(self.kind).label(info.context.lang)

    @strawberry.field
    def stage_label(self, info: Info) -> str:
        return domain.CaseStage(self.stage).label(info.context.lang)

    @strawberry.field
    def compound(self, info: Info) -> Compound:
        # Not `async def`: a page of cases loads its compounds ahead (schema/api/lookahead.py).
        loaders = info.context.loaders
        if loaded(loaders.rows[CompoundModel], self.compound_id) is MISSING:
            if lookahead.selects(info, "firm"):
                loaders.current_firm.load(self.compound_id)  # batched alongside, not a level later
            if lookahead.selects(info, "community"):
                # The compound with its community and street, in one statement.
                pending = loaders.place_chain.load(self.compound_id)
                return later(pending, lambda chain: Compound.from_row(chain[0]))  # type: ignore[return-value]
        return answer(loaders.rows[CompoundModel], self.compound_id, Compound.from_row)  # type: ignore[no-any-return]

    @strawberry.field(description="Every filing, move, reopening and escalation, oldest first.")
    async def timeline(self, info: Info) -> list[CaseTransition]:
        rows = await case_loaders(info).timeline.load(self.pk)
        return [CaseTransition.from_row(r) for r in rows]

    @strawberry.field(description="The executors named to carry out the decision.")
    async def executors(self, info: Info) -> list[ExecutorAssignment]:
        rows = await case_loaders(info).assignments.load(self.pk)
        return [
            ExecutorAssignment(
                firm_id=r["firm_id"],
                organisation_id=r["organisation_id"],
                due_on=r["due_on"],
                round=r["round"],
                assigned_at=r["created_at"],
            )
            for r in rows
        ]

    @strawberry.field
    async def progress_reports(self, info: Info) -> list[ProgressReport]:
        rows = await case_loaders(info).progress.load(self.pk)
        return [
            ProgressReport(
                text=r["text"],
                percent=r["percent"],
                round=r["round"],
                supervisor_id=r["supervisor_id"],
                reported_by=r["reported_by_subject"],
                reported_at=r["created_at"],
            )
            for r in rows
        ]

    @strawberry.field(description="The residents' ratings of the current round.")
    async def ratings(self, info: Info) -> RatingSummary:
        count, mean = await case_loaders(info).ratings.load((self.pk, self.round))
        threshold = rules_for(info.context.city).evaluation_threshold
        return RatingSummary(count=count, mean=mean, threshold=threshold)

    @strawberry.field(description="Council meetings with this case on the agenda, newest first.")
    async def meetings(self, info: Info) -> list[CouncilMeeting]:
        rows = await case_loaders(info).meetings.load(self.pk)
        return [CouncilMeeting.from_row(r) for r in rows]

    @strawberry.field
    async def mediation_sessions(self, info: Info) -> list[MediationSession]:
        rows = await case_loaders(info).sessions.load(self.pk)
        return [MediationSession(held_on=r["held_on"], note=r["note"]) for r in rows]

    @strawberry.field(description="Working days spent in the current stage as of a day.")
    def working_days_in_stage(self, info: Info, as_of: dt.date) -> int:
        row = {"stage_entered_at": self.stage_entered_at}
        return case_reports.working_days_in_stage(row, as_of)

    @strawberry.field(description="Past its stage deadline on the given day (open cases only).")
    def overdue(self, as_of: dt.date) -> bool:
        return (
            self.stage != domain.CaseStage.CLOSED
            and self.stage_due_on is not None
            and self.stage_due_on < as_of
        )
