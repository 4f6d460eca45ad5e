"""The audit log and the idempotency keys of create mutations.

Both are written in the same transaction as the change they describe, so a write and its
record stand or fall together. The audit log is append-only: on PostgreSQL the application
role has no UPDATE/DELETE on it and a trigger refuses both even to the owner (purge aside).
"""

from __future__ import annotations

from typing import Any

from tortoise import fields

from core.models.base import CityModel


class AuditEntry(CityModel):
    # created_at (from CityModel) is when; the rest is who, what, on which objects, and how
    # it ended. `summary` holds the input's shape, never its personal data.
    subject = fields.CharField(max_length=128, null=True)
    role = fields.CharField(max_length=32)
    scope = fields.CharField(max_length=64)
    operation = fields.CharField(max_length=64)
    target_ids: fields.JSONField[list[str]] = fields.JSONField(default=list)
    summary: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    outcome = fields.CharField(max_length=64)

    class Meta:
        table = "audit_entries"
        indexes = (("city_id", "created_at"), ("city_id", "operation"), ("city_id", "subject"))


class IdempotencyKey(CityModel):
    """A create mutation's key: the first request's fingerprint and the object it made."""

    subject = fields.CharField(max_length=128)
    key = fields.CharField(max_length=128)
    operation = fields.CharField(max_length=64)
    fingerprint = fields.CharField(max_length=64)
    result_id = fields.CharField(max_length=128, null=True)

    class Meta:
        table = "idempotency_keys"
        unique_together = (("city", "subject", "key"),)
