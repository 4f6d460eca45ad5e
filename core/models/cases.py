"""Cases residents bring: property disputes, one-window service requests, mediation."""

from __future__ import annotations

from tortoise import fields

from core.enums import CaseKind, CaseStage
from core.models.base import CityModel
from core.models.places import Compound


class Case(CityModel):
    kind = fields.CharEnumField(CaseKind, max_length=32)
    title = fields.CharField(max_length=200)
    description = fields.TextField(default="")
    compound: fields.ForeignKeyRelation[Compound] = fields.ForeignKeyField(
        "models.Compound", related_name="cases", on_delete=fields.RESTRICT
    )
    # Who filed it: a known person when there is one, and always the principal's subject.
    filed_by = fields.ForeignKeyField(
        "models.Person", related_name="filed_cases", null=True, on_delete=fields.SET_NULL
    )
    filed_by_subject = fields.CharField(max_length=128, null=True)
    stage = fields.CharEnumField(CaseStage, max_length=32)
    stage_entered_at = fields.DatetimeField()
    # Optimistic concurrency: a move names the version it read; a stale version loses.
    version = fields.IntField(default=1)

    class Meta:
        table = "cases"
        # The (compound, created_at desc) index every list view needs is created in the
        # migration with DESC ordering, which tortoise's Index cannot express.
        indexes = (("city_id", "stage"), ("city_id", "kind"))
