"""The points regime's per-city settings: the cycle, the thresholds and what each triggers.

Defaults follow the driver's-licence style schemes of ../shared/DOMAIN.md: points add up
within a yearly cycle; 6 a written warning, 9 the legal representative summoned and no
upgrade for a year, 12 a qualification review and no new projects for a year.
"""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator, model_validator

from schema.plugin_api import NO_NEW_CONTRACTS, WRITTEN_WARNING, Text

NAME = "points_credit"  # the entry point's name: city config, settings, errors

# Restriction codes of this regime besides the core's (core/plugins/contributions.py).
SUMMONED = "LEGAL_REPRESENTATIVE_SUMMONED"
NO_UPGRADE = "NO_QUALIFICATION_UPGRADE"
QUALIFICATION_REVIEW = "QUALIFICATION_REVIEW"


class PointsLevel(BaseModel):
    """What a firm's points in one cycle trigger once they reach `points`."""

    points: int = Field(gt=0, title="Points", description="Reached within one cycle.")
    code: str = Field(min_length=1, max_length=40, title="Level code")
    label_zh: str = Field(min_length=1, max_length=40)
    label_en: str = Field(min_length=1, max_length=80)
    restrictions: list[str] = Field(default_factory=list, title="Restriction codes")
    lasts_months: int | None = Field(
        default=None,
        gt=0,
        le=60,
        title="Lasts (months)",
        description="From the day it was triggered, across cycles; empty: while the points "
        "count (until the cycle ends).",
    )


def _default_levels() -> list[PointsLevel]:
    return [
        PointsLevel(
            points=6,
            code="WRITTEN_WARNING",
            label_zh="书面警告",
            label_en="written warning",
            restrictions=[WRITTEN_WARNING],
        ),
        PointsLevel(
            points=9,
            code="SUMMONED",
            label_zh="约谈法定代表人",
            label_en="legal representative summoned",
            restrictions=[SUMMONED, NO_UPGRADE],
            lasts_months=12,
        ),
        PointsLevel(
            points=12,
            code="QUALIFICATION_REVIEW",
            label_zh="资质审查",
            label_en="qualification review",
            restrictions=[QUALIFICATION_REVIEW, NO_NEW_CONTRACTS],
            lasts_months=12,
        ),
    ]


class PointsCreditSettings(BaseModel):
    cycle_months: int = Field(
        default=12,
        title="Cycle (months)",
        description="Points expire when the cycle ends: 12 a calendar year, 6 a half year.",
    )
    cycle_starts_month: int = Field(
        default=1, ge=1, le=12, title="First month of a cycle", description="1 for January."
    )
    levels: list[PointsLevel] = Field(
        default_factory=_default_levels,
        title="Levels",
        description="Thresholds in points and what each triggers, from the lowest.",
    )
    max_points_per_deduction: int = Field(
        default=12, gt=0, le=100, title="Most points one deduction may take"
    )
    rectification_days: int = Field(
        default=30,
        gt=0,
        le=365,
        title="Days to rectify",
        description="From the notice of deduction.",
    )
    appeal_days: int = Field(
        default=15,
        gt=0,
        le=365,
        title="Days to appeal",
        description="From the notice of deduction.",
    )

    @field_validator("cycle_months")
    @classmethod
    def _whole_year(cls, months: int) -> int:
        if months <= 0 or 12 % months:
            raise ValueError(
                Text(
                    "周期须能整除一年：1、2、3、4、6 或 12 个月",
                    "a cycle must divide the year: 1, 2, 3, 4, 6 or 12 months",
                )
            )
        return months

    @model_validator(mode="after")
    def _ordered_levels(self) -> PointsCreditSettings:
        points = [level.points for level in self.levels]
        if points != sorted(set(points)):
            raise ValueError(
                Text(
                    "各档分值须互不相同，从低到高排列",
                    "levels must have distinct points, from the lowest",
                )
            )
        codes = [level.code for level in self.levels]
        if len(set(codes)) != len(codes):
            raise ValueError(Text("各档代码须互不相同", "level codes must be distinct"))
        return self
