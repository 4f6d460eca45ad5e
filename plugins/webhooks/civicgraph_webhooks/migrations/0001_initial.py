# Written by hand after tortoise's generated migrations (this app is not in the core's config
# until the plugin is installed).
# ruff: noqa: RUF012
from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from schema.plugin_api.models import secure_city_tables


class Migration(migrations.Migration):
    # After the core's tenancy migration: the outbox gets the same row-level security.
    dependencies = [("models", "0007_tenancy_in_depth")]

    initial = True

    operations = [
        ops.CreateModel(
            name="WebhookDelivery",
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
                ("event", fields.CharField(max_length=64)),
                ("url", fields.CharField(max_length=2048)),
                ("payload", fields.JSONField()),
                ("status", fields.CharField(default="PENDING", max_length=16)),
                ("attempts", fields.IntField(default=0)),
                ("next_attempt_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("last_error", fields.TextField(null=True)),
                ("last_status_code", fields.IntField(null=True)),
                (
                    "delivered_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
            ],
            options={
                "table": "webhook_deliveries",
                "app": "webhooks",
                "indexes": [
                    Index(fields=["city_id", "status", "next_attempt_at"]),
                    Index(fields=["city_id", "created_at"]),
                ],
                "pk_attr": "id",
            },
            bases=["CityModel"],
        ),
        ops.RunPython(secure_city_tables, reverse_code=ops.RunPython.noop),
    ]
