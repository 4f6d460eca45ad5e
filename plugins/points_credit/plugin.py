"""The hooks of `points_credit` (entry point in the root pyproject.toml): any city may run it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable

from pydantic import BaseModel

from plugins.points_credit import notices
from plugins.points_credit.graphql import PointsMutation, PointsQuery
from plugins.points_credit.settings import PointsCreditSettings
from schema.plugin_api import (
    FIRM_MANAGEMENT_CONTRACT,
    FIRM_SERVICE_PURCHASE,
    NO_NEW_CONTRACTS,
    NO_SERVICE_PURCHASE,
    CityPlugins,
    CreditEvent,
    CreditRecord,
    CreditStanding,
    PluginModels,
    Refusal,
    SchemaContribution,
    Text,
    hookimpl,
    localise,
)

# Which restriction keeps a firm from which engagement: "no new projects" covers both.
REFUSED_BY = {
    FIRM_MANAGEMENT_CONTRACT: (NO_NEW_CONTRACTS,),
    FIRM_SERVICE_PURCHASE: (NO_NEW_CONTRACTS, NO_SERVICE_PURCHASE),
}


@hookimpl
def register_settings() -> type[BaseModel]:
    return PointsCreditSettings


@hookimpl
def register_models() -> PluginModels:
    return PluginModels(
        app_label="points_credit",
        models="plugins.points_credit.models",
        migrations="plugins.points_credit.migrations",
    )


@hookimpl
def register_schema(city: CityPlugins) -> SchemaContribution:
    return SchemaContribution(query=PointsQuery, mutation=PointsMutation)


@hookimpl
def firm_credit_standings(
    city: CityPlugins, firm_ids: list[int], as_of: dt.date
) -> Awaitable[dict[int, CreditStanding]]:
    return notices.standings(city, firm_ids, as_of)


@hookimpl
def record_credit_event(city: CityPlugins, event: CreditEvent) -> Awaitable[CreditRecord]:
    return notices.record_deduction(city, event)


@hookimpl
def credit_record(city: CityPlugins, record_id: str) -> Awaitable[CreditRecord | None]:
    return notices.record_by_id(record_id)


@hookimpl
def check_firm_eligibility(
    city: CityPlugins, firm_id: int, purpose: str
) -> Awaitable[list[Refusal]] | None:
    refused_by = REFUSED_BY.get(purpose)
    if not refused_by:
        return None

    async def check() -> list[Refusal]:
        standing = (await notices.standings(city, [firm_id], notices.today()))[firm_id]
        if not set(refused_by) & set(standing.restrictions):
            return []
        zh = "；".join(localise(r, "zh") for r in standing.reasons)
        en = "; ".join(localise(r, "en") for r in standing.reasons)
        return [
            Refusal(
                Text(
                    f"记分管理：{standing.label_zh}（{zh}）",
                    f"{standing.label_en} under the points regime ({en})",
                )
            )
        ]

    return check()
