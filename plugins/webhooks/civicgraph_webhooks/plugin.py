"""The hooks of the webhooks plugin (entry point `webhooks` in group civicgraph.plugins)."""

from __future__ import annotations

from collections.abc import Awaitable

from pydantic import BaseModel

from civicgraph_webhooks.delivery import run
from civicgraph_webhooks.graphql import WebhooksMutation, WebhooksQuery
from civicgraph_webhooks.outbox import enqueue
from civicgraph_webhooks.settings import WebhookSettings
from schema.plugin_api import (
    CaseFiled,
    CaseStageChanged,
    CityPlugins,
    MeetingHeld,
    PluginModels,
    SchemaContribution,
    Worker,
    hookimpl,
)


@hookimpl
def register_settings() -> type[BaseModel]:
    return WebhookSettings


@hookimpl
def register_models() -> PluginModels:
    return PluginModels(
        app_label="webhooks",
        models="civicgraph_webhooks.models",
        migrations="civicgraph_webhooks.migrations",
    )


@hookimpl
def register_schema(city: CityPlugins) -> SchemaContribution:
    return SchemaContribution(query=WebhooksQuery, mutation=WebhooksMutation)


@hookimpl
def case_filed(city: CityPlugins, event: CaseFiled) -> Awaitable[None]:
    return enqueue(city, event)


@hookimpl
def case_stage_changed(city: CityPlugins, event: CaseStageChanged) -> Awaitable[None]:
    return enqueue(city, event)


@hookimpl
def meeting_held(city: CityPlugins, event: MeetingHeld) -> Awaitable[None]:
    return enqueue(city, event)


@hookimpl
def register_workers() -> list[Worker]:
    return [run]
