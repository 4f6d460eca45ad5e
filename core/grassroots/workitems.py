"""Community work-item admission (社区工作事项准入, DOMAIN.md process 7).

Departments may hand communities only the work items on the admitted list. A request for
anything else is refused with its reason and kept, so the refusals can be reported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from core.infra import clock
from core.infra.enums import OrganisationKind, Role, WorkItemOutcome
from core.infra.errors import DomainError, ValidationErrors
from core.infra.pagination import Ordering, Page, PageRequest, paginate
from core.infra.tenancy import current_city
from core.models import Community, Organisation, WorkItem, WorkItemRequest, WorkItemRequestCommunity
from core.security.access import require_role
from core.security.auth import Principal, ScopeKind

CITY_ADMINS = frozenset({Role.CITY_ADMIN, Role.PLATFORM_ADMIN})
REQUESTERS = CITY_ADMINS | {Role.STREET_ADMIN}
ITEM_FIELDS = ("id", "name", "description", "basis", "admitted_on", "withdrawn_on", "created_at")
REQUEST_FIELDS = (
    "id",
    "department_id",
    "work_item_id",
    "item_name",
    "requested_on",
    "outcome",
    "refusal_code",
    "created_at",
)
NAME_MAX = 128


def _today() -> dt.date:
    return clock.local_date(clock.now(), current_city())


def admitted(day: dt.date) -> Q:
    """The one rule of the list, for `admittedWorkItems`, requests and the export: admitted on
    or before `day` and not withdrawn on or before it (a never-withdrawn item has no date)."""
    return Q(admitted_on__lte=day) & (Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=day))


def _name(value: str, field: str) -> str:
    name = value.strip()
    if not name:
        raise DomainError("REQUIRED", field)
    if len(name) > NAME_MAX:
        raise DomainError("TOO_LONG", field, max=NAME_MAX)
    return name


async def admit_work_item(
    principal: Principal, name: str, description: str = "", basis: str = "",
    admitted_on: dt.date | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Put a work item on the admitted list (city admins)."""
    require_role(principal, CITY_ADMINS)
    clean = _name(name, "name")
    if await WorkItem.filter(name=clean).exists():
        raise DomainError("DUPLICATE", "name")
    item = await WorkItem.create(
        name=clean, description=description, basis=basis, admitted_on=admitted_on or _today()
    )
    return (await WorkItem.filter(id=item.id).values(*ITEM_FIELDS))[0]


async def withdraw_work_item(
    principal: Principal, item_id: int, on: dt.date | None = None
) -> dict[str, Any]:
    """Take a work item off the list from `on` (today by default); requests after are refused."""
    require_role(principal, CITY_ADMINS)
    row = await WorkItem.filter(id=item_id).values(*ITEM_FIELDS)
    if not row:
        raise DomainError("NOT_FOUND", "id")
    day = on or _today()
    if day < row[0]["admitted_on"]:
        raise DomainError("DATE_ORDER", "on")
    await WorkItem.filter(id=item_id).update(withdrawn_on=day)
    return (await WorkItem.filter(id=item_id).values(*ITEM_FIELDS))[0]


@dataclass(frozen=True)
class AssignmentRequest:
    department_id: int
    item_name: str
    community_ids: tuple[int, ...]
    requested_on: dt.date | None = None


async def _check_request(principal: Principal, data: AssignmentRequest) -> str:
    errors: list[DomainError] = []
    name = ""
    try:
        name = _name(data.item_name, "itemName")
    except DomainError as e:
        errors.append(e)
    department = await Organisation.filter(id=data.department_id).values("kind")
    if not department:
        errors.append(DomainError("NOT_FOUND", "departmentId"))
    elif department[0]["kind"] != OrganisationKind.GOVERNMENT_DEPARTMENT:
        errors.append(DomainError("NOT_A_DEPARTMENT", "departmentId"))
    if not data.community_ids:
        errors.append(DomainError("EMPTY_LIST", "communityIds"))
    else:
        query = Community.filter(id__in=list(set(data.community_ids)))
        if principal.scope.kind is ScopeKind.STREET:
            # A street admin hands work only to the street's own communities.
            query = query.filter(street_id=principal.scope.id)
        if await query.count() != len(set(data.community_ids)):
            errors.append(DomainError("NOT_FOUND", "communityIds"))
    if errors:
        raise ValidationErrors(errors)
    return name


async def request_assignment(principal: Principal, data: AssignmentRequest) -> dict[str, Any]:
    """Record a department's request: ACCEPTED if the item is on the list that day, else
    REFUSED with the reason. Bad input (unknown department or community) writes nothing."""
    require_role(principal, REQUESTERS)
    name = await _check_request(principal, data)
    day = data.requested_on or _today()
    items = await WorkItem.filter(name=name).values(*ITEM_FIELDS)
    item = items[0] if items else None
    refusal = None
    if item is None or not await WorkItem.filter(admitted(day), id=item["id"]).exists():
        # Not on the list that day: never yet admitted, or taken off it by then.
        on_list_before = item is not None and item["admitted_on"] <= day
        refusal = "WORK_ITEM_WITHDRAWN" if on_list_before else "WORK_ITEM_NOT_ADMITTED"
    async with in_transaction():
        request = await WorkItemRequest.create(
            department_id=data.department_id,
            work_item_id=item["id"] if item else None,
            item_name=name,
            requested_on=day,
            outcome=WorkItemOutcome.REFUSED if refusal else WorkItemOutcome.ACCEPTED,
            refusal_code=refusal,
            requested_by_subject=principal.subject,
        )
        for community_id in sorted(set(data.community_ids)):
            await WorkItemRequestCommunity.create(request=request, community_id=community_id)
    return (await WorkItemRequest.filter(id=request.id).values(*REQUEST_FIELDS))[0]


def refusal_params(row: dict[str, Any], item: dict[str, Any] | None) -> dict[str, Any]:
    """The message parameters of a refusal code (the item's name, the withdrawal date)."""
    on = item["withdrawn_on"].isoformat() if item and item["withdrawn_on"] else ""
    return {"item": row["item_name"], "on": on}


async def list_work_items(
    as_of: dt.date | None, page: PageRequest, include_withdrawn: bool = False
) -> Page:
    """The admitted list on `as_of` (today by default), by name."""
    day = as_of or _today()
    rule = Q(admitted_on__lte=day) if include_withdrawn else admitted(day)
    query = WorkItem.filter(rule)
    return await paginate(query, Ordering("name"), page, ITEM_FIELDS)


async def admitted_after(day: dt.date, after_id: int, limit: int) -> list[dict[str, Any]]:
    """A keyset page (by id) of the items admitted on `day`: what the export streams."""
    query = WorkItem.filter(admitted(day), id__gt=after_id).order_by("id").limit(limit)
    return await query.values(*ITEM_FIELDS)


async def list_requests(
    principal: Principal, outcome: WorkItemOutcome | None, page: PageRequest
) -> Page:
    """Requests, newest first; `outcome=REFUSED` is the refusals report."""
    query = _visible_requests(principal)
    if outcome is not None:
        query = query.filter(outcome=outcome)
    return await paginate(query, Ordering("id", descending=True), page, REQUEST_FIELDS)


async def requests_by_id(principal: Principal, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Requests as `workItemRequests` shows them to the caller, by id."""
    rows = await _visible_requests(principal).filter(id__in=list(set(ids))).values(*REQUEST_FIELDS)
    return {r["id"]: r for r in rows}


def _visible_requests(principal: Principal) -> QuerySet[WorkItemRequest]:
    require_role(principal, REQUESTERS)
    query = WorkItemRequest.all()
    if principal.scope.kind is ScopeKind.STREET:
        mine = WorkItemRequestCommunity.filter(community__street_id=principal.scope.id)
        query = query.filter(id__in=Subquery(mine.values("request_id")))
    return query


async def request_communities(request_ids: Iterable[int]) -> dict[int, list[int]]:
    keys = list(set(request_ids))
    grouped: dict[int, list[int]] = {k: [] for k in keys}
    rows = (
        await WorkItemRequestCommunity.filter(request_id__in=keys)
        .order_by("community_id")
        .values("request_id", "community_id")
    )
    for r in rows:
        grouped[r["request_id"]].append(r["community_id"])
    return grouped


async def items_by_id(ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    rows = await WorkItem.filter(id__in=list(set(ids))).values(*ITEM_FIELDS)
    return {r["id"]: r for r in rows}
