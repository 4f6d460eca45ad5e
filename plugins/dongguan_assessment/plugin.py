"""The hooks of `dongguan_assessment` (entry point in the root pyproject.toml)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from decimal import Decimal

from pydantic import BaseModel

from plugins.dongguan_assessment import blacklist, credit, demo, schema, scoring, standings
from plugins.dongguan_assessment.settings import NAME, DongguanAssessmentSettings
from schema.plugin_api import (
    CityPlugins,
    CreditConsequence,
    CreditEvent,
    CreditRecord,
    CreditStanding,
    Criterion,
    PluginModels,
    Refusal,
    SchemaContribution,
    Score,
    ServicePurchase,
    Violation,
    hookimpl,
    settings_of,
)


def _settings(city: CityPlugins) -> DongguanAssessmentSettings:
    return settings_of(city, NAME, DongguanAssessmentSettings)


@hookimpl
def register_settings() -> type[BaseModel]:
    return DongguanAssessmentSettings


@hookimpl
def register_models() -> PluginModels:
    return PluginModels(
        app_label="dongguan_assessment",
        models="plugins.dongguan_assessment.models",
        migrations="plugins.dongguan_assessment.migrations",
    )


@hookimpl
def register_schema(city: CityPlugins) -> SchemaContribution:
    return SchemaContribution(
        query=schema.DongguanAssessmentQuery,
        mutation=schema.DongguanAssessmentMutation,
    )


@hookimpl
def register_assessment_criteria(city: CityPlugins) -> list[Criterion]:
    return scoring.criteria(_settings(city))


@hookimpl
def compute_assessment_score(
    city: CityPlugins, firm_id: int, inputs: dict[str, Decimal]
) -> Score | None:
    return scoring.weighted_score(_settings(city), inputs)


@hookimpl
def credit_consequences(
    city: CityPlugins, firm_id: int, score: Score
) -> Awaitable[list[CreditConsequence]]:
    return credit.consequences(_settings(city), firm_id, score)


@hookimpl
def check_firm_eligibility(
    city: CityPlugins, firm_id: int, purpose: str
) -> Awaitable[list[Refusal]]:
    return blacklist.firm_refusals(firm_id)


@hookimpl
def validate_service_purchase(
    city: CityPlugins, purchase: ServicePurchase
) -> Awaitable[list[Violation]]:
    return blacklist.provider_violations(purchase)


@hookimpl
def firm_credit_standings(
    city: CityPlugins, firm_ids: list[int], as_of: dt.date
) -> Awaitable[dict[int, CreditStanding]]:
    return standings.standings(_settings(city), firm_ids, as_of)


@hookimpl
def record_credit_event(city: CityPlugins, event: CreditEvent) -> Awaitable[CreditRecord]:
    return credit.record_event(_settings(city), event)


@hookimpl
def credit_record(city: CityPlugins, record_id: str) -> Awaitable[CreditRecord | None]:
    return credit.record_by_id(record_id)


@hookimpl
def load_demo_data(
    city: CityPlugins, progress: Callable[[str], None]
) -> Awaitable[dict[str, int]] | None:
    # Assessed quarters, a blacklisting and purchases of Dongguan's own demo firms.
    if city.slug != "dongguan":
        return None
    return demo.load_dongguan_demo(progress)
