"""Zhuhai's purchasing rules: what may be bought, from whom, up to how much, and how.

Zhuhai buys community services mostly from social organisations: elderly care, youth
services, community governance and the social work stations (社工站) of every street.
Amounts are in yuan. The procurement method follows the amount: small purchases may be
direct, larger ones need competitive consultation, the largest a public tender.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from schema.plugin_api import ProcurementMethod, Text

ORGANISATION, FIRM = "organisation", "firm"
SOCIAL_WORKER, VOLUNTEER_TEAM = "social_worker", "volunteer_team"
PROVIDERS = (ORGANISATION, FIRM, SOCIAL_WORKER, VOLUNTEER_TEAM)
# Methods allowed from `competitive_from` (yuan) and from `tender_from`: core ProcurementMethod.
COMPETITIVE_METHODS = [
    ProcurementMethod.COMPETITIVE_CONSULTATION.value,
    ProcurementMethod.COMPETITIVE_NEGOTIATION.value,
    ProcurementMethod.INVITED_TENDER.value,
    ProcurementMethod.PUBLIC_TENDER.value,
]
TENDER_METHODS = [ProcurementMethod.PUBLIC_TENDER.value]


class Category(BaseModel):
    label_zh: str = Field(min_length=1, max_length=40)
    label_en: str = Field(min_length=1, max_length=80)
    cap: Decimal = Field(gt=0, title="Most one purchase may cost (yuan)")
    providers: list[str] = Field(
        default_factory=lambda: [ORGANISATION],
        title="Who may provide it",
        description="Any of organisation, firm, social_worker, volunteer_team.",
    )
    yearly_budget: Decimal | None = Field(
        default=None,
        gt=0,
        title="Yearly budget (yuan)",
        description="What the city may commit in a calendar year; empty: no budget cap.",
    )
    needs_community: bool = Field(
        default=True,
        title="Bought for one community",
        description="The purchase names its community.",
    )


def _categories() -> dict[str, Category]:
    return {
        "COMMUNITY_ELDERLY_CARE": Category(
            label_zh="社区居家养老服务",
            label_en="community elderly care",
            cap=Decimal(800_000),
            providers=[ORGANISATION, FIRM],
            yearly_budget=Decimal(3_000_000),
        ),
        "YOUTH_SERVICES": Category(
            label_zh="青少年服务",
            label_en="youth services",
            cap=Decimal(300_000),
            providers=[ORGANISATION, VOLUNTEER_TEAM],
        ),
        "COMMUNITY_GOVERNANCE": Category(
            label_zh="社区治理",
            label_en="community governance",
            cap=Decimal(500_000),
            providers=[ORGANISATION, SOCIAL_WORKER],
        ),
        "SOCIAL_WORK_STATION": Category(
            label_zh="镇街社工站",
            label_en="social work station",
            cap=Decimal(1_200_000),
            needs_community=False,
        ),
    }


class ZhuhaiPurchasingSettings(BaseModel):
    categories: dict[str, Category] = Field(
        default_factory=_categories,
        title="Categories",
        description="What the city buys, by code, with each category's cap and providers.",
    )
    competitive_from: Decimal = Field(
        default=Decimal(200_000),
        gt=0,
        title="Competitive consultation from (yuan)",
        description="From this amount only the competitive methods will do.",
    )
    tender_from: Decimal = Field(
        default=Decimal(1_000_000),
        gt=0,
        title="Public tender from (yuan)",
        description="From this amount only these methods will do.",
    )
    competitive_methods: list[str] = Field(
        default_factory=lambda: list(COMPETITIVE_METHODS),
        title="Methods from the competitive threshold",
    )
    tender_methods: list[str] = Field(
        default_factory=lambda: list(TENDER_METHODS), title="Methods from the tender threshold"
    )
    pass_score: int = Field(
        default=70,
        ge=0,
        le=100,
        title="Pass mark of an evaluation",
        description="Out of 100; the criteria are plugin.py's EVALUATION.",
    )

    # Field validators, so an admin's error names the setting to fix.
    @field_validator("tender_from")
    @classmethod
    def _tender_above_competitive(cls, tender_from: Decimal, info: ValidationInfo) -> Decimal:
        competitive = info.data.get("competitive_from")
        if competitive is not None and tender_from <= competitive:
            raise ValueError(Text("须高于 competitive_from", "must be above competitive_from"))
        return tender_from

    @field_validator("competitive_methods", "tender_methods")
    @classmethod
    def _known_methods(cls, methods: list[str]) -> list[str]:
        unknown = set(methods) - {m.value for m in ProcurementMethod}
        if not methods:
            raise ValueError(Text("至少需要一种采购方式", "at least one procurement method"))
        if unknown:
            listed = ", ".join(sorted(unknown))
            raise ValueError(
                Text(f"未知的采购方式：{listed}", f"unknown procurement methods: {listed}")
            )
        return methods

    @field_validator("categories")
    @classmethod
    def _known_providers(cls, categories: dict[str, Category]) -> dict[str, Category]:
        for code, category in categories.items():
            unknown = set(category.providers) - set(PROVIDERS)
            if unknown or not category.providers:
                raise ValueError(f"{code}: providers are some of {', '.join(PROVIDERS)}")
        return categories
