"""Service purchases in GraphQL: propose one (every violation back at once), list them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

import strawberry

from core.infra import enums
from core.infra.pagination import page_request
from core.models import Organisation as OrganisationModel
from core.purchases import proposals as purchases
from schema.api.context import Info
from schema.api.errors import UserError
from schema.api.ids import pk_of
from schema.api.relay import Connection, Node, connection
from schema.api.replays import attempt_create, by_pk, key_description
from schema.api.rows import FromRow
from schema.organisations.types import Organisation

ProcurementMethod = enums.ProcurementMethod
PurchaseStatus = enums.PurchaseStatus
# Marked as GraphQL enums apart from the aliases, as in schema/api/enums.py (for mypy).
strawberry.enum(ProcurementMethod)
strawberry.enum(PurchaseStatus)


@strawberry.type(description="A government purchase of services from a social organisation.")
class ServicePurchase(Node):
    pk: strawberry.Private[int]
    provider_id: strawberry.Private[int]
    title: str
    category: str = strawberry.field(description="The city's category code, e.g. ELDERLY_CARE.")
    amount: Decimal = strawberry.field(description="Yuan.")
    period_start: dt.date
    period_end: dt.date
    procurement_method: ProcurementMethod
    deliverables: str
    evaluation_score: int | None
    evaluation: str | None
    status: PurchaseStatus
    created_at: dt.datetime

    from_row = FromRow()

    @strawberry.field
    async def provider(self, info: Info) -> Organisation:
        row = await info.context.loaders.rows[OrganisationModel].load(self.provider_id)
        return Organisation.from_row(row)  # type: ignore[arg-type]


@strawberry.input
class ProposeServicePurchaseInput:
    title: str
    category: str
    provider_id: strawberry.ID = strawberry.field(description="A social organisation.")
    amount: Decimal
    period_start: dt.date
    period_end: dt.date
    procurement_method: ProcurementMethod
    deliverables: str = ""
    community_id: strawberry.ID | None = None


@strawberry.type
class ProposeServicePurchasePayload:
    purchase: ServicePurchase | None
    errors: list[UserError]


@strawberry.type
class PurchasesQuery:
    @strawberry.field(description="The city's service purchases, newest first; admins only.")
    async def service_purchases(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        category: str | None = None,
    ) -> Connection[ServicePurchase]:
        page = await purchases.list_purchases(
            info.context.principal, page_request(first, after), category
        )
        return connection(page, ServicePurchase.from_row)


async def _purchase(info: Info, pk: int) -> ServicePurchase | None:
    row = await purchases.purchase_by_id(info.context.principal, pk)
    return ServicePurchase.from_row(row) if row else None


SERVICE_PURCHASE = by_pk("ServicePurchase", _purchase)
ProposeKey = Annotated[str | None, key_description("the purchase is proposed")]


@strawberry.type
class PurchasesMutation:
    @strawberry.mutation(
        description="Propose a purchase; refused with every violation of the city's rules."
    )
    async def propose_service_purchase(
        self, info: Info, input: ProposeServicePurchaseInput, idempotency_key: ProposeKey = None
    ) -> ProposeServicePurchasePayload:
        async def act() -> ServicePurchase:
            community = input.community_id
            data = purchases.ProposePurchaseInput(
                title=input.title,
                category=input.category,
                provider_id=pk_of(input.provider_id, "Organisation", "providerId"),
                amount=input.amount,
                period_start=input.period_start,
                period_end=input.period_end,
                procurement_method=enums.ProcurementMethod(input.procurement_method),
                deliverables=input.deliverables,
                community_id=pk_of(community, "Community", "communityId") if community else None,
            )
            row = await purchases.propose_service_purchase(info.context.principal, data)
            return ServicePurchase.from_row(row)

        purchase, errors = await attempt_create(info, act, idempotency_key, SERVICE_PURCHASE)
        return ProposeServicePurchasePayload(purchase=purchase, errors=errors)
