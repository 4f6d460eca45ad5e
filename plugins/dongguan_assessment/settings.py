"""Dongguan's assessment standard and credit rules: every number an admin may change."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field, field_validator

NAME = "dongguan_assessment"  # the entry point's name: city config, settings, errors
# What admins record by hand, per compound and period (recordAssessmentInput's criterion).
OWNER_SURVEY = "owner_survey"
PARTY_EVALUATION = "party_evaluation"
INSPECTION = "inspection"
RECORDED = (OWNER_SURVEY, PARTY_EVALUATION, INSPECTION)


class ChecklistItem(BaseModel):
    code: str = Field(max_length=40)
    label: str = Field(max_length=100)
    points: Decimal = Field(ge=0, le=100, description="Deducted when the item fails.")


def _checklist() -> list[ChecklistItem]:
    # The project standard's inspection items (物业服务项目标准), points lost on failure.
    return [
        ChecklistItem(code="FIRE_ACCESS", label="消防通道畅通", points=Decimal(20)),
        ChecklistItem(code="CLEANING", label="公共区域清洁", points=Decimal(15)),
        ChecklistItem(code="GREENING", label="绿化养护", points=Decimal(10)),
        ChecklistItem(code="SECURITY_PATROL", label="秩序维护与巡查", points=Decimal(15)),
        ChecklistItem(code="FACILITY_UPKEEP", label="共用设施设备维护", points=Decimal(20)),
        ChecklistItem(code="PUBLIC_NOTICES", label="收费与服务公示", points=Decimal(10)),
        ChecklistItem(code="RECORDS", label="档案与台账", points=Decimal(10)),
    ]


class DongguanAssessmentSettings(BaseModel):
    weight_owner_satisfaction: Decimal = Field(
        Decimal(40), ge=0, title="Weight: owners' satisfaction (业主满意度)"
    )
    weight_party_evaluation: Decimal = Field(
        Decimal(20), ge=0, title="Weight: community party organisation's evaluation"
    )
    weight_inspection: Decimal = Field(
        Decimal(30), ge=0, title="Weight: inspection against the project standard"
    )
    weight_complaint_rate: Decimal = Field(Decimal(10), ge=0, title="Weight: complaint rate")
    survey_share: Decimal = Field(
        Decimal("0.5"),
        ge=0,
        le=1,
        title="Survey share of owners' satisfaction",
        description="The rest comes from residents' ratings of the compound's cases.",
    )
    complaint_case_kinds: list[str] = Field(
        default_factory=lambda: ["PROPERTY_DISPUTE"],
        title="Case kinds counted as complaints",
    )
    complaints_per_100_homes_for_zero: Decimal = Field(
        Decimal(10),
        gt=0,
        title="Complaints per 100 homes scoring 0",
        description="The complaint-rate score falls linearly from 100 (no complaint) to 0.",
    )
    checklist: list[ChecklistItem] = Field(
        default_factory=_checklist, title="Inspection checklist of the project standard"
    )
    mandatory_inputs: list[str] = Field(
        default_factory=lambda: [OWNER_SURVEY, PARTY_EVALUATION],
        title="Inputs every managed compound must have",
        description="owner_survey, party_evaluation and/or inspection: a run is refused, "
        "naming each firm, compound and input, while one is missing.",
    )
    credit_points_factor: Decimal = Field(
        Decimal(1),
        ge=0,
        title="Score lost per credit point deducted in the period",
        description="Credit deductions recorded in the period (not the assessments' own) "
        "lower the firm's score by points × this; 0: they do not touch the score.",
    )
    blacklisting_fails: bool = Field(
        True,
        title="Blacklisted in the period: the assessment fails",
        description="One-vote veto: a firm put on the blacklist during the period is graded "
        "FAIL whatever its score.",
    )
    pass_score: Decimal = Field(Decimal(60), ge=0, le=100, title="Pass score")
    good_score: Decimal = Field(Decimal(75), ge=0, le=100, title="Good from")
    excellent_score: Decimal = Field(Decimal(90), ge=0, le=100, title="Excellent from")
    failing_deduction_points: Decimal = Field(
        Decimal(10), ge=0, title="Points deducted for a failed assessment"
    )
    blacklist_after_failures: int = Field(
        2,
        ge=1,
        title="Blacklist after failed assessments in a row",
        description="Consecutive failed assessments of the same period kind.",
    )
    blacklist_points_in_year: Decimal | None = Field(
        Decimal(30),
        ge=0,
        title="Blacklist at deducted points in 12 months",
        description="Empty: deducted points never blacklist on their own.",
    )
    serious_violation_kinds: list[str] = Field(
        default_factory=lambda: ["SERIOUS_VIOLATION"],
        title="Credit event kinds that blacklist at once",
    )
    deduction_kinds: list[str] = Field(
        default_factory=lambda: ["DEDUCTION", "SERIOUS_VIOLATION"],
        title="Credit event kinds admins may record",
    )
    blacklist_months: int = Field(24, ge=1, title="Months a blacklisting lasts")

    @field_validator("mandatory_inputs")
    @classmethod
    def _recorded(cls, keys: list[str]) -> list[str]:
        unknown = sorted(set(keys) - set(RECORDED))
        if unknown:
            raise ValueError(f"not recorded inputs: {', '.join(unknown)} (one of {RECORDED})")
        return list(dict.fromkeys(keys))
