"""The hooks of `dongguan_assessment` (entry point in the root pyproject.toml).

ORM and GraphQL modules are imported inside the hooks: this module is loaded while the core
builds its database configuration, before models may be imported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from decimal import Decimal

from pydantic import BaseModel

from core.plugins.contributions import (
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
)
from core.plugins.hookspecs import hookimpl
from plugins.dongguan_assessment.settings import DongguanAssessmentSettings

NAME = "dongguan_assessment"


def settings_of(city: CityPlugins) -> DongguanAssessmentSettings:
    settings = city.settings_for(NAME)
    assert isinstance(settings, DongguanAssessmentSettings)
    return settings


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
    from plugins.dongguan_assessment import schema

    return SchemaContribution(
        query=schema.DongguanAssessmentQuery,
        mutation=schema.DongguanAssessmentMutation,
    )


@hookimpl
def register_assessment_criteria(city: CityPlugins) -> list[Criterion]:
    from plugins.dongguan_assessment.scoring import criteria

    return criteria(settings_of(city))


@hookimpl
def compute_assessment_score(
    city: CityPlugins, firm_id: int, inputs: dict[str, Decimal]
) -> Score | None:
    from plugins.dongguan_assessment.scoring import weighted_score

    return weighted_score(settings_of(city), inputs)


@hookimpl
def credit_consequences(
    city: CityPlugins, firm_id: int, score: Score
) -> Awaitable[list[CreditConsequence]]:
    from plugins.dongguan_assessment.credit import consequences

    return consequences(settings_of(city), firm_id, score)


@hookimpl
def check_firm_eligibility(
    city: CityPlugins, firm_id: int, purpose: str
) -> Awaitable[list[Refusal]]:
    from plugins.dongguan_assessment.credit import firm_refusals

    return firm_refusals(firm_id)


@hookimpl
def validate_service_purchase(
    city: CityPlugins, purchase: ServicePurchase
) -> Awaitable[list[Violation]]:
    from plugins.dongguan_assessment.credit import provider_violations

    return provider_violations(purchase)


@hookimpl
def firm_credit_standings(
    city: CityPlugins, firm_ids: list[int], as_of: dt.date
) -> Awaitable[dict[int, CreditStanding]]:
    from plugins.dongguan_assessment.credit import standings

    return standings(settings_of(city), firm_ids, as_of)


@hookimpl
def record_credit_event(city: CityPlugins, event: CreditEvent) -> Awaitable[CreditRecord]:
    from plugins.dongguan_assessment.credit import record_event

    return record_event(settings_of(city), event)


@hookimpl
def credit_record(city: CityPlugins, record_id: str) -> Awaitable[CreditRecord | None]:
    from plugins.dongguan_assessment.credit import record_by_id

    return record_by_id(record_id)


@hookimpl
def load_demo_data(
    city: CityPlugins, progress: Callable[[str], None]
) -> Awaitable[dict[str, int]] | None:
    # Assessed quarters, a blacklisting and purchases of Dongguan's own demo firms.
    if city.slug != "dongguan":
        return None
    from plugins.dongguan_assessment.demo import load_dongguan_demo

    return load_dongguan_demo(progress)
