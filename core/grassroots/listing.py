"""Grassroots people read back as plain rows: the lists of each kind, as far as the caller's
street reaches, and what the loaders batch per person (buildings, records, hours, venue hours).

Appointing, admitting, reporting and recording them is core/grassroots/roster.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tortoise.expressions import Q, Subquery
from tortoise.functions import Sum
from tortoise.queryset import QuerySet

from core.infra.enums import Role
from core.infra.pagination import Ordering, Page, PageRequest, paginate
from core.models import (
    BuildingHead,
    BuildingHeadCoverage,
    CommunityWorker,
    CommunityWorkerRecord,
    Mediator,
    PartyMemberReport,
    PartyServiceRecord,
    VenueHours,
    Volunteer,
    VolunteerService,
)
from core.models.base import CityModel
from core.security.access import require_role
from core.security.auth import Principal, ScopeKind

ADMINS = frozenset({Role.CITY_ADMIN, Role.PLATFORM_ADMIN, Role.STREET_ADMIN})
FIELDS: dict[type[CityModel], tuple[str, ...]] = {
    BuildingHead: ("id", "person_id", "person__name", "duties", "appointed_on", "ended_on"),
    CommunityWorker: (
        "id", "person_id", "person__name", "community_id", "admitted_on", "pay_grade",
        "exited_on", "exit_reason",
    ),
    CommunityWorkerRecord: (
        "id", "worker_id", "kind", "occurred_on", "detail", "pay_grade", "score", "amount",
    ),
    PartyMemberReport: (
        "id", "person_id", "person__name", "community_id", "employer_organisation_id",
        "reported_on", "ended_on",
    ),
    PartyServiceRecord: ("id", "member_id", "served_on", "hours", "activity"),
    Volunteer: ("id", "person_id", "person__name", "community_id", "registered_on"),
    VolunteerService: ("id", "volunteer_id", "served_on", "hours", "activity"),
    Mediator: (
        "id", "person_id", "person__name", "committee_id", "is_chair", "appointed_on", "ended_on",
    ),
    VenueHours: ("id", "venue_id", "weekday", "opens_minute", "closes_minute", "staggered"),
}  # fmt: skip


def street_of(principal: Principal) -> int | None:
    return principal.scope.id if principal.scope.kind is ScopeKind.STREET else None


async def buildings_of_heads(head_ids: Iterable[int]) -> dict[int, list[int]]:
    keys = list(set(head_ids))
    grouped: dict[int, list[int]] = {k: [] for k in keys}
    rows = (
        await BuildingHeadCoverage.filter(head_id__in=keys)
        .order_by("building_id")
        .values("head_id", "building_id")
    )
    for r in rows:
        grouped[r["head_id"]].append(r["building_id"])
    return grouped


async def service_hours(
    model: type[PartyServiceRecord] | type[VolunteerService], owner_ids: Iterable[int]
) -> dict[int, float]:
    """Total hours of each party member or volunteer, summed by the database."""
    field = "member_id" if model is PartyServiceRecord else "volunteer_id"
    keys = list(set(owner_ids))
    rows = (
        await model.filter(**{f"{field}__in": keys})
        .annotate(total=Sum("hours"))
        .group_by(field)
        .values(field, "total")
    )
    found = {r[field]: float(r["total"] or 0) for r in rows}
    return {k: found.get(k, 0.0) for k in keys}


async def venue_hours(venue_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    keys = list(set(venue_ids))
    grouped: dict[int, list[dict[str, Any]]] = {k: [] for k in keys}
    rows = (
        await VenueHours.filter(venue_id__in=keys)
        .order_by("weekday", "opens_minute")
        .values(*FIELDS[VenueHours])
    )
    for r in rows:
        grouped[r["venue_id"]].append(r)
    return grouped


# --- lists ---


@dataclass(frozen=True)
class PeopleFilter:
    community_id: int | None = None
    serving_on: dt.date | None = None  # only those serving (not ended / exited) that day


def _serving(model: type[CityModel], day: dt.date) -> Q:
    start, end = {
        BuildingHead: ("appointed_on", "ended_on"),
        CommunityWorker: ("admitted_on", "exited_on"),
        PartyMemberReport: ("reported_on", "ended_on"),
        Mediator: ("appointed_on", "ended_on"),
        Volunteer: ("registered_on", None),
    }[model]
    # mypy matches a `**{lookup: value}` against Q's `join_type: str`.
    q = Q(**{f"{start}__lte": day})  # type: ignore[arg-type]
    if end is not None:
        q &= Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": day})  # type: ignore[arg-type]
    return q


async def list_people(
    principal: Principal, model: type[CityModel], f: PeopleFilter, page: PageRequest
) -> Page:
    """Building heads, workers, party members, volunteers or mediators, by id.

    A street admin sees those of their street's communities (building heads: of its
    buildings; mediators: of committees attached to its places).
    """
    query = _visible_people(principal, model)
    if f.community_id is not None and model in _WITH_COMMUNITY:
        query = query.filter(community_id=f.community_id)
    if f.serving_on is not None:
        query = query.filter(_serving(model, f.serving_on))
    return await paginate(query, Ordering("id"), page, FIELDS[model])


async def people_by_id(
    principal: Principal, model: type[CityModel], ids: Iterable[int]
) -> dict[int, dict[str, Any]]:
    """Building heads, workers, ... as `list_people` shows them to the caller, by id."""
    query = _visible_people(principal, model).filter(id__in=list(set(ids)))
    return {r["id"]: r for r in await query.values(*FIELDS[model])}


_WITH_COMMUNITY = (CommunityWorker, PartyMemberReport, Volunteer)


def _visible_people(principal: Principal, model: type[CityModel]) -> QuerySet[Any]:
    require_role(principal, ADMINS)
    query = model.all()
    street = street_of(principal)
    if street is None:
        return query
    if model in _WITH_COMMUNITY:
        return query.filter(community__street_id=street)
    if model is BuildingHead:
        covered = BuildingHeadCoverage.filter(building__compound__community__street_id=street)
        return query.filter(id__in=Subquery(covered.values("head_id")))
    if model is Mediator:
        return query.filter(
            Q(committee__street_id=street) | Q(committee__community__street_id=street)
        )
    return query


async def worker_records(worker_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    keys = list(set(worker_ids))
    grouped: dict[int, list[dict[str, Any]]] = {k: [] for k in keys}
    rows = (
        await CommunityWorkerRecord.filter(worker_id__in=keys)
        .order_by("occurred_on", "id")
        .values(*FIELDS[CommunityWorkerRecord])
    )
    for r in rows:
        grouped[r["worker_id"]].append(r)
    return grouped
