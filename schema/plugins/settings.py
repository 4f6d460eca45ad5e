"""Root fields for a city admin's plugin configuration: citySettings and its mutations."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON

from core.plugins import calls as plugins
from core.plugins import settings as plugin_settings
from schema.api.context import Info
from schema.api.errors import UserError, attempt
from schema.plugins.types import PluginSettings


@strawberry.type
class PluginSettingsPayload:
    plugin: PluginSettings | None
    errors: list[UserError]


@strawberry.type
class PluginSettingsQuery:
    @strawberry.field(
        description="Every installed plugin with this city's enablement and settings."
    )
    async def city_settings(self, info: Info) -> list[PluginSettings]:
        found = await plugin_settings.city_settings(info.context.principal)
        return [PluginSettings.from_domain(s) for s in found]


async def _update(
    info: Info, plugin: str, values: object, active: bool | None
) -> PluginSettingsPayload:
    async def act() -> PluginSettings:
        updated = await plugin_settings.update_plugin(
            info.context.principal, plugin, values, active
        )
        return PluginSettings.from_domain(updated)

    result, errors = await attempt(info, act)
    # Committed: this process stops using its cached configuration now, so the caller's
    # next request sees the change; other processes hear the table's NOTIFY.
    plugins.forget()
    return PluginSettingsPayload(plugin=result, errors=errors)


@strawberry.type
class PluginSettingsMutation:
    @strawberry.mutation(
        description="Change some of a plugin's settings for this city; effective next request."
    )
    async def update_plugin_settings(
        self, info: Info, plugin: str, settings: JSON
    ) -> PluginSettingsPayload:
        return await _update(info, plugin, settings, None)

    @strawberry.mutation(description="Run a plugin for this city from the next request on.")
    async def enable_plugin(self, info: Info, plugin: str) -> PluginSettingsPayload:
        return await _update(info, plugin, None, True)

    @strawberry.mutation(
        description="Stop running a plugin for this city from the next request on."
    )
    async def disable_plugin(self, info: Info, plugin: str) -> PluginSettingsPayload:
        return await _update(info, plugin, None, False)
