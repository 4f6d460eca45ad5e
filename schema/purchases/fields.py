"""Service purchases in GraphQL: list them, read one, propose one (every violation back at
once); the moves of a purchase's life are in schema/purchases/lifecycle.py."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

import strawberry

from core.infra import enums
from core.infra.errors import DomainError
from core.infra.pagination import page_request
from core.purchases import deliveries
from core.purchases import proposals as purchases
from core.purchases.providers import ProviderRef, list_social_workers, social_worker_by_id
from schema.api.context import Info
from schema.api.errors import UserError
from schema.api.ids import from_global_id, pk_of
from schema.api.relay import Connection, connection
from schema.api.replays import attempt_create, by_pk, key_description
from schema.purchases.types import ProcurementMethod, ServiceDelivery, ServicePurchase, SocialWorker

PROVIDER_TYPES = ("Organisation", "SocialWorker")


def provider_ref(global_id: str, field: str = "providerId") -> ProviderRef:
    """An Organisation's or a SocialWorker's global ID as the provider it names."""
    type_name, pk = from_global_id(global_id, field)
    if type_name not in PROVIDER_TYPES:
        raise DomainError("WRONG_TYPE", field, expected=" or ".join(PROVIDER_TYPES))
    if type_name == "SocialWorker":
        return ProviderRef(social_worker_id=pk)
    return ProviderRef(organisation_id=pk)


@strawberry.input
class ProposeServicePurchaseInput:
    title: str
    category: str
    provider_id: strawberry.ID = strawberry.field(
        description="A social organisation or volunteer team (Organisation), or a SocialWorker."
    )
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

    @strawberry.field(
        description="The city's registered social workers (providers), newest first; admins."
    )
    async def social_workers(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[SocialWorker]:
        page = await list_social_workers(info.context.principal, page_request(first, after))
        return connection(page, SocialWorker.from_row)


async def _purchase(info: Info, pk: int) -> ServicePurchase | None:
    row = await purchases.purchase_by_id(info.context.principal, pk)
    return ServicePurchase.from_row(row) if row else None


async def _social_worker(info: Info, pk: int) -> SocialWorker | None:
    row = await social_worker_by_id(info.context.principal, pk)
    return SocialWorker.from_row(row) if row else None


async def _delivery(info: Info, pk: int) -> ServiceDelivery | None:
    row = await deliveries.delivery_by_id(info.context.principal, pk)
    return ServiceDelivery.from_row(row) if row else None


SERVICE_PURCHASE = by_pk("ServicePurchase", _purchase)
SOCIAL_WORKER = by_pk("SocialWorker", _social_worker)
SERVICE_DELIVERY = by_pk("ServiceDelivery", _delivery)
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
            provider = provider_ref(input.provider_id)
            data = purchases.ProposePurchaseInput(
                title=input.title,
                category=input.category,
                provider_id=provider.organisation_id,
                social_worker_id=provider.social_worker_id,
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
