"""People, minimal for now: a name, roles, and contact fields that are personal data."""

from __future__ import annotations

from tortoise import fields

from core.models.base import CityModel
from core.models.organisations import Organisation


class Person(CityModel):
    # Fields listed here are personal data (PIPL): masked in the API unless a role needs them,
    # never written to logs or error messages.
    PERSONAL_DATA = frozenset({"phone", "id_number_cipher", "id_number_hash"})

    name = fields.CharField(max_length=64)
    roles: fields.JSONField[list[str]] = fields.JSONField(default=list)
    phone = fields.CharField(max_length=32, null=True)
    # The resident ID number (身份证号): AES-GCM ciphertext (core/security/personal.py), and a keyed
    # HMAC of it so "who has this ID number" is an index look-up without decrypting anything.
    id_number_cipher = fields.TextField(null=True)
    id_number_hash = fields.CharField(max_length=64, null=True, db_index=True)
    # When the person stopped being served here (moved away, left a post); retention runs
    # from this date (docs/privacy.md) and `civicgraph purge` erases the personal fields.
    left_at = fields.DatetimeField(null=True)
    # The JWT subject this person signs in as, when they have an account.
    subject = fields.CharField(max_length=128, null=True)
    organisation: fields.ForeignKeyNullableRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="people", null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "persons"
