"""Domain enums exposed to GraphQL under their domain names, and the ordering inputs."""

from __future__ import annotations

from enum import Enum

import strawberry

from core.infra import enums
from core.infra.pagination import Ordering

CommunityKind = enums.CommunityKind
CompoundKind = enums.CompoundKind
ManagementMode = enums.ManagementMode
OrganisationKind = enums.OrganisationKind
CaseKind = enums.CaseKind
CaseStage = enums.CaseStage
Role = enums.Role
CaseCategory = enums.CaseCategory
EscalationLevel = enums.EscalationLevel
MediationOutcome = enums.MediationOutcome
TransitionKind = enums.TransitionKind
# strawberry.enum marks a class in place and returns it: called apart from the aliases above,
# because mypy takes an alias as a type in annotations but not the result of a call.
strawberry.enum(CommunityKind)
strawberry.enum(CompoundKind)
strawberry.enum(ManagementMode)
strawberry.enum(OrganisationKind)
strawberry.enum(CaseKind)
strawberry.enum(CaseStage)
strawberry.enum(Role)
strawberry.enum(CaseCategory)
strawberry.enum(EscalationLevel)
strawberry.enum(MediationOutcome)
strawberry.enum(TransitionKind)


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
