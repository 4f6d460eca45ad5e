"""A city's plugins as its admin sees them: enablement, settings (secrets masked), history."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry.scalars import JSON

from core.plugins import settings as plugin_settings
from schema.api.context import Info
from schema.api.rows import FromRow

CHANGES_MAX = 100


@strawberry.type(description="One setting of a plugin: its label, help, value and default.")
class PluginSettingField:
    name: str
    label: str
    help: str | None
    kind: str = strawberry.field(description="JSON type: string, integer, number, boolean, ...")
    value: JSON | None = strawberry.field(description="Secrets show their last 4 characters.")
    default: JSON | None
    secret: bool
    required: bool


@strawberry.type(description="A change of a plugin's enablement or settings: who, when, what.")
class PluginSettingsChange:
    actor: str | None
    active_before: bool
    active_after: bool
    settings_before: JSON | None
    settings_after: JSON | None
    changed_at: dt.datetime

    from_row = FromRow(renamed={"changed_at": "created_at"})


@strawberry.type(description="An installed plugin and this city's configuration of it.")
class PluginSettings:
    plugin: str
    version: str | None
    active: bool
    fields: list[PluginSettingField]

    @classmethod
    def from_domain(cls, s: plugin_settings.PluginSettings) -> PluginSettings:
        return cls(
            plugin=s.plugin,
            version=s.version,
            active=s.active,
            fields=[PluginSettingField(**vars(f)) for f in s.fields],
        )

    @strawberry.field(description="The newest changes first (at most 100).")
    async def changes(self, info: Info, first: int = 20) -> list[PluginSettingsChange]:
        first = max(0, min(first, CHANGES_MAX))
        rows = await plugin_settings.settings_changes(info.context.principal, self.plugin, first)
        return [PluginSettingsChange.from_row(r) for r in rows]
