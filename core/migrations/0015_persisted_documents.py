"""Persisted GraphQL documents per city (APQ and trusted documents, docs/api.md), with the
same row-level security as every city-owned table."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from core.models.documents import DocumentSource
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

from core.security.rls import secure_city_tables


class Migration(migrations.Migration):
    dependencies = [("models", "0014_case_rounds_supervision_council_firms")]

    initial = False

    operations = [
        ops.CreateModel(
            name="PersistedDocument",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "city",
                    fields.ForeignKeyField(
                        "models.City",
                        source_field="city_id",
                        db_index=True,
                        db_constraint=True,
                        to_field="slug",
                        related_name=False,
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("hash", fields.CharField(max_length=128)),
                ("body", fields.TextField(unique=False)),
                (
                    "source",
                    fields.CharEnumField(
                        description="APQ: apq\nTRUSTED: trusted",
                        enum_type=DocumentSource,
                        max_length=16,
                    ),
                ),
            ],
            options={
                "table": "persisted_documents",
                "app": "models",
                "unique_together": (("city", "hash"),),
                "indexes": [Index(fields=["city_id", "source", "id"])],
                "pk_attr": "id",
            },
            bases=["CityModel"],
        ),
        # Tenancy in depth for the new table (core/security/rls.py).
        ops.RunPython(secure_city_tables, reverse_code=ops.RunPython.noop),
    ]
