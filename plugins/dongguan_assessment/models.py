"""Dongguan's assessment and credit tables (tortoise app `dongguan_assessment`)."""

from __future__ import annotations

from typing import Any

from tortoise import fields

from schema.plugin_api.models import CityModel

APP = "dongguan_assessment"


class AssessmentInput(CityModel):
    """An input recorded by hand for a compound in a period: the owners' survey, the party
    organisation's evaluation, the inspection against the checklist (0..100 each)."""

    compound: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.Compound", related_name=False, on_delete=fields.RESTRICT
    )
    period = fields.CharField(max_length=8)  # "2026Q1" or "2026"
    criterion = fields.CharField(max_length=32)
    value = fields.DecimalField(max_digits=6, decimal_places=2)
    # The inspection's failed checklist codes, the survey's sample size, ...
    detail: Any = fields.JSONField(default=dict)
    note = fields.CharField(max_length=500, default="")
    recorded_by = fields.CharField(max_length=128, default="")

    class Meta:
        app = APP
        table = "dg_assessment_inputs"
        unique_together = (("city", "compound", "period", "criterion"),)


class AssessmentRun(CityModel):
    """One assessment of every firm for a period. A period may be run again until the city
    publishes it: each run is a version (1, 2, ...), the earlier one kept and superseded."""

    period = fields.CharField(max_length=8)
    period_kind = fields.CharField(max_length=8)  # QUARTER or YEAR
    period_start = fields.DateField()
    period_end = fields.DateField()
    run_by = fields.CharField(max_length=128, default="")
    # Database defaults: the rows made before versions existed are version 1.
    version = fields.IntField(default=1, db_default=1)
    superseded_at = fields.DatetimeField(null=True)
    published_at = fields.DatetimeField(null=True)
    published_by = fields.CharField(max_length=128, null=True)

    class Meta:
        app = APP
        table = "dg_assessment_runs"
        # Two concurrent re-runs cannot both become the same version.
        unique_together = (("city", "period", "version"),)


class FirmAssessment(CityModel):
    """A firm's result in a run: the homes-weighted mean of its compounds' scores."""

    run: fields.ForeignKeyRelation[AssessmentRun] = fields.ForeignKeyField(
        f"{APP}.AssessmentRun", related_name=False, on_delete=fields.CASCADE
    )
    firm: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.Firm", related_name=False, on_delete=fields.RESTRICT
    )
    period = fields.CharField(max_length=8)
    period_kind = fields.CharField(max_length=8)
    period_start = fields.DateField()
    score = fields.DecimalField(max_digits=6, decimal_places=2)
    grade = fields.CharField(max_length=16)
    passed = fields.BooleanField()
    rank = fields.IntField()
    # The score before credit: the compounds' mean; then what the period's credit took off.
    base_score = fields.DecimalField(max_digits=6, decimal_places=2, null=True)
    credit_points = fields.DecimalField(max_digits=6, decimal_places=2, default=0, db_default=0)
    credit_deduction = fields.DecimalField(max_digits=6, decimal_places=2, default=0, db_default=0)
    # Why the grade is FAIL whatever the score (a blacklisting in the period), both languages.
    veto = fields.CharField(max_length=500, null=True)

    class Meta:
        app = APP
        table = "dg_firm_assessments"
        unique_together = (("city", "run", "firm"),)
        indexes = (("city_id", "firm_id", "period_kind", "period_start"),)


class CompoundScore(CityModel):
    """A firm's score for one compound it managed in the period, with every input behind it."""

    assessment: fields.ForeignKeyRelation[FirmAssessment] = fields.ForeignKeyField(
        f"{APP}.FirmAssessment", related_name=False, on_delete=fields.CASCADE
    )
    compound: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.Compound", related_name=False, on_delete=fields.RESTRICT
    )
    score = fields.DecimalField(max_digits=6, decimal_places=2)
    homes = fields.IntField()
    # criterion -> {"value", "weight", "detail"}: why the firm got this score.
    inputs: Any = fields.JSONField(default=dict)

    class Meta:
        app = APP
        table = "dg_compound_scores"
        indexes = (("city_id", "assessment_id"),)


class CreditDeduction(CityModel):
    """Points deducted from a firm's credit, with the reason and who found it."""

    firm: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.Firm", related_name=False, on_delete=fields.RESTRICT
    )
    kind = fields.CharField(max_length=40)
    points = fields.DecimalField(max_digits=6, decimal_places=2)
    severity = fields.CharField(max_length=20, null=True)
    reason = fields.CharField(max_length=500)
    source = fields.CharField(max_length=40)
    occurred_on = fields.DateField()
    recorded_by = fields.CharField(max_length=128, default="")

    class Meta:
        app = APP
        table = "dg_credit_deductions"
        indexes = (("city_id", "firm_id", "occurred_on"),)


class BlacklistEntry(CityModel):
    """A firm or a social organisation on the city's blacklist, until removed or lapsed."""

    firm: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "models.Firm", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    organisation: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "models.Organisation", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    reason = fields.CharField(max_length=500)
    source = fields.CharField(max_length=40)  # RULE:<which>, ADMIN
    listed_on = fields.DateField()
    listed_until = fields.DateField()
    listed_by = fields.CharField(max_length=128, default="")
    removed_on = fields.DateField(null=True)
    removal_reason = fields.CharField(max_length=500, null=True)
    removed_by = fields.CharField(max_length=128, null=True)

    class Meta:
        app = APP
        table = "dg_blacklist"
        indexes = (("city_id", "firm_id"), ("city_id", "organisation_id"))
