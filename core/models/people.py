"""People, minimal for now: a name, roles, and contact fields that are personal data."""

from __future__ import annotations

from tortoise import fields

from core.models.base import CityModel


class Person(CityModel):
    # Fields listed here are personal data (PIPL): masked in the API unless a role needs them,
    # never written to logs or error messages.
    PERSONAL_DATA = frozenset({"phone"})

    name = fields.CharField(max_length=64)
    roles = fields.JSONField(default=list)
    phone = fields.CharField(max_length=32, null=True)
    # The JWT subject this person signs in as, when they have an account.
    subject = fields.CharField(max_length=128, null=True)
    organisation = fields.ForeignKeyField(
        "models.Organisation", related_name="people", null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "persons"
