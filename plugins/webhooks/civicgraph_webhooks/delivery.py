"""The background worker: posts due deliveries, retries with exponential backoff.

Several server processes may run it: a delivery is claimed by bumping its attempt count
with a compare-and-set, and its next attempt is pushed past the request timeout, so two
processes never post the same attempt.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
from contextlib import suppress
from typing import Any

import httpx
import orjson

from civicgraph_webhooks import NAME
from civicgraph_webhooks.models import DELIVERED, FAILED, PENDING, WebhookDelivery
from civicgraph_webhooks.settings import WebhookSettings
from civicgraph_webhooks.signing import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    sign,
)
from schema.plugin_api import city_plugins, in_city, settings_of
from schema.plugin_api.models import City

log = logging.getLogger("civicgraph.webhooks")
BATCH = 50


def poll_seconds() -> float:
    return float(os.environ.get("CIVICGRAPH_WEBHOOKS_POLL_SECONDS", "1.0"))


async def run(stop: asyncio.Event) -> None:
    """Deliver what is due in every city that enables the plugin, until shutdown."""
    while not stop.is_set():
        try:
            await deliver_due()
        except Exception:  # the database may be away: try again next round
            log.exception("webhook delivery round failed")
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=poll_seconds())


async def deliver_due() -> int:
    """One round over every city; returns how many attempts were made."""
    made = 0
    for slug in await City.all().values_list("slug", flat=True):
        with in_city(str(slug)):
            city = await city_plugins(str(slug))
            if NAME not in city.enabled:
                continue  # disabled: its pending deliveries wait for re-enabling
            made += await _deliver_city(settings_of(city, NAME, WebhookSettings))
    return made


async def _deliver_city(settings: WebhookSettings) -> int:
    now = dt.datetime.now(dt.UTC)
    due = await (
        WebhookDelivery.filter(status=PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .limit(BATCH)
        .values("id", "event", "url", "payload", "attempts")
    )
    if not due:
        return 0
    async with httpx.AsyncClient(timeout=settings.timeout_seconds) as client:
        for row in due:
            await _attempt(client, settings, row)
    return len(due)


async def _attempt(
    client: httpx.AsyncClient, settings: WebhookSettings, row: dict[str, Any]
) -> None:
    now = dt.datetime.now(dt.UTC)
    lease = now + dt.timedelta(seconds=settings.timeout_seconds + 30)
    attempt = row["attempts"] + 1
    claimed = await WebhookDelivery.filter(
        id=row["id"], status=PENDING, attempts=row["attempts"]
    ).update(attempts=attempt, next_attempt_at=lease)
    if not claimed:
        return  # another process took it
    body = orjson.dumps(row["payload"])
    timestamp = str(int(now.timestamp()))
    secret = settings.secret.get_secret_value() if settings.secret else ""
    headers = {
        "Content-Type": "application/json",
        EVENT_HEADER: row["event"],
        DELIVERY_HEADER: str(row["id"]),
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(secret, timestamp, body),
    }
    code: int | None = None
    try:
        response = await client.post(row["url"], content=body, headers=headers)
        code = response.status_code
        error = None if response.is_success else f"HTTP {code}"
    except httpx.HTTPError as e:
        error = f"{type(e).__name__}: {e}"[:500]
    done = dt.datetime.now(dt.UTC)
    query = WebhookDelivery.filter(id=row["id"])
    if error is None:
        await query.update(
            status=DELIVERED, delivered_at=done, last_status_code=code, last_error=None
        )
    elif attempt >= settings.max_attempts:
        await query.update(status=FAILED, last_status_code=code, last_error=error)
    else:
        backoff = dt.timedelta(seconds=settings.backoff_seconds * 2 ** (attempt - 1))
        await query.update(next_attempt_at=done + backoff, last_status_code=code, last_error=error)
