"""Root fields of the grassroots area: people lists, venues, work items, and their mutations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import strawberry

from core.grassroots import listing, workitems
from core.grassroots import roster as grassroots
from core.infra import enums as domain
from core.infra.enums import OrganisationKind as DomainOrganisationKind
from core.infra.pagination import Ordering, page_request, paginate
from core.models import BuildingHead as BuildingHeadModel
from core.models import CommunityWorker as CommunityWorkerModel
from core.models import Mediator as MediatorModel
from core.models import Organisation as OrganisationModel
from core.models import PartyMemberReport, PartyServiceRecord, VolunteerService
from core.models import Volunteer as VolunteerModel
from core.places.directory import FIELDS
from schema.api.context import Info
from schema.api.errors import UserError, attempt
from schema.api.ids import optional_pk, pk_of
from schema.api.relay import Connection, connection
from schema.api.replays import attempt_create, attempt_record, key_description
from schema.api.rereads import BUILDING_HEAD, COMMUNITY_WORKER, WORK_ITEM, WORK_ITEM_REQUEST
from schema.grassroots.types import (
    BuildingHead,
    BuildingHeadDuty,
    CommunityWorker,
    Mediator,
    PartyMember,
    ServiceVenue,
    Volunteer,
    WorkerRecordKind,
    WorkItem,
    WorkItemOutcome,
    WorkItemRequest,
)
from schema.organisations.types import Organisation

T = TypeVar("T")


async def _people(
    info: Info, model: Any, make: Callable[[dict[str, Any]], T], first: int | None,
    after: str | None, community_id: strawberry.ID | None, serving_on: dt.date | None,
) -> Connection[T]:  # fmt: skip
    f = listing.PeopleFilter(
        community_id=optional_pk(community_id, "Community", "communityId"), serving_on=serving_on
    )
    page = await listing.list_people(info.context.principal, model, f, page_request(first, after))
    return connection(page, make)


@strawberry.type
class GrassrootsQuery:
    @strawberry.field(description="Building heads (admins; a street admin: their street).")
    async def building_heads(
        self, info: Info, first: int | None = None, after: str | None = None,
        serving_on: dt.date | None = None,
    ) -> Connection[BuildingHead]:  # fmt: skip
        return await _people(
            info, BuildingHeadModel, BuildingHead.from_row, first, after, None, serving_on
        )

    @strawberry.field
    async def community_workers(
        self, info: Info, first: int | None = None, after: str | None = None,
        community_id: strawberry.ID | None = None, serving_on: dt.date | None = None,
    ) -> Connection[CommunityWorker]:  # fmt: skip
        return await _people(
            info, CommunityWorkerModel, CommunityWorker.from_row, first, after, community_id,
            serving_on,
        )  # fmt: skip

    @strawberry.field(description="Party members reporting to their residential community.")
    async def party_members(
        self, info: Info, first: int | None = None, after: str | None = None,
        community_id: strawberry.ID | None = None, serving_on: dt.date | None = None,
    ) -> Connection[PartyMember]:  # fmt: skip
        return await _people(
            info, PartyMemberReport, PartyMember.from_row, first, after, community_id,
            serving_on,
        )  # fmt: skip

    @strawberry.field
    async def volunteers(
        self, info: Info, first: int | None = None, after: str | None = None,
        community_id: strawberry.ID | None = None,
    ) -> Connection[Volunteer]:  # fmt: skip
        return await _people(
            info, VolunteerModel, Volunteer.from_row, first, after, community_id, None
        )

    @strawberry.field
    async def mediators(
        self, info: Info, first: int | None = None, after: str | None = None,
        serving_on: dt.date | None = None,
    ) -> Connection[Mediator]:  # fmt: skip
        return await _people(info, MediatorModel, Mediator.from_row, first, after, None, serving_on)

    @strawberry.field(description="Service venues with who runs them and their opening hours.")
    async def service_venues(
        self, first: int | None = None, after: str | None = None
    ) -> Connection[ServiceVenue]:
        query = OrganisationModel.filter(kind=DomainOrganisationKind.SERVICE_VENUE)
        page = await paginate(
            query, Ordering("id"), page_request(first, after), FIELDS[OrganisationModel]
        )
        return connection(page, lambda r: ServiceVenue(venue=Organisation.from_row(r)))

    @strawberry.field(description="The work items admitted for communities on a date (public).")
    async def admitted_work_items(
        self, first: int | None = None, after: str | None = None, as_of: dt.date | None = None
    ) -> Connection[WorkItem]:
        page = await workitems.list_work_items(as_of, page_request(first, after))
        return connection(page, WorkItem.from_row)

    @strawberry.field(description="Departments' requests, newest first; REFUSED: the refusals.")
    async def work_item_requests(
        self, info: Info, first: int | None = None, after: str | None = None,
        outcome: WorkItemOutcome | None = None,
    ) -> Connection[WorkItemRequest]:  # fmt: skip
        page = await workitems.list_requests(
            info.context.principal,
            domain.WorkItemOutcome(outcome) if outcome else None,
            page_request(first, after),
        )
        return connection(page, WorkItemRequest.from_row)


AdmitItemKey = Annotated[str | None, key_description("the work item is admitted")]
RequestKey = Annotated[str | None, key_description("the request is recorded")]
AppointKey = Annotated[str | None, key_description("the building head is appointed")]
AdmitWorkerKey = Annotated[str | None, key_description("the worker is admitted")]
WorkerEventKey = Annotated[str | None, key_description("the event is recorded")]
ServiceKey = Annotated[str | None, key_description("the hours are recorded")]


@strawberry.input
class RequestWorkItemInput:
    department_id: strawberry.ID
    item_name: str
    community_ids: list[strawberry.ID]
    requested_on: dt.date | None = None


@strawberry.type
class WorkItemRequestPayload:
    request: WorkItemRequest | None
    errors: list[UserError]


@strawberry.type
class WorkItemPayload:
    work_item: WorkItem | None
    errors: list[UserError]


@strawberry.input
class AppointBuildingHeadInput:
    person_id: strawberry.ID
    building_ids: list[strawberry.ID]
    appointed_on: dt.date
    duties: list[BuildingHeadDuty] | None = None


@strawberry.type
class BuildingHeadPayload:
    building_head: BuildingHead | None
    errors: list[UserError]


@strawberry.input
class WorkerEventInput:
    worker_id: strawberry.ID
    kind: WorkerRecordKind
    occurred_on: dt.date
    detail: str = ""
    pay_grade: str | None = None
    score: float | None = None
    amount: float | None = None


@strawberry.type
class CommunityWorkerPayload:
    community_worker: CommunityWorker | None
    errors: list[UserError]


@strawberry.type
class GrassrootsMutation:
    @strawberry.mutation(description="Put a work item on the admitted list (city admins).")
    async def admit_work_item(
        self, info: Info, name: str, description: str = "", basis: str = "",
        admitted_on: dt.date | None = None, idempotency_key: AdmitItemKey = None,
    ) -> WorkItemPayload:  # fmt: skip
        async def act() -> WorkItem:
            row = await workitems.admit_work_item(
                info.context.principal, name, description, basis, admitted_on
            )
            return WorkItem.from_row(row)

        item, errors = await attempt_create(info, act, idempotency_key, WORK_ITEM)
        return WorkItemPayload(work_item=item, errors=errors)

    @strawberry.mutation(description="Take a work item off the admitted list from a date.")
    async def withdraw_work_item(
        self, info: Info, id: strawberry.ID, on: dt.date | None = None
    ) -> WorkItemPayload:
        async def act() -> WorkItem:
            pk = pk_of(id, "WorkItem", "id")
            return WorkItem.from_row(
                await workitems.withdraw_work_item(info.context.principal, pk, on)
            )

        item, errors = await attempt(info, act)
        return WorkItemPayload(work_item=item, errors=errors)

    @strawberry.mutation(
        description="A department asks to hand a work item to communities: ACCEPTED when the "
        "item is admitted that day, else REFUSED with refusalReason (kept for the report)."
    )
    async def request_work_item_assignment(
        self, info: Info, input: RequestWorkItemInput, idempotency_key: RequestKey = None
    ) -> WorkItemRequestPayload:
        async def act() -> WorkItemRequest:
            data = workitems.AssignmentRequest(
                department_id=pk_of(input.department_id, "Organisation", "departmentId"),
                item_name=input.item_name,
                community_ids=tuple(
                    pk_of(c, "Community", "communityIds") for c in input.community_ids
                ),
                requested_on=input.requested_on,
            )
            row = await workitems.request_assignment(info.context.principal, data)
            return WorkItemRequest.from_row(row)

        request, errors = await attempt_create(info, act, idempotency_key, WORK_ITEM_REQUEST)
        return WorkItemRequestPayload(request=request, errors=errors)

    @strawberry.mutation(description="Appoint a building head over buildings (all five duties).")
    async def appoint_building_head(
        self, info: Info, input: AppointBuildingHeadInput, idempotency_key: AppointKey = None
    ) -> BuildingHeadPayload:
        async def act() -> BuildingHead:
            duties = (
                [domain.BuildingHeadDuty(d) for d in input.duties]
                if input.duties is not None
                else list(grassroots.ALL_DUTIES)
            )
            row = await grassroots.appoint_building_head(
                info.context.principal,
                pk_of(input.person_id, "Person", "personId"),
                [pk_of(b, "Building", "buildingIds") for b in input.building_ids],
                input.appointed_on,
                duties,
            )
            return BuildingHead.from_row(row)

        head, errors = await attempt_create(info, act, idempotency_key, BUILDING_HEAD)
        return BuildingHeadPayload(building_head=head, errors=errors)

    @strawberry.mutation(description="Admit a person as a community worker.")
    async def admit_community_worker(
        self, info: Info, person_id: strawberry.ID, community_id: strawberry.ID,
        admitted_on: dt.date, pay_grade: str | None = None,
        idempotency_key: AdmitWorkerKey = None,
    ) -> CommunityWorkerPayload:  # fmt: skip
        async def act() -> CommunityWorker:
            row = await grassroots.admit_worker(
                info.context.principal,
                pk_of(person_id, "Person", "personId"),
                pk_of(community_id, "Community", "communityId"),
                admitted_on,
                pay_grade,
            )
            return CommunityWorker.from_row(row)

        worker, errors = await attempt_create(info, act, idempotency_key, COMMUNITY_WORKER)
        return CommunityWorkerPayload(community_worker=worker, errors=errors)

    @strawberry.mutation(description="Training, pay grade, assessment, incentive or exit.")
    async def record_worker_event(
        self, info: Info, input: WorkerEventInput, idempotency_key: WorkerEventKey = None
    ) -> CommunityWorkerPayload:
        async def act() -> CommunityWorker:
            event = grassroots.WorkerEvent(
                kind=domain.WorkerRecordKind(input.kind),
                occurred_on=input.occurred_on,
                detail=input.detail,
                pay_grade=input.pay_grade,
                score=input.score,
                amount=input.amount,
            )
            worker_id = pk_of(input.worker_id, "CommunityWorker", "workerId")
            row = await grassroots.record_worker_event(info.context.principal, worker_id, event)
            return CommunityWorker.from_row(row)

        # The payload is the worker: a repeat reads the worker again (one event recorded).
        worker, errors = await attempt_create(info, act, idempotency_key, COMMUNITY_WORKER)
        return CommunityWorkerPayload(community_worker=worker, errors=errors)

    @strawberry.mutation(description="Record hours of a party member's service (双报到).")
    async def record_party_service(
        self, info: Info, member_id: strawberry.ID, served_on: dt.date, hours: float,
        activity: str, idempotency_key: ServiceKey = None,
    ) -> list[UserError]:  # fmt: skip
        async def act() -> None:
            await grassroots.record_service(
                info.context.principal, PartyServiceRecord,
                pk_of(member_id, "PartyMember", "memberId"), served_on, hours, activity,
            )  # fmt: skip

        return await attempt_record(info, act, idempotency_key)

    @strawberry.mutation(description="Record hours of a volunteer's service.")
    async def record_volunteer_service(
        self, info: Info, volunteer_id: strawberry.ID, served_on: dt.date, hours: float,
        activity: str, idempotency_key: ServiceKey = None,
    ) -> list[UserError]:  # fmt: skip
        async def act() -> None:
            await grassroots.record_service(
                info.context.principal, VolunteerService,
                pk_of(volunteer_id, "Volunteer", "volunteerId"), served_on, hours, activity,
            )  # fmt: skip

        return await attempt_record(info, act, idempotency_key)
