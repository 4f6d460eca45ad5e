"""Dongguan's purchasing rules: categories, yearly caps, methods by amount, providers."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field, model_validator

from schema.plugin_api import Text

# Dongguan's categories of community services bought from social organisations.
CATEGORIES = {
    "FAMILY": ("家庭服务", "family services"),
    "ELDERLY_CARE": ("养老服务", "elderly care"),
    "DISABILITY_ASSISTANCE": ("助残服务", "disability assistance"),
    "CHILDCARE": ("托育服务", "childcare"),
    "HUMANISTIC_CARE": ("人文关怀", "humanistic care"),
    "EMOTIONAL_COMFORT": ("精神慰藉", "emotional comfort"),
    "MENTAL_HEALTH": ("心理健康", "mental health"),
    "DELEGATED_TASKS": ("委托事项", "delegated tasks"),
}


class EvaluationItem(BaseModel):
    """One criterion purchased services are evaluated by, and the most points it gives."""

    key: str = Field(min_length=1, max_length=40)
    label_zh: str = Field(min_length=1, max_length=40)
    label_en: str = Field(min_length=1, max_length=80)
    max_points: int = Field(gt=0, le=100)


def _evaluation() -> list[EvaluationItem]:
    # The usual shape of a third-party evaluation of a purchased project (第三方绩效评估).
    return [
        EvaluationItem(key="OUTCOMES", label_zh="服务成效", label_en="outcomes", max_points=40),
        EvaluationItem(
            key="SATISFACTION",
            label_zh="服务对象满意度",
            label_en="beneficiaries' satisfaction",
            max_points=30,
        ),
        EvaluationItem(
            key="MANAGEMENT", label_zh="项目管理", label_en="project management", max_points=20
        ),
        EvaluationItem(
            key="FINANCE", label_zh="财务管理", label_en="financial management", max_points=10
        ),
    ]


class MethodThreshold(BaseModel):
    """From `from_amount` yuan up, a purchase must use one of `methods`."""

    from_amount: Decimal = Field(ge=0)
    methods: list[str] = Field(min_length=1)


def _thresholds() -> list[MethodThreshold]:
    return [
        MethodThreshold(
            from_amount=Decimal(0),
            methods=[
                "DIRECT_COMMISSION",
                "INQUIRY",
                "SINGLE_SOURCE",
                "COMPETITIVE_NEGOTIATION",
                "COMPETITIVE_CONSULTATION",
                "INVITED_TENDER",
                "PUBLIC_TENDER",
            ],
        ),
        MethodThreshold(
            from_amount=Decimal(100_000),
            methods=[
                "INQUIRY",
                "COMPETITIVE_NEGOTIATION",
                "COMPETITIVE_CONSULTATION",
                "INVITED_TENDER",
                "PUBLIC_TENDER",
            ],
        ),
        MethodThreshold(from_amount=Decimal(1_000_000), methods=["PUBLIC_TENDER"]),
    ]


class DongguanPurchasingSettings(BaseModel):
    categories: list[str] = Field(
        default_factory=lambda: list(CATEGORIES),
        title="Categories that may be bought",
    )
    yearly_caps: dict[str, Decimal] = Field(
        default_factory=lambda: {
            "FAMILY": Decimal(500_000),
            "ELDERLY_CARE": Decimal(2_000_000),
            "DISABILITY_ASSISTANCE": Decimal(800_000),
            "CHILDCARE": Decimal(800_000),
            "HUMANISTIC_CARE": Decimal(300_000),
            "EMOTIONAL_COMFORT": Decimal(300_000),
            "MENTAL_HEALTH": Decimal(600_000),
            "DELEGATED_TASKS": Decimal(1_000_000),
        },
        title="Yearly cap per category (yuan)",
        description="Sum of the year's purchases by start date; no cap: unlimited.",
    )
    method_thresholds: list[MethodThreshold] = Field(
        default_factory=_thresholds,
        title="Procurement methods by amount",
        description="The highest threshold the amount reaches decides the allowed methods.",
    )
    min_years_registered: int = Field(
        1,
        ge=0,
        title="Years a provider must have been registered",
        description="Counted from the organisation's founding (registration) date.",
    )

    evaluation_criteria: list[EvaluationItem] = Field(
        default_factory=_evaluation,
        title="Evaluation criteria of purchased services",
        description="Their points add up to 100; the evaluator marks each.",
    )
    pass_score: int = Field(
        60, ge=0, le=100, title="Pass mark of an evaluation", description="Out of 100."
    )

    @model_validator(mode="after")
    def _known(self) -> DongguanPurchasingSettings:
        unknown = sorted(set(self.yearly_caps) - set(self.categories))
        if unknown:
            listed = ", ".join(unknown)
            raise ValueError(
                Text(f"未列入购买类别的上限：{listed}", f"caps for categories not bought: {listed}")
            )
        points = sum(c.max_points for c in self.evaluation_criteria)
        keys = [c.key for c in self.evaluation_criteria]
        if points != 100 or len(set(keys)) != len(keys):
            raise ValueError(
                Text(
                    f"评价标准须键名不重复、合计 100 分，现为 {points} 分",
                    f"evaluation criteria need unique keys and 100 points, not {points}",
                )
            )
        return self
