from tortoise import migrations
from tortoise.migrations import operations as ops
from core.infra.enums import ProcurementMethod, PurchaseStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

from core.security.rls import secure_city_tables


class Migration(migrations.Migration):
    dependencies = [("models", "0009_grassroots_tenancy")]

    initial = False

    operations = [
        ops.CreateModel(
            name="ServicePurchaseRecord",
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
                ("title", fields.CharField(max_length=200)),
                ("category", fields.CharField(max_length=40)),
                (
                    "provider",
                    fields.ForeignKeyField(
                        "models.Organisation",
                        source_field="provider_id",
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "community",
                    fields.ForeignKeyField(
                        "models.Community",
                        source_field="community_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("amount", fields.DecimalField(max_digits=14, decimal_places=2)),
                ("period_start", fields.DateField()),
                ("period_end", fields.DateField()),
                (
                    "procurement_method",
                    fields.CharEnumField(
                        description="PUBLIC_TENDER: PUBLIC_TENDER\nINVITED_TENDER: INVITED_TENDER\nCOMPETITIVE_NEGOTIATION: COMPETITIVE_NEGOTIATION\nCOMPETITIVE_CONSULTATION: COMPETITIVE_CONSULTATION\nINQUIRY: INQUIRY\nSINGLE_SOURCE: SINGLE_SOURCE\nDIRECT_COMMISSION: DIRECT_COMMISSION",
                        enum_type=ProcurementMethod,
                        max_length=32,
                    ),
                ),
                ("deliverables", fields.TextField(default="", unique=False)),
                ("evaluation_score", fields.IntField(null=True)),
                ("evaluation", fields.TextField(null=True, unique=False)),
                (
                    "status",
                    fields.CharEnumField(
                        default=PurchaseStatus.PROPOSED,
                        description="PROPOSED: PROPOSED\nCONTRACTED: CONTRACTED\nEVALUATED: EVALUATED\nCANCELLED: CANCELLED",
                        enum_type=PurchaseStatus,
                        max_length=16,
                    ),
                ),
                ("proposed_by", fields.CharField(default="", max_length=128)),
            ],
            options={
                "table": "service_purchases",
                "app": "models",
                "indexes": [
                    Index(fields=["city_id", "category", "period_start"]),
                    Index(fields=["city_id", "provider_id"]),
                ],
                "pk_attr": "id",
            },
            bases=["CityModel"],
        ),
        # Tenancy in depth for the new table (core/security/rls.py).
        ops.RunPython(secure_city_tables, reverse_code=ops.RunPython.noop),
    ]
