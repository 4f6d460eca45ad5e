"""The hooks of the webhooks plugin (entry point `webhooks` in group civicgraph.plugins).

Imports of the ORM and GraphQL modules happen inside the hooks: this module is loaded while
the core builds its database configuration, before those modules may be imported.
"""

from __future__ import annotations

from collections.abc import Awaitable

from pydantic import BaseModel

from civicgraph_webhooks.settings import WebhookSettings
from core.plugins.contributions import CityPlugins, PluginModels, SchemaContribution, Worker
from core.plugins.events import CaseFiled, CaseStageChanged, Event, MeetingHeld
from core.plugins.hookspecs import hookimpl


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
    from civicgraph_webhooks.graphql import WebhooksMutation, WebhooksQuery

    return SchemaContribution(query=WebhooksQuery, mutation=WebhooksMutation)


def _enqueue(city: CityPlugins, event: Event) -> Awaitable[None]:
    from civicgraph_webhooks.outbox import enqueue

    return enqueue(city, event)


@hookimpl
def case_filed(city: CityPlugins, event: CaseFiled) -> Awaitable[None]:
    return _enqueue(city, event)


@hookimpl
def case_stage_changed(city: CityPlugins, event: CaseStageChanged) -> Awaitable[None]:
    return _enqueue(city, event)


@hookimpl
def meeting_held(city: CityPlugins, event: MeetingHeld) -> Awaitable[None]:
    return _enqueue(city, event)


@hookimpl
def register_workers() -> list[Worker]:
    from civicgraph_webhooks.delivery import run

    return [run]
