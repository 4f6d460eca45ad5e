"""Recording deliveries (inside the event's transaction) and reading the delivery log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from civicgraph_webhooks import NAME
from civicgraph_webhooks.models import DELIVERED, FAILED, PENDING, WebhookDelivery
from civicgraph_webhooks.settings import WebhookSettings
from schema.plugin_api import (
    CityPlugins,
    DomainError,
    Event,
    Principal,
    Role,
    require_role,
    settings_of,
)

ADMINS = frozenset({Role.CITY_ADMIN, Role.PLATFORM_ADMIN})
LOG_FIELDS = (
    "id",
    "event",
    "url",
    "payload",
    "status",
    "attempts",
    "next_attempt_at",
    "last_error",
    "last_status_code",
    "delivered_at",
    "created_at",
)
STATUSES = (PENDING, DELIVERED, FAILED)


async def enqueue(city: CityPlugins, event: Event) -> None:
    """One outbox row per URL; no network here: the worker posts after commit."""
    settings = settings_of(city, NAME, WebhookSettings)
    if event.name not in settings.events:
        return
    payload = event.as_dict()
    now = dt.datetime.now(dt.UTC)
    for url in settings.urls:
        await WebhookDelivery.create(
            event=event.name, url=str(url), payload=payload, next_attempt_at=now
        )


async def delivery_log(
    principal: Principal, first: int, status: str | None
) -> list[dict[str, Any]]:
    """The city's newest deliveries, optionally of one status; admins only."""
    require_role(principal, ADMINS)
    if status is not None and status not in STATUSES:
        raise DomainError("INVALID_ENUM", "status")
    query = WebhookDelivery.all()
    if status is not None:
        query = query.filter(status=status)
    return list(await query.order_by("-created_at", "-id").limit(first).values(*LOG_FIELDS))


async def retry(principal: Principal, delivery_id: int) -> dict[str, Any]:
    """Send a failed delivery again from its first attempt."""
    require_role(principal, ADMINS)
    now = dt.datetime.now(dt.UTC)
    changed = await WebhookDelivery.filter(id=delivery_id, status=FAILED).update(
        status=PENDING, attempts=0, next_attempt_at=now
    )
    if not changed:
        raise DomainError("NOT_FOUND", "id")
    return (await WebhookDelivery.filter(id=delivery_id).values(*LOG_FIELDS))[0]
