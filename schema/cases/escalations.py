"""The receiving desks' escalation queue: `escalatedCases` and `acknowledgeEscalation`
(core/cases/escalations.py; docs/cases.md, "The escalation queue")."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry

from core.cases import escalations as core_escalations
from core.cases.filing import cases_by_id
from core.infra import enums as domain
from core.infra.i18n import localise
from core.infra.pagination import page_request
from core.models import Street as StreetModel
from core.security.access import require_role
from core.security.auth import Principal
from schema.api.context import Info
from schema.api.enums import CaseStage, EscalationLevel
from schema.api.errors import UserError, attempt
from schema.api.ids import optional_pk, pk_of, to_global_id
from schema.api.relay import Connection, connection
from schema.api.rows import FromRow
from schema.cases.types import Case
from schema.places.types import Street

_UNREAD: Any = object()  # the case row not loaded with the entry: read it when asked


@strawberry.type(description="One escalation of an overdue case, in the receiving desk's queue.")
class CaseEscalation:
    id: strawberry.ID
    case_id: strawberry.Private[int]
    case_row: strawberry.Private[Any]
    level: EscalationLevel = strawberry.field(
        description="The desk it went to: STREET (the case's street) or CITY."
    )
    street_id: strawberry.Private[int]
    stage: CaseStage = strawberry.field(description="The stage the case was overdue in.")
    due_on: dt.date = strawberry.field(description="The stage deadline that lapsed.")
    escalated_on: dt.date = strawberry.field(description="The day of the escalation run.")
    escalated_at: dt.datetime
    escalated_by: str | None = strawberry.field(description="The subject that ran it.")
    days_overdue: int = strawberry.field(
        description="Working days past dueOn on escalatedOn (the statutory calendar)."
    )
    acknowledged_at: dt.datetime | None = strawberry.field(
        description="When the desk took the case up; null while it waits."
    )
    acknowledged_by: str | None

    from_row = FromRow(
        renamed={
            "escalated_by": "escalated_by_subject",
            "acknowledged_by": "acknowledged_by_subject",
        },
        computed={
            "id": lambda r: strawberry.ID(to_global_id("CaseEscalation", r["id"])),
            "case_row": lambda r: r.get("case_row", _UNREAD),
        },
    )

    @strawberry.field
    def acknowledged(self) -> bool:
        return self.acknowledged_at is not None

    @strawberry.field(description="Why it escalated, in the request's language.")
    def reason(self, info: Info) -> str:
        text = core_escalations.reason(domain.CaseStage(self.stage), self.due_on)
        return localise(text, info.context.lang)

    @strawberry.field(description="The case, as it is now.")
    async def case(self, info: Info) -> Case | None:
        row = self.case_row
        if row is _UNREAD:
            row = (await cases_by_id(info.context.principal, [self.case_id])).get(self.case_id)
        return Case.from_row(row) if row else None

    @strawberry.field(description="The case's street when it escalated.")
    async def street(self, info: Info) -> Street | None:
        row = await info.context.loaders.rows[StreetModel].load(self.street_id)
        return Street.from_row(row) if row else None


@strawberry.input(description="Narrows the escalation queue; every field is optional.")
class EscalatedCaseFilter:
    level: EscalationLevel | None = None
    street_id: strawberry.ID | None = None
    since: dt.date | None = strawberry.field(
        default=None, description="Escalated on this day or later."
    )
    acknowledged: bool | None = strawberry.field(
        default=None, description="false: the cases still waiting for the desk."
    )

    def to_core(self) -> core_escalations.QueueFilter:
        return core_escalations.QueueFilter(
            level=domain.EscalationLevel(self.level) if self.level else None,
            street_id=optional_pk(self.street_id, "Street", "filter.streetId"),
            since=self.since,
            acknowledged=self.acknowledged,
        )


@strawberry.type
class AcknowledgeEscalationPayload:
    escalation: CaseEscalation | None
    errors: list[UserError]


async def _with_cases(principal: Principal, rows: list[dict[str, Any]]) -> None:
    """The page's cases in one statement, through the caller's case visibility."""
    found = await cases_by_id(principal, [r["case_id"] for r in rows])
    for r in rows:
        r["case_row"] = found.get(r["case_id"])


@strawberry.type
class EscalationsQuery:
    @strawberry.field(
        description="The escalated cases at the desks the caller's scope covers (a street "
        "admin: their street's; city admins: every desk), newest first."
    )
    async def escalated_cases(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: EscalatedCaseFilter | None = None,
    ) -> Connection[CaseEscalation]:
        principal = info.context.principal
        require_role(principal, core_escalations.DESKS)  # before the filter's IDs are read
        page = await core_escalations.escalated_cases(
            principal, filter.to_core() if filter else None, page_request(first, after)
        )
        await _with_cases(principal, page.rows)
        return connection(page, CaseEscalation.from_row)


@strawberry.type
class EscalationsMutation:
    @strawberry.mutation(
        description="The desk takes an escalated case up; a repeat changes nothing."
    )
    async def acknowledge_escalation(
        self, info: Info, escalation_id: strawberry.ID
    ) -> AcknowledgeEscalationPayload:
        principal = info.context.principal

        async def act() -> CaseEscalation:
            require_role(principal, core_escalations.DESKS)  # before the ID is decoded
            pk = pk_of(escalation_id, "CaseEscalation", "escalationId")
            return CaseEscalation.from_row(await core_escalations.acknowledge(principal, pk))

        escalation, errors = await attempt(info, act)
        return AcknowledgeEscalationPayload(escalation=escalation, errors=errors)
