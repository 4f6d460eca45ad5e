"""The hooks of `dongguan_purchasing` (entry point in the root pyproject.toml).

The blacklist of providers is the credit plugin's (dongguan_assessment answers
validate_service_purchase too).
"""

from __future__ import annotations

from collections.abc import Awaitable

from pydantic import BaseModel

from plugins.dongguan_purchasing.rules import violations
from plugins.dongguan_purchasing.settings import DongguanPurchasingSettings
from schema.plugin_api import (
    CityPlugins,
    EvaluationCriterion,
    EvaluationRules,
    ServicePurchase,
    Text,
    Violation,
    hookimpl,
    settings_of,
)

NAME = "dongguan_purchasing"


@hookimpl
def register_settings() -> type[BaseModel]:
    return DongguanPurchasingSettings


@hookimpl
def validate_service_purchase(
    city: CityPlugins, purchase: ServicePurchase
) -> Awaitable[list[Violation]]:
    return violations(settings_of(city, NAME, DongguanPurchasingSettings), purchase)


@hookimpl
def purchase_evaluation_rules(city: CityPlugins, purchase: ServicePurchase) -> EvaluationRules:
    # The same criteria for every category: the settings say them.
    s = settings_of(city, NAME, DongguanPurchasingSettings)
    criteria = tuple(
        EvaluationCriterion(c.key, Text(c.label_zh, c.label_en), c.max_points)
        for c in s.evaluation_criteria
    )
    return EvaluationRules(criteria, pass_score=s.pass_score)
