"""The GraphQL types of service purchases: the purchase, its provider (a social organisation,
a volunteer team or a registered social worker), its delivery reports and the city's
evaluation criteria."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import strawberry

from core.infra import enums
from core.infra.i18n import localise
from core.infra.pagination import page_request
from core.models import Organisation as OrganisationModel
from core.purchases import deliveries, lifecycle
from schema.api.context import Info
from schema.api.relay import Connection, Node, connection
from schema.api.rows import FromRow
from schema.organisations.types import Organisation, PurchaseProvider

ProcurementMethod = enums.ProcurementMethod
PurchaseStatus = enums.PurchaseStatus
ProviderKind = enums.ProviderKind
# Marked as GraphQL enums apart from the aliases, as in schema/api/enums.py (for mypy).
strawberry.enum(ProcurementMethod)
strawberry.enum(PurchaseStatus)
strawberry.enum(ProviderKind)


@strawberry.type(description="A registered social worker (社工), who may provide services.")
class SocialWorker(PurchaseProvider):
    pk: strawberry.Private[int]
    organisation_id: strawberry.Private[int | None]
    name: str
    qualification: str = strawberry.field(description="e.g. 社会工作师; empty if none recorded.")
    registered_on: dt.date
    created_at: dt.datetime

    from_row = FromRow(renamed={"name": "person__name"})

    @strawberry.field(description="The social work organisation employing them, if any.")
    async def organisation(self, info: Info) -> Organisation | None:
        if self.organisation_id is None:
            return None
        row = await info.context.loaders.rows[OrganisationModel].load(self.organisation_id)
        return Organisation.from_row(row) if row else None


@strawberry.type(description="One report of service given under a contracted purchase.")
class ServiceDelivery(Node):
    pk: strawberry.Private[int]
    purchase_id: strawberry.Private[int]
    delivered_on: dt.date
    activity: str
    beneficiaries: int = strawberry.field(description="People served (a count, no names).")
    hours: Decimal
    created_at: dt.datetime

    from_row = FromRow()


@strawberry.type(description="One criterion of the city's evaluation of a purchased service.")
class EvaluationCriterion:
    key: str
    label: str
    max_points: int


@strawberry.type(description="The points an evaluation gave one criterion.")
class EvaluationMark:
    criterion: str
    points: int


@strawberry.type(description="A government purchase of services (政府购买服务).")
class ServicePurchase(Node):
    pk: strawberry.Private[int]
    provider_id: strawberry.Private[int | None]
    social_worker_id: strawberry.Private[int | None]
    community_id: strawberry.Private[int | None]
    marks: strawberry.Private[list[dict[str, Any]] | None]
    row: strawberry.Private[dict[str, Any]]
    title: str
    category: str = strawberry.field(description="The city's category code, e.g. ELDERLY_CARE.")
    provider_kind: ProviderKind
    amount: Decimal = strawberry.field(description="Yuan, as proposed (commits nothing).")
    period_start: dt.date
    period_end: dt.date
    procurement_method: ProcurementMethod
    deliverables: str
    status: PurchaseStatus
    version: int = strawberry.field(
        description="Send it with the next move; a stale one conflicts."
    )
    decision_note: str | None = strawberry.field(
        description="Why it was rejected or cancelled, or the approval's note."
    )
    contract_amount: Decimal | None = strawberry.field(description="Yuan, once contracted.")
    contract_start: dt.date | None
    contract_end: dt.date | None
    contracted_on: dt.date | None
    evaluation_score: int | None = strawberry.field(description="0..100, once evaluated.")
    evaluation_passed: bool | None = strawberry.field(description="Reached the city's pass mark.")
    evaluation: str | None
    paid_amount: Decimal | None = strawberry.field(
        description="Yuan paid in the end: set when closed, or cancelled after a contract."
    )
    created_at: dt.datetime

    from_row = FromRow(renamed={"marks": "evaluation_marks"}, computed={"row": lambda r: r})

    @strawberry.field
    def status_label(self, info: Info) -> str:
        return PurchaseStatus(self.status).label(info.context.lang)

    @strawberry.field(description="Who provides (or, before the contract, is proposed to).")
    async def provider(self, info: Info) -> PurchaseProvider:
        # One of the two is set (core/purchases/providers.py), each a same-city foreign key.
        if self.social_worker_id is not None:
            row = await info.context.loaders.social_workers.load(self.social_worker_id)
            return SocialWorker.from_row(row)  # type: ignore[arg-type]
        assert self.provider_id is not None
        row = await info.context.loaders.rows[OrganisationModel].load(self.provider_id)
        return Organisation.from_row(row)  # type: ignore[arg-type]

    @strawberry.field(description="The reports of service given, newest first.")
    async def deliveries(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[ServiceDelivery]:
        page = await deliveries.list_deliveries(self.pk, page_request(first, after))
        return connection(page, ServiceDelivery.from_row)

    @strawberry.field(description="The city's criteria this purchase is evaluated by.")
    async def evaluation_criteria(self, info: Info) -> list[EvaluationCriterion]:
        rules = await lifecycle.evaluation_rules(self.row)
        lang = info.context.lang
        return [
            EvaluationCriterion(key=c.key, label=localise(c.label, lang), max_points=c.max_points)
            for c in rules.criteria
        ]

    @strawberry.field(description="The marks of the evaluation, in the criteria's keys.")
    def evaluation_marks(self) -> list[EvaluationMark] | None:
        if self.marks is None:
            return None
        return [EvaluationMark(criterion=m["criterion"], points=m["points"]) for m in self.marks]
