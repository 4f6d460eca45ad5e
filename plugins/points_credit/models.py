"""The points regime's tables: notices of deduction and appeals against them."""

from __future__ import annotations

from typing import Any

from tortoise import fields

from schema.plugin_api.models import CityModel

PENDING, UPHELD, REJECTED = "PENDING", "UPHELD", "REJECTED"


class PointsDeduction(CityModel):
    """A notice of deduction: points taken from a firm, with its deadlines."""

    firm: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.Firm", related_name=False, on_delete=fields.RESTRICT
    )
    points = fields.IntField()
    reason = fields.CharField(max_length=500)
    source = fields.CharField(max_length=40)
    occurred_on = fields.DateField()
    notified_on = fields.DateField()
    rectify_by = fields.DateField()
    appeal_by = fields.DateField()
    recorded_by = fields.CharField(max_length=128, default="")
    # Set when an appeal is upheld: the points no longer count, on any day.
    removed_on = fields.DateField(null=True)
    removal_reason = fields.CharField(max_length=500, null=True)

    class Meta:
        app = "points_credit"
        table = "points_deductions"
        indexes = (("city_id", "firm_id", "occurred_on"),)


class PointsAppeal(CityModel):
    """A firm's appeal against one deduction, and the decision on it."""

    deduction: fields.ForeignKeyRelation[PointsDeduction] = fields.ForeignKeyField(
        "points_credit.PointsDeduction", related_name=False, on_delete=fields.RESTRICT
    )
    grounds = fields.CharField(max_length=500)
    filed_on = fields.DateField()
    status = fields.CharField(max_length=16, default=PENDING)
    decided_on = fields.DateField(null=True)
    decision_reason = fields.CharField(max_length=500, null=True)
    decided_by = fields.CharField(max_length=128, null=True)

    class Meta:
        app = "points_credit"
        table = "points_appeals"
        # One appeal per deduction: a rejected appeal is final.
        unique_together = (("city", "deduction"),)
