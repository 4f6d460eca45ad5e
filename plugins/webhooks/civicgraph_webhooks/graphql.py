"""The delivery log in the GraphQL schema of the cities that enable webhooks."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry
from strawberry.scalars import JSON

from civicgraph_webhooks import outbox
from schema.plugin_api import Info, UserError, attempt

LOG_MAX = 100


@strawberry.type(description="One webhook delivery: an event posted to one URL.")
class WebhookDelivery:
    id: strawberry.ID
    event: str
    url: str
    payload: JSON
    status: str = strawberry.field(description="PENDING, DELIVERED or FAILED.")
    attempts: int
    next_attempt_at: dt.datetime | None
    last_error: str | None
    last_status_code: int | None
    delivered_at: dt.datetime | None
    created_at: dt.datetime

    @classmethod
    def from_row(cls, r: dict[str, Any]) -> WebhookDelivery:
        pending = r["status"] == outbox.PENDING
        return cls(
            id=strawberry.ID(str(r["id"])),
            event=r["event"],
            url=r["url"],
            payload=r["payload"],
            status=r["status"],
            attempts=r["attempts"],
            next_attempt_at=r["next_attempt_at"] if pending else None,
            last_error=r["last_error"],
            last_status_code=r["last_status_code"],
            delivered_at=r["delivered_at"],
            created_at=r["created_at"],
        )


@strawberry.type
class WebhooksQuery:
    @strawberry.field(description="This city's webhook deliveries, newest first (admins).")
    async def webhook_deliveries(
        self, info: Info, first: int = 20, status: str | None = None
    ) -> list[WebhookDelivery]:
        first = max(0, min(first, LOG_MAX))
        rows = await outbox.delivery_log(info.context.principal, first, status)
        return [WebhookDelivery.from_row(r) for r in rows]


@strawberry.type
class RetryWebhookDeliveryPayload:
    delivery: WebhookDelivery | None
    errors: list[UserError]


@strawberry.type
class WebhooksMutation:
    @strawberry.mutation(description="Post a failed delivery again, from its first attempt.")
    async def retry_webhook_delivery(
        self, info: Info, id: strawberry.ID
    ) -> RetryWebhookDeliveryPayload:
        async def act() -> WebhookDelivery:
            pk = int(id) if str(id).isdigit() else 0
            return WebhookDelivery.from_row(await outbox.retry(info.context.principal, pk))

        delivery, errors = await attempt(info, act)
        return RetryWebhookDeliveryPayload(delivery=delivery, errors=errors)
