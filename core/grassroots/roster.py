"""Grassroots people: appoint, admit, report, record (core/grassroots/listing.py reads them).

Writers are admins: city and platform admins anywhere, a street admin inside their street.
People appear by name only; Person's personal data (phone) is never read here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tortoise.transactions import in_transaction

from core.grassroots.listing import ADMINS, FIELDS, street_of, venue_hours
from core.infra.enums import BuildingHeadDuty, OrganisationKind, WorkerRecordKind
from core.infra.errors import DomainError, ValidationErrors
from core.models import (
    Building,
    BuildingHead,
    BuildingHeadCoverage,
    Community,
    CommunityWorker,
    CommunityWorkerRecord,
    Mediator,
    Organisation,
    PartyMemberReport,
    PartyServiceRecord,
    Person,
    VenueHours,
    Volunteer,
    VolunteerService,
)
from core.models.base import CityModel
from core.security.access import require_role
from core.security.auth import Principal

ALL_DUTIES = tuple(BuildingHeadDuty)


async def _person(person_id: int, errors: list[DomainError], field: str = "personId") -> None:
    if not await Person.filter(id=person_id).exists():
        errors.append(DomainError("NOT_FOUND", field))


async def _community(
    principal: Principal, community_id: int | None, errors: list[DomainError]
) -> None:
    if community_id is None:
        return
    query = Community.filter(id=community_id)
    street = street_of(principal)
    if street is not None:
        query = query.filter(street_id=street)
    if not await query.exists():
        errors.append(DomainError("NOT_FOUND", "communityId"))


def _raise(errors: list[DomainError]) -> None:
    if errors:
        raise ValidationErrors(errors)


async def _row(model: type[CityModel], row_id: int) -> dict[str, Any]:
    return dict((await model.filter(id=row_id).values(*FIELDS[model]))[0])


# --- building heads ---


async def appoint_building_head(
    principal: Principal,
    person_id: int,
    building_ids: Sequence[int],
    appointed_on: dt.date,
    duties: Sequence[BuildingHeadDuty] = ALL_DUTIES,
) -> dict[str, Any]:
    """A building head with the duties given (all five by default) over the buildings."""
    require_role(principal, ADMINS)
    errors: list[DomainError] = []
    await _person(person_id, errors)
    if not building_ids:
        errors.append(DomainError("EMPTY_LIST", "buildingIds"))
    else:
        query = Building.filter(id__in=list(set(building_ids)))
        street = street_of(principal)
        if street is not None:
            query = query.filter(compound__community__street_id=street)
        if await query.count() != len(set(building_ids)):
            errors.append(DomainError("NOT_FOUND", "buildingIds"))
    if not duties:
        errors.append(DomainError("EMPTY_LIST", "duties"))
    _raise(errors)
    ordered = [d.value for d in BuildingHeadDuty if d in set(duties)]
    async with in_transaction():
        head = await BuildingHead.create(
            person_id=person_id, duties=ordered, appointed_on=appointed_on
        )
        for building_id in sorted(set(building_ids)):
            await BuildingHeadCoverage.create(head=head, building_id=building_id)
    return await _row(BuildingHead, head.id)


async def end_service(
    principal: Principal, model: type[CityModel], row_id: int, on: dt.date
) -> dict[str, Any]:
    """End a building head's, party member's or mediator's service on `on` (inclusive)."""
    require_role(principal, ADMINS)
    start = {BuildingHead: "appointed_on", PartyMemberReport: "reported_on",
             Mediator: "appointed_on"}[model]  # fmt: skip
    rows = await model.filter(id=row_id).values(start)
    if not rows:
        raise DomainError("NOT_FOUND", "id")
    if on < rows[0][start]:
        raise DomainError("DATE_ORDER", "endedOn")
    await model.filter(id=row_id).update(ended_on=on)
    return await _row(model, row_id)


# --- community workers ---


async def admit_worker(
    principal: Principal,
    person_id: int,
    community_id: int,
    admitted_on: dt.date,
    pay_grade: str | None = None,
) -> dict[str, Any]:
    require_role(principal, ADMINS)
    errors: list[DomainError] = []
    await _person(person_id, errors)
    await _community(principal, community_id, errors)
    _raise(errors)
    async with in_transaction():
        worker = await CommunityWorker.create(
            person_id=person_id,
            community_id=community_id,
            admitted_on=admitted_on,
            pay_grade=pay_grade,
        )
        await CommunityWorkerRecord.create(
            worker=worker,
            kind=WorkerRecordKind.ADMISSION,
            occurred_on=admitted_on,
            pay_grade=pay_grade,
        )
    return await _row(CommunityWorker, worker.id)


@dataclass(frozen=True)
class WorkerEvent:
    kind: WorkerRecordKind
    occurred_on: dt.date
    detail: str = ""
    pay_grade: str | None = None
    score: float | None = None
    amount: float | None = None


async def record_worker_event(
    principal: Principal, worker_id: int, event: WorkerEvent
) -> dict[str, Any]:
    """Training, a pay grade, an assessment, an incentive or the exit, after admission."""
    require_role(principal, ADMINS)
    rows = await CommunityWorker.filter(id=worker_id).values(*FIELDS[CommunityWorker])
    if not rows:
        raise DomainError("NOT_FOUND", "workerId")
    worker = rows[0]
    errors: list[DomainError] = []
    await _community(principal, worker["community_id"], errors)
    if errors:  # another street's worker reads as absent
        raise DomainError("NOT_FOUND", "workerId")
    if event.kind is WorkerRecordKind.ADMISSION:
        errors.append(DomainError("DUPLICATE", "kind"))
    if worker["exited_on"] is not None:
        errors.append(DomainError("WORKER_EXITED", "workerId"))
    if event.occurred_on < worker["admitted_on"]:
        errors.append(DomainError("DATE_ORDER", "occurredOn"))
    if event.kind is WorkerRecordKind.PAY_GRADE and not event.pay_grade:
        errors.append(DomainError("REQUIRED", "payGrade"))
    if event.kind is WorkerRecordKind.ASSESSMENT and (
        event.score is None or not 0 <= event.score <= 100
    ):
        errors.append(DomainError("OUT_OF_RANGE", "score", min=0, max=100))
    if event.kind is WorkerRecordKind.INCENTIVE and (event.amount or 0) < 0:
        errors.append(DomainError("NEGATIVE", "amount"))
    _raise(errors)
    async with in_transaction():
        await CommunityWorkerRecord.create(
            worker_id=worker_id,
            kind=event.kind,
            occurred_on=event.occurred_on,
            detail=event.detail,
            pay_grade=event.pay_grade,
            score=event.score,
            amount=event.amount,
        )
        if event.kind is WorkerRecordKind.PAY_GRADE:
            await CommunityWorker.filter(id=worker_id).update(pay_grade=event.pay_grade)
        if event.kind is WorkerRecordKind.EXIT:
            await CommunityWorker.filter(id=worker_id).update(
                exited_on=event.occurred_on, exit_reason=event.detail or None
            )
    return await _row(CommunityWorker, worker_id)


# --- party members (dual reporting), volunteers, service hours ---


async def report_party_member(
    principal: Principal,
    person_id: int,
    community_id: int,
    reported_on: dt.date,
    employer_organisation_id: int | None = None,
) -> dict[str, Any]:
    require_role(principal, ADMINS)
    errors: list[DomainError] = []
    await _person(person_id, errors)
    await _community(principal, community_id, errors)
    if (
        employer_organisation_id is not None
        and not await Organisation.filter(id=employer_organisation_id).exists()
    ):
        errors.append(DomainError("NOT_FOUND", "employerOrganisationId"))
    _raise(errors)
    member = await PartyMemberReport.create(
        person_id=person_id,
        community_id=community_id,
        employer_organisation_id=employer_organisation_id,
        reported_on=reported_on,
    )
    return await _row(PartyMemberReport, member.id)


async def register_volunteer(
    principal: Principal, person_id: int, community_id: int | None, registered_on: dt.date
) -> dict[str, Any]:
    require_role(principal, ADMINS)
    errors: list[DomainError] = []
    await _person(person_id, errors)
    await _community(principal, community_id, errors)
    _raise(errors)
    volunteer = await Volunteer.create(
        person_id=person_id, community_id=community_id, registered_on=registered_on
    )
    return await _row(Volunteer, volunteer.id)


HOURS_MAX = 24.0


async def record_service(
    principal: Principal,
    model: type[PartyServiceRecord] | type[VolunteerService],
    owner_id: int,
    served_on: dt.date,
    hours: float,
    activity: str,
) -> dict[str, Any]:
    """A party member's or a volunteer's service: a day, hours (0-24] and what was done."""
    require_role(principal, ADMINS)
    owner_model, owner_field, start = (
        (PartyMemberReport, "member_id", "reported_on")
        if model is PartyServiceRecord
        else (Volunteer, "volunteer_id", "registered_on")
    )
    query = owner_model.filter(id=owner_id)
    street = street_of(principal)
    if street is not None:  # a street admin records hours in their own street only
        query = query.filter(community__street_id=street)
    rows = await query.values("community_id", start)
    errors: list[DomainError] = []
    if not rows:
        raise DomainError("NOT_FOUND", "id")
    if not 0 < hours <= HOURS_MAX:
        errors.append(DomainError("OUT_OF_RANGE", "hours", min=0, max=HOURS_MAX))
    if not activity.strip():
        errors.append(DomainError("REQUIRED", "activity"))
    if served_on < rows[0][start]:
        errors.append(DomainError("DATE_ORDER", "servedOn"))
    _raise(errors)
    owner: dict[str, Any] = {owner_field: owner_id}  # not matched against `using_db` by mypy
    record = await model.create(
        **owner, served_on=served_on, hours=hours, activity=activity.strip()
    )
    return await _row(model, record.id)


# --- mediators and venues ---


async def _organisation_of_kind(org_id: int, kind: OrganisationKind, field: str) -> None:
    rows = await Organisation.filter(id=org_id).values("kind")
    if not rows:
        raise DomainError("NOT_FOUND", field)
    if rows[0]["kind"] != kind:
        raise DomainError("WRONG_ORGANISATION_KIND", field, expected=kind.label("en"))


async def appoint_mediator(
    principal: Principal,
    person_id: int,
    committee_id: int,
    appointed_on: dt.date,
    is_chair: bool = False,
) -> dict[str, Any]:
    require_role(principal, ADMINS)
    errors: list[DomainError] = []
    await _person(person_id, errors)
    try:
        await _organisation_of_kind(
            committee_id, OrganisationKind.MEDIATION_COMMITTEE, "committeeId"
        )
    except DomainError as e:
        errors.append(e)
    _raise(errors)
    mediator = await Mediator.create(
        person_id=person_id, committee_id=committee_id, appointed_on=appointed_on,
        is_chair=is_chair,
    )  # fmt: skip
    return await _row(Mediator, mediator.id)


@dataclass(frozen=True)
class OpeningPeriod:
    weekday: int  # 1 = Monday ... 7 = Sunday
    opens_minute: int
    closes_minute: int
    staggered: bool = False


async def set_venue_hours(
    principal: Principal, venue_id: int, periods: Sequence[OpeningPeriod]
) -> list[dict[str, Any]]:
    """Replace a service venue's opening hours with `periods` (all errors reported at once)."""
    require_role(principal, ADMINS)
    await _organisation_of_kind(venue_id, OrganisationKind.SERVICE_VENUE, "venueId")
    errors: list[DomainError] = []
    for i, p in enumerate(periods):
        if not 1 <= p.weekday <= 7:
            errors.append(DomainError("OUT_OF_RANGE", f"periods.{i}.weekday", min=1, max=7))
        if not 0 <= p.opens_minute < p.closes_minute <= 24 * 60:
            errors.append(DomainError("DATE_ORDER", f"periods.{i}.closes"))
    _raise(errors)
    async with in_transaction():
        await VenueHours.filter(venue_id=venue_id).delete()
        for p in periods:
            await VenueHours.create(
                venue_id=venue_id,
                weekday=p.weekday,
                opens_minute=p.opens_minute,
                closes_minute=p.closes_minute,
                staggered=p.staggered,
            )
    return (await venue_hours([venue_id]))[venue_id]
