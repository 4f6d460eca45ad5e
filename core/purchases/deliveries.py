"""Reports of service given under a contracted purchase (服务台账): the day, what was done,
how many people were served (a count, never who) and the hours.

Reported by the purchasing office, by the street admin of the community the service is
bought for, and by the provider's own staff (SOCIAL_ORG_STAFF of the providing organisation,
or of the organisation employing the providing social worker). A purchase outside the
caller's sight reads as absent; only a CONTRACTED purchase takes reports, and each report
falls inside the contract's period and not in the future.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tortoise.expressions import Q, Subquery

from core.infra import clock
from core.infra.enums import PurchaseStatus, Role
from core.infra.errors import DomainError, ValidationErrors
from core.infra.pagination import Ordering, Page, PageRequest, paginate
from core.infra.tenancy import current_city
from core.models import Community, ServiceDelivery, ServicePurchaseRecord, SocialWorker
from core.purchases.lifecycle import purchase_row, require_status
from core.purchases.proposals import PURCHASERS
from core.security.access import require_role
from core.security.auth import Principal, ScopeKind

REPORTERS = PURCHASERS | {Role.SOCIAL_ORG_STAFF}
DELIVERY_FIELDS = (
    "id",
    "purchase_id",
    "delivered_on",
    "activity",
    "beneficiaries",
    "hours",
    "created_at",
)
ACTIVITY_MAX = 200


@dataclass(frozen=True)
class DeliveryInput:
    purchase_id: int
    delivered_on: dt.date
    activity: str
    beneficiaries: int
    hours: Decimal


async def _in_sight(principal: Principal, purchase_id: int) -> bool:
    """Whether the purchase is the caller's to report on (the role is checked before)."""
    scope = principal.scope
    if scope.kind is ScopeKind.CITY:
        return True
    purchases = ServicePurchaseRecord.filter(id=purchase_id)
    if scope.kind is ScopeKind.STREET:
        communities = Subquery(Community.filter(street_id=scope.id).values("id"))
        return await purchases.filter(community_id__in=communities).exists()
    if scope.kind is ScopeKind.ORGANISATION:
        workers = Subquery(SocialWorker.filter(organisation_id=scope.id).values("id"))
        mine = Q(provider_id=scope.id) | Q(social_worker_id__in=workers)
        return await purchases.filter(mine).exists()
    return False


async def reportable_purchase(principal: Principal, purchase_id: int) -> dict[str, Any]:
    require_role(principal, REPORTERS)
    if not await _in_sight(principal, purchase_id):
        raise DomainError("NOT_FOUND", "purchaseId")
    return await purchase_row(purchase_id)


def _input_errors(row: dict[str, Any], data: DeliveryInput) -> list[DomainError]:
    errors = []
    activity = data.activity.strip()
    if not activity:
        errors.append(DomainError("REQUIRED", "activity"))
    elif len(activity) > ACTIVITY_MAX:
        errors.append(DomainError("TOO_LONG", "activity", max=ACTIVITY_MAX))
    if data.beneficiaries < 0:
        errors.append(DomainError("NEGATIVE", "beneficiaries"))
    if data.hours <= 0:
        errors.append(DomainError("NOT_POSITIVE", "hours"))
    today = clock.local_date(clock.now(), current_city())
    start, end = row["contract_start"], row["contract_end"]
    if data.delivered_on > today:
        errors.append(DomainError("DATE_IN_FUTURE", "deliveredOn"))
    elif not start <= data.delivered_on <= end:
        errors.append(
            DomainError(
                "OUTSIDE_CONTRACT", "deliveredOn", start=start.isoformat(), end=end.isoformat()
            )
        )
    return errors


async def record_delivery(principal: Principal, data: DeliveryInput) -> dict[str, Any]:
    """Record one report of service given; refused with every error, nothing written."""
    row = await reportable_purchase(principal, data.purchase_id)
    require_status(row, (PurchaseStatus.CONTRACTED,))
    errors = _input_errors(row, data)
    if errors:
        raise ValidationErrors(errors)
    made = await ServiceDelivery.create(
        purchase_id=data.purchase_id,
        delivered_on=data.delivered_on,
        activity=data.activity.strip(),
        beneficiaries=data.beneficiaries,
        hours=data.hours,
        reported_by=principal.subject or "",
    )
    return (await ServiceDelivery.filter(id=made.id).values(*DELIVERY_FIELDS))[0]


async def delivery_by_id(principal: Principal, delivery_id: int) -> dict[str, Any] | None:
    """One report, for those who may report on its purchase (the replay of a keyed report)."""
    require_role(principal, REPORTERS)
    rows = await ServiceDelivery.filter(id=delivery_id).values(*DELIVERY_FIELDS)
    if not rows or not await _in_sight(principal, rows[0]["purchase_id"]):
        return None
    return rows[0]


async def list_deliveries(purchase_id: int, page: PageRequest) -> Page:
    """A purchase's reports, newest service first (the caller has read the purchase)."""
    query = ServiceDelivery.filter(purchase_id=purchase_id)
    return await paginate(query, Ordering("delivered_on", descending=True), page, DELIVERY_FIELDS)
