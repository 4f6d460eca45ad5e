"""Cases residents bring: property disputes, one-window service requests, mediation."""

from __future__ import annotations

from tortoise import fields

from core.infra.enums import CaseCategory, CaseKind, CaseStage, EscalationLevel, MediationOutcome
from core.models.base import CityModel
from core.models.people import Person
from core.models.places import Compound


class Case(CityModel):
    kind = fields.CharEnumField(CaseKind, max_length=32)
    title = fields.CharField(max_length=200)
    description = fields.TextField(default="")
    compound: fields.ForeignKeyRelation[Compound] = fields.ForeignKeyField(
        "models.Compound", related_name="cases", on_delete=fields.RESTRICT
    )
    # Who filed it: a known person when there is one, and always the principal's subject.
    filed_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="filed_cases", null=True, on_delete=fields.SET_NULL
    )
    filed_by_subject = fields.CharField(max_length=128, null=True)
    stage = fields.CharEnumField(CaseStage, max_length=32)
    stage_entered_at = fields.DatetimeField()
    # Optimistic concurrency: a move names the version it read; a stale version loses.
    version = fields.IntField(default=1)
    # Proxy filing (代办): staff filed for this resident; None when the resident filed.
    on_behalf_of = fields.CharField(max_length=64, null=True)
    # Set in TOPIC_DETERMINATION: what the consultation is about.
    topic = fields.CharField(max_length=200, null=True)
    category = fields.CharEnumField(CaseCategory, max_length=32, null=True)
    # The working day by which the current stage must be left; None: no limit.
    stage_due_on = fields.DateField(null=True)
    escalation_level = fields.CharEnumField(
        EscalationLevel, max_length=16, default=EscalationLevel.COMMUNITY
    )
    # Each reopening starts a new round of resident ratings.
    round = fields.IntField(default=1)
    reply = fields.TextField(null=True)
    mediator: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="mediated_cases", null=True, on_delete=fields.SET_NULL
    )
    mediation_outcome = fields.CharEnumField(MediationOutcome, max_length=16, null=True)

    EXPOSED = (
        "kind",
        "title",
        "description",
        "compound_id",
        "filed_by_id",
        "filed_by_subject",
        "stage",
        "stage_entered_at",
        "version",
        "on_behalf_of",
        "topic",
        "category",
        "stage_due_on",
        "escalation_level",
        "round",
        "reply",
        "mediator_id",
        "mediation_outcome",
    )

    class Meta:
        table = "cases"
        # The (compound, created_at desc) index every list view needs is created in the
        # migration with DESC ordering, which tortoise's Index cannot express.
        indexes = (("city_id", "stage"), ("city_id", "kind"), ("city_id", "stage_due_on"))
