"""Domain enums exposed to GraphQL under their domain names, and the ordering inputs."""

from __future__ import annotations

from enum import Enum

import strawberry

from core.infra import enums
from core.infra.pagination import Ordering

CommunityKind = strawberry.enum(enums.CommunityKind)
CompoundKind = strawberry.enum(enums.CompoundKind)
ManagementMode = strawberry.enum(enums.ManagementMode)
OrganisationKind = strawberry.enum(enums.OrganisationKind)
CaseKind = strawberry.enum(enums.CaseKind)
CaseStage = strawberry.enum(enums.CaseStage)
Role = strawberry.enum(enums.Role)
CaseCategory = strawberry.enum(enums.CaseCategory)
EscalationLevel = strawberry.enum(enums.EscalationLevel)
MediationOutcome = strawberry.enum(enums.MediationOutcome)
TransitionKind = strawberry.enum(enums.TransitionKind)


@strawberry.enum
class OrderDirection(Enum):
    ASC = "ASC"
    DESC = "DESC"


@strawberry.enum
class PlaceOrderField(Enum):
    NAME = "name"
    CREATED_AT = "created_at"


@strawberry.enum
class CompoundOrderField(Enum):
    NAME = "name"
    HOMES = "homes"
    RESIDENTS = "residents"
    CREATED_AT = "created_at"


@strawberry.enum
class CaseOrderField(Enum):
    CREATED_AT = "created_at"
    STAGE_ENTERED_AT = "stage_entered_at"


@strawberry.input
class PlaceOrder:
    field: PlaceOrderField = PlaceOrderField.NAME
    direction: OrderDirection = OrderDirection.ASC


@strawberry.input
class CompoundOrder:
    field: CompoundOrderField = CompoundOrderField.NAME
    direction: OrderDirection = OrderDirection.ASC


@strawberry.input
class CaseOrder:
    field: CaseOrderField = CaseOrderField.CREATED_AT
    direction: OrderDirection = OrderDirection.DESC


def ordering(order: PlaceOrder | CompoundOrder | CaseOrder) -> Ordering:
    return Ordering(order.field.value, order.direction is OrderDirection.DESC)
