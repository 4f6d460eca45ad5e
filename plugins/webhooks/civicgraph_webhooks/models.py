"""The outbox: one row per (event, URL), written in the event's transaction, then delivered."""

from __future__ import annotations

from typing import Any

from tortoise import fields

from schema.plugin_api.models import CityModel

PENDING, DELIVERED, FAILED = "PENDING", "DELIVERED", "FAILED"


class WebhookDelivery(CityModel):
    event = fields.CharField(max_length=64)
    url = fields.CharField(max_length=2048)
    payload: Any = fields.JSONField()
    status = fields.CharField(max_length=16, default=PENDING)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    last_error = fields.TextField(null=True)
    last_status_code = fields.IntField(null=True)
    delivered_at = fields.DatetimeField(null=True)

    class Meta:
        app = "webhooks"
        table = "webhook_deliveries"
        indexes = (("city_id", "status", "next_attempt_at"), ("city_id", "created_at"))
