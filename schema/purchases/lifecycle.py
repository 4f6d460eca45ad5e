"""The moves of a purchase's life in GraphQL (core/purchases/lifecycle.py): approve or
reject, contract, report deliveries, evaluate, close or cancel.

Each move names the purchase's `version` as the caller read it, like a case's moves: a stale
version, or a repeat of a move that went through, is refused VERSION_CONFLICT and writes
nothing. A delivery report makes a new object, so it takes an `idempotencyKey` instead.
The role is checked before any ID of the input is decoded (docs/security.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Annotated

import strawberry

from core.infra.errors import DomainError
from core.purchases import deliveries, lifecycle
from core.purchases.lifecycle import TRANSITIONS, Move
from core.security.access import require_role
from core.security.auth import Principal
from schema.api.context import Info
from schema.api.errors import UserError, attempt
from schema.api.ids import pk_of
from schema.api.replays import attempt_create, key_description
from schema.purchases.fields import SERVICE_DELIVERY, provider_ref
from schema.purchases.types import ServiceDelivery, ServicePurchase

DeliveryKey = Annotated[str | None, key_description("the delivery is recorded")]


@strawberry.type
class ServicePurchasePayload:
    purchase: ServicePurchase | None
    errors: list[UserError]


@strawberry.type
class RecordServiceDeliveryPayload:
    delivery: ServiceDelivery | None
    errors: list[UserError]


@strawberry.input(description="Approve a proposed purchase.")
class ApproveServicePurchaseInput:
    purchase_id: strawberry.ID
    version: int = strawberry.field(description="The version you read; a stale one conflicts.")
    note: str = ""


@strawberry.input(description="Reject a proposed purchase, saying why.")
class RejectServicePurchaseInput:
    purchase_id: strawberry.ID
    version: int
    reason: str


@strawberry.input(description="Sign the contract of an approved purchase.")
class ContractServicePurchaseInput:
    purchase_id: strawberry.ID
    version: int
    provider_id: strawberry.ID = strawberry.field(
        description="Who won it: an Organisation (social organisation or volunteer team) or "
        "a SocialWorker; may differ from the one proposed."
    )
    amount: Decimal = strawberry.field(description="Yuan, as contracted.")
    period_start: dt.date
    period_end: dt.date
    signed_on: dt.date | None = strawberry.field(default=None, description="Default: today.")


@strawberry.input(description="One report of service given under a contracted purchase.")
class RecordServiceDeliveryInput:
    purchase_id: strawberry.ID
    delivered_on: dt.date
    activity: str
    beneficiaries: int = strawberry.field(description="People served: a count, no names.")
    hours: Decimal


@strawberry.input(description="The points given one of the city's criteria.")
class EvaluationMarkInput:
    criterion: str = strawberry.field(description="The criterion's key (evaluationCriteria).")
    points: int


@strawberry.input(description="Evaluate a contracted purchase on the city's criteria.")
class EvaluateServicePurchaseInput:
    purchase_id: strawberry.ID
    version: int
    marks: list[EvaluationMarkInput] = strawberry.field(
        description="One mark per criterion of the purchase's evaluationCriteria."
    )
    note: str = ""


@strawberry.input(description="Close an evaluated purchase with what was paid in the end.")
class CloseServicePurchaseInput:
    purchase_id: strawberry.ID
    version: int
    paid_amount: Decimal = strawberry.field(description="Yuan, at most the contract's amount.")


@strawberry.input(description="Cancel a purchase before its evaluation, saying why.")
class CancelServicePurchaseInput:
    purchase_id: strawberry.ID
    version: int
    reason: str
    paid_amount: Decimal | None = strawberry.field(
        default=None,
        description="Yuan paid under a contract cancelled part-way (default none); only "
        "for a contracted purchase.",
    )


Act = Callable[[Principal, int], Awaitable[dict[str, object]]]


async def _move(
    info: Info, move: Move, purchase_id: strawberry.ID, act: Act
) -> ServicePurchasePayload:
    """Check the move's role before decoding anything, then decode and run it, audited."""

    async def run() -> ServicePurchase:
        principal = info.context.principal
        require_role(principal, TRANSITIONS[move].movers)
        row = await act(principal, pk_of(purchase_id, "ServicePurchase", "purchaseId"))
        return ServicePurchase.from_row(row)

    purchase, errors = await attempt(info, run)
    return ServicePurchasePayload(purchase=purchase, errors=errors)


def _marks(marks: list[EvaluationMarkInput]) -> dict[str, int]:
    given: dict[str, int] = {}
    for mark in marks:
        if mark.criterion in given:
            raise DomainError("DUPLICATE", "marks")
        given[mark.criterion] = mark.points
    return given


@strawberry.type
class PurchaseLifecycleMutation:
    @strawberry.mutation(description="The purchasing office approves a proposed purchase.")
    async def approve_service_purchase(
        self, info: Info, input: ApproveServicePurchaseInput
    ) -> ServicePurchasePayload:
        return await _move(
            info,
            Move.APPROVE,
            input.purchase_id,
            lambda p, pk: lifecycle.approve_purchase(p, pk, input.version, input.note),
        )

    @strawberry.mutation(description="The purchasing office rejects a proposed purchase.")
    async def reject_service_purchase(
        self, info: Info, input: RejectServicePurchaseInput
    ) -> ServicePurchasePayload:
        return await _move(
            info,
            Move.REJECT,
            input.purchase_id,
            lambda p, pk: lifecycle.reject_purchase(p, pk, input.version, input.reason),
        )

    @strawberry.mutation(
        description="Sign the contract of an approved purchase: checked by the city's rules "
        "again, its amount now counts against the city's caps."
    )
    async def contract_service_purchase(
        self, info: Info, input: ContractServicePurchaseInput
    ) -> ServicePurchasePayload:
        def act(p: Principal, pk: int) -> Awaitable[dict[str, object]]:
            data = lifecycle.ContractInput(
                purchase_id=pk,
                version=input.version,
                provider=provider_ref(input.provider_id),
                amount=input.amount,
                period_start=input.period_start,
                period_end=input.period_end,
                signed_on=input.signed_on,
            )
            return lifecycle.contract_purchase(p, data)

        return await _move(info, Move.CONTRACT, input.purchase_id, act)

    @strawberry.mutation(
        description="Report service given under a contracted purchase: the office, the street "
        "admin of its community, or the provider's staff."
    )
    async def record_service_delivery(
        self, info: Info, input: RecordServiceDeliveryInput, idempotency_key: DeliveryKey = None
    ) -> RecordServiceDeliveryPayload:
        async def act() -> ServiceDelivery:
            principal = info.context.principal
            require_role(principal, deliveries.REPORTERS)
            data = deliveries.DeliveryInput(
                purchase_id=pk_of(input.purchase_id, "ServicePurchase", "purchaseId"),
                delivered_on=input.delivered_on,
                activity=input.activity,
                beneficiaries=input.beneficiaries,
                hours=input.hours,
            )
            return ServiceDelivery.from_row(await deliveries.record_delivery(principal, data))

        made, errors = await attempt_create(info, act, idempotency_key, SERVICE_DELIVERY)
        return RecordServiceDeliveryPayload(delivery=made, errors=errors)

    @strawberry.mutation(
        description="Evaluate a contracted purchase on the city's criteria (evaluationCriteria)."
    )
    async def evaluate_service_purchase(
        self, info: Info, input: EvaluateServicePurchaseInput
    ) -> ServicePurchasePayload:
        return await _move(
            info,
            Move.EVALUATE,
            input.purchase_id,
            lambda p, pk: lifecycle.evaluate_purchase(
                p, pk, input.version, _marks(input.marks), input.note
            ),
        )

    @strawberry.mutation(description="Close an evaluated purchase with what was paid.")
    async def close_service_purchase(
        self, info: Info, input: CloseServicePurchaseInput
    ) -> ServicePurchasePayload:
        return await _move(
            info,
            Move.CLOSE,
            input.purchase_id,
            lambda p, pk: lifecycle.close_purchase(p, pk, input.version, input.paid_amount),
        )

    @strawberry.mutation(description="Cancel a purchase before its evaluation.")
    async def cancel_service_purchase(
        self, info: Info, input: CancelServicePurchaseInput
    ) -> ServicePurchasePayload:
        return await _move(
            info,
            Move.CANCEL,
            input.purchase_id,
            lambda p, pk: lifecycle.cancel_purchase(
                p, pk, input.version, input.reason, input.paid_amount
            ),
        )
