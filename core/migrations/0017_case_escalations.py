"""The desks' escalation queue (issue 16): each escalation of an overdue case is a row the
receiving street or city desk reads and acknowledges (core/cases/escalations.py). Made
same-city and row-level secured like every city-owned table."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from core.infra.enums import CaseStage, EscalationLevel
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

from core.security.rls import secure_city_tables


class Migration(migrations.Migration):
    dependencies = [("models", "0016_purchase_lifecycle")]

    initial = False

    operations = [
        ops.CreateModel(
            name="CaseEscalation",
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
                (
                    "case",
                    fields.ForeignKeyField(
                        "models.Case",
                        source_field="case_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="escalations",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "level",
                    fields.CharEnumField(
                        description="COMMUNITY: COMMUNITY\nSTREET: STREET\nCITY: CITY",
                        enum_type=EscalationLevel,
                        max_length=16,
                    ),
                ),
                (
                    "street",
                    fields.ForeignKeyField(
                        "models.Street",
                        source_field="street_id",
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "stage",
                    fields.CharEnumField(
                        description="TOPIC_COLLECTION: TOPIC_COLLECTION\nTOPIC_DETERMINATION: TOPIC_DETERMINATION\nCONSULTATION_MEETING: CONSULTATION_MEETING\nDECISION_EXECUTION: DECISION_EXECUTION\nSUPERVISION_FEEDBACK: SUPERVISION_FEEDBACK\nRESIDENT_EVALUATION: RESIDENT_EVALUATION\nACCEPTED: ACCEPTED\nCOMPLETED: COMPLETED\nREPLIED: REPLIED\nMEDIATING: MEDIATING\nCLOSED: CLOSED\nSUBMITTED: SUBMITTED",
                        enum_type=CaseStage,
                        max_length=32,
                    ),
                ),
                ("due_on", fields.DateField()),
                ("escalated_on", fields.DateField()),
                ("escalated_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("escalated_by_subject", fields.CharField(null=True, max_length=128)),
                (
                    "acknowledged_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                ("acknowledged_by_subject", fields.CharField(null=True, max_length=128)),
            ],
            options={
                "table": "case_escalations",
                "app": "models",
                "indexes": [
                    Index(fields=["city_id", "level", "street_id", "escalated_at"]),
                    Index(fields=["city_id", "case_id"]),
                ],
                "pk_attr": "id",
            },
            bases=["CityModel"],
        ),
        ops.RunPython(secure_city_tables, reverse_code=ops.RunPython.noop),
    ]
