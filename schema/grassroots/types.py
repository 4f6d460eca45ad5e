"""Grassroots people and work items as GraphQL types; people by name only (no phone)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry

from core.infra import enums as domain
from core.infra.i18n import message
from core.models import Building as BuildingModel
from core.models import Community as CommunityModel
from core.models import Organisation as OrganisationModel
from schema.api.context import Info
from schema.api.ids import to_global_id
from schema.api.relay import Node
from schema.api.rows import FromRow
from schema.grassroots.loaders import grassroots_loaders
from schema.organisations.types import Organisation
from schema.places.types import Building, Community

BuildingHeadDuty = domain.BuildingHeadDuty
WorkerRecordKind = domain.WorkerRecordKind
WorkItemOutcome = domain.WorkItemOutcome
# Marked as GraphQL enums apart from the aliases, as in schema/api/enums.py (for mypy).
strawberry.enum(BuildingHeadDuty)
strawberry.enum(WorkerRecordKind)
strawberry.enum(WorkItemOutcome)


def _gid(type_name: str, pk: int) -> strawberry.ID:
    return strawberry.ID(to_global_id(type_name, pk))


async def _community(info: Info, community_id: int | None) -> Community | None:
    if community_id is None:
        return None
    row = await info.context.loaders.rows[CommunityModel].load(community_id)
    return Community.from_row(row) if row else None


async def _organisation(info: Info, org_id: int | None) -> Organisation | None:
    if org_id is None:
        return None
    row = await info.context.loaders.rows[OrganisationModel].load(org_id)
    return Organisation.from_row(row) if row else None


def _duties(r: dict[str, Any]) -> list[domain.BuildingHeadDuty]:
    duties = r["duties"] if isinstance(r["duties"], list) else []
    return [domain.BuildingHeadDuty(d) for d in duties]


@strawberry.type(description="A building head (楼栋长) with the five duties (五员).")
class BuildingHead(Node):
    pk: strawberry.Private[int]
    person_name: str
    duties: list[BuildingHeadDuty]
    appointed_on: dt.date
    ended_on: dt.date | None

    from_row = FromRow(renamed={"person_name": "person__name"}, computed={"duties": _duties})

    @strawberry.field(description="The buildings this head covers.")
    async def buildings(self, info: Info) -> list[Building]:
        ids = await grassroots_loaders(info.context).head_buildings.load(self.pk)
        rows = await info.context.loaders.rows[BuildingModel].load_many(ids)
        return [Building.from_row(r) for r in rows if r]


@strawberry.type(description="One event of a community worker's lifecycle.")
class WorkerRecord:
    kind: WorkerRecordKind
    occurred_on: dt.date
    detail: str
    pay_grade: str | None
    score: float | None
    amount: float | None


@strawberry.type(description="A community worker (社区工作者) and their lifecycle.")
class CommunityWorker(Node):
    pk: strawberry.Private[int]
    community_id: strawberry.Private[int]
    person_name: str
    admitted_on: dt.date
    pay_grade: str | None
    exited_on: dt.date | None
    exit_reason: str | None

    from_row = FromRow(renamed={"person_name": "person__name"})

    @strawberry.field
    async def community(self, info: Info) -> Community | None:
        return await _community(info, self.community_id)

    @strawberry.field(description="Admission, training, pay grades, assessments, incentives, exit.")
    async def records(self, info: Info) -> list[WorkerRecord]:
        rows = await grassroots_loaders(info.context).worker_records.load(self.pk)
        return [
            WorkerRecord(
                kind=r["kind"],
                occurred_on=r["occurred_on"],
                detail=r["detail"],
                pay_grade=r["pay_grade"],
                score=r["score"],
                amount=r["amount"],
            )
            for r in rows
        ]


@strawberry.type(description="A party member reporting to the community they live in (双报到).")
class PartyMember(Node):
    pk: strawberry.Private[int]
    community_id: strawberry.Private[int]
    employer_id: strawberry.Private[int | None]
    person_name: str
    reported_on: dt.date
    ended_on: dt.date | None

    from_row = FromRow(
        renamed={"person_name": "person__name", "employer_id": "employer_organisation_id"}
    )

    @strawberry.field(description="The residential community reported to.")
    async def community(self, info: Info) -> Community | None:
        return await _community(info, self.community_id)

    @strawberry.field(description="The employer's party organisation, which reports too.")
    async def employer_organisation(self, info: Info) -> Organisation | None:
        return await _organisation(info, self.employer_id)

    @strawberry.field(description="Hours of service recorded in the community.")
    async def service_hours(self, info: Info) -> float:
        return float(await grassroots_loaders(info.context).party_hours.load(self.pk))


@strawberry.type
class Volunteer(Node):
    pk: strawberry.Private[int]
    community_id: strawberry.Private[int | None]
    person_name: str
    registered_on: dt.date

    from_row = FromRow(renamed={"person_name": "person__name"})

    @strawberry.field
    async def community(self, info: Info) -> Community | None:
        return await _community(info, self.community_id)

    @strawberry.field
    async def service_hours(self, info: Info) -> float:
        return float(await grassroots_loaders(info.context).volunteer_hours.load(self.pk))


@strawberry.type(description="A mediator of a people's mediation committee.")
class Mediator(Node):
    pk: strawberry.Private[int]
    committee_id: strawberry.Private[int]
    person_name: str
    is_chair: bool
    appointed_on: dt.date
    ended_on: dt.date | None

    from_row = FromRow(
        renamed={"person_name": "person__name"},
        computed={"is_chair": lambda r: bool(r["is_chair"])},
    )

    @strawberry.field
    async def committee(self, info: Info) -> Organisation | None:
        return await _organisation(info, self.committee_id)


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@strawberry.type(description="One opening period; staggered: outside office hours (错时).")
class OpeningPeriod:
    weekday: int = strawberry.field(description="1 = Monday ... 7 = Sunday.")
    opens: str = strawberry.field(description="HH:MM, local time.")
    closes: str
    staggered: bool

    from_row = FromRow(
        computed={
            "opens": lambda r: _hhmm(r["opens_minute"]),
            "closes": lambda r: _hhmm(r["closes_minute"]),
            "staggered": lambda r: bool(r["staggered"]),
        }
    )


@strawberry.type(description="A service venue, who runs it, and its opening hours.")
class ServiceVenue:
    venue: Organisation

    @strawberry.field(description="The social organisation running it (the venue's parent).")
    async def run_by(self, info: Info) -> Organisation | None:
        return await _organisation(info, self.venue.parent_id)

    @strawberry.field
    async def opening_hours(self, info: Info) -> list[OpeningPeriod]:
        rows = await grassroots_loaders(info.context).venue_hours.load(self.venue.pk)
        return [OpeningPeriod.from_row(r) for r in rows]


@strawberry.type(description="A work item admitted for communities (社区工作事项准入清单).")
class WorkItem(Node):
    pk: strawberry.Private[int]
    name: str
    description: str
    basis: str
    admitted_on: dt.date
    withdrawn_on: dt.date | None

    from_row = FromRow()


@strawberry.type(description="A department's request to hand a work item to communities.")
class WorkItemRequest(Node):
    pk: strawberry.Private[int]
    department_id: strawberry.Private[int]
    work_item_id: strawberry.Private[int | None]
    item_name: str
    requested_on: dt.date
    outcome: WorkItemOutcome
    refusal_code: str | None

    from_row = FromRow()

    @strawberry.field(description="Why it was refused, in the caller's language.")
    async def refusal_reason(self, info: Info) -> str | None:
        if self.refusal_code is None:
            return None
        item = None
        if self.work_item_id is not None:
            item = await grassroots_loaders(info.context).work_item.load(self.work_item_id)
        on = item["withdrawn_on"].isoformat() if item and item["withdrawn_on"] else ""
        return message(self.refusal_code, info.context.lang, item=self.item_name, on=on)

    @strawberry.field
    async def department(self, info: Info) -> Organisation | None:
        return await _organisation(info, self.department_id)

    @strawberry.field(description="The communities named; the assignments when accepted.")
    async def communities(self, info: Info) -> list[Community]:
        ids = await grassroots_loaders(info.context).request_communities.load(self.pk)
        rows = await info.context.loaders.rows[CommunityModel].load_many(ids)
        return [Community.from_row(r) for r in rows if r]
